import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { Field, FormError } from "~/components/field";
import { createFirstAdmin, newUserSchema, userCount } from "~/domain/auth.server";
import { isSetupCode, retireSetupCode } from "~/domain/setup-code.server";
import { signIn } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";

// The first visit to a new install creates the admin, given the setup code from the server log; afterwards this
// page only redirects.
export async function loader(_: LoaderFunctionArgs) {
  if (userCount(getDb()) > 0) throw redirect("/login");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const setupSchema = newUserSchema.omit({ role: true }).extend({ setupCode: z.string().max(100).optional() });
  const parsed = setupSchema.safeParse(formObject(form));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) as Record<string, string> }, { status: 400 });
  if (!isSetupCode(parsed.data.setupCode)) {
    const message = "That is not the setup code. The server printed it to its log when it started (or use npm run create-admin).";
    return json({ errors: { setupCode: message } as Record<string, string> }, { status: 400 });
  }
  const user = await createFirstAdmin(getDb(), parsed.data);
  if (!user) throw redirect("/login");
  retireSetupCode();
  return signIn(user.id, "/incidents");
}

export default function Setup() {
  const errors = useActionData<typeof action>()?.errors;
  return (
    <section className="auth card">
      <h1>Welcome to Faultline</h1>
      <p>Create the first account. It will be the administrator, who adds everyone else.</p>
      <p className="muted">The setup code is in the server&apos;s log: the server printed it when it started.</p>
      <Form method="post">
        <CsrfInput />
        <FormError error={errors?.form} />
        <Field label="Setup code" name="setupCode" error={errors?.setupCode}>
          <input id="setupCode" name="setupCode" required autoComplete="off" spellCheck={false} />
        </Field>
        <Field label="Name" name="name" error={errors?.name}>
          <input id="name" name="name" required autoComplete="name" />
        </Field>
        <Field label="Email" name="email" error={errors?.email}>
          <input id="email" name="email" type="email" required autoComplete="email" />
        </Field>
        <Field label="Password" name="password" error={errors?.password} hint="At least 10 characters.">
          <input id="password" name="password" type="password" required minLength={10} autoComplete="new-password" />
        </Field>
        <button type="submit">Create admin account</button>
      </Form>
    </section>
  );
}

export const meta: MetaFunction = () => [{ title: "Set up · Faultline" }];
