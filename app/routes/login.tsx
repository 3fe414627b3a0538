import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { Field, FormError } from "~/components/field";
import { authenticate, userCount } from "~/domain/auth.server";
import { getUser, safeRedirect, signIn } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";

export async function loader({ request }: LoaderFunctionArgs) {
  if (userCount(getDb()) === 0) throw redirect("/setup");
  if (await getUser(request)) throw redirect("/incidents");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const loginSchema = z.object({
    email: z.string().trim().min(1, "Enter your email."),
    password: z.string().min(1, "Enter your password."),
    redirectTo: z.string().optional(),
  });
  const parsed = loginSchema.safeParse(formObject(form));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const user = await authenticate(getDb(), parsed.data.email, parsed.data.password);
  if (!user) return json({ errors: { form: "That email and password do not match an account." } }, { status: 400 });
  return signIn(user.id, safeRedirect(parsed.data.redirectTo));
}

export default function Login() {
  const errors = useActionData<typeof action>()?.errors as Record<string, string> | undefined;
  const [params] = useSearchParams();
  return (
    <section className="auth card">
      <h1>Sign in to Faultline</h1>
      <Form method="post">
        <CsrfInput />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
        <FormError error={errors?.form} />
        <Field label="Email" name="email" error={errors?.email}>
          <input id="email" name="email" type="email" required autoComplete="email" autoFocus />
        </Field>
        <Field label="Password" name="password" error={errors?.password}>
          <input id="password" name="password" type="password" required autoComplete="current-password" />
        </Field>
        <button type="submit">Sign in</button>
      </Form>
      <p className="muted">Accounts are created by an administrator.</p>
    </section>
  );
}

export const meta: MetaFunction = () => [{ title: "Sign in · Faultline" }];
