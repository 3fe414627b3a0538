import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { Field } from "~/components/field";
import { SettingsNav } from "~/components/settings-nav";
import { imageHostsSchema, saveImageHosts } from "~/domain/settings.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { allowedImageHosts } from "~/utils/image-hosts.server";
import { requireRole } from "~/web/permissions.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return { hosts: [...allowedImageHosts()] };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const values = formObject(await readForm(request));
  const parsed = z.object({ hosts: imageHostsSchema }).safeParse({ hosts: values.hosts ?? "" });
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), hosts: values.hosts ?? "" }, { status: 400 });
  saveImageHosts(getDb(), parsed.data.hosts, actorOf(admin));
  return redirect("/settings/images");
}

export default function ImageSettings() {
  const { hosts } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors as Record<string, string> | undefined;
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <section className="card">
        <h2>Images in write-ups</h2>
        <p>
          Postmortems, comments and the taxonomy show images from this server only. An image from anywhere else is
          shown as a link and not loaded, so an embedded picture cannot report who read a page and when. List here the
          hosts readers may load images from (over HTTPS), such as your dashboards.
        </p>
        <Form method="post">
          <CsrfInput />
          <Field label="Allowed image hosts" name="hosts" error={errors?.hosts} hint="One per line: grafana.example.com, or *.example.com for its subdomains.">
            <textarea id="hosts" name="hosts" rows={6} defaultValue={result?.hosts ?? hosts.join("\n")} aria-describedby={errors?.hosts ? "hosts-error" : undefined} />
          </Field>
          <button type="submit">Save</button>
        </Form>
      </section>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Images · Settings · Faultline" }];
