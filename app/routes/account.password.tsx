import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { Field, FormError } from "~/components/field";
import { WrongPasswordError, changeOwnPassword, passwordSchema } from "~/domain/auth.server";
import { readForm } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { requireUser, sessionId } from "~/web/auth.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

const changeSchema = z
  .object({
    current: z.string().min(1, "Enter your current password.").max(200, "That is not your current password."),
    password: passwordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two new passwords differ." });

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = changeSchema.safeParse(formObject(await readForm(request)));
  // Never echo a password back: only the messages go to the page.
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  try {
    await changeOwnPassword(getDb(), user, parsed.data.current, parsed.data.password, (await sessionId(request))!);
  } catch (e) {
    if (e instanceof WrongPasswordError) return json({ errors: { current: e.message } as Record<string, string> }, { status: 400 });
    throw e;
  }
  return redirect("/account/password?changed=1");
}

export default function ChangePassword() {
  const errors = useActionData<typeof action>()?.errors as Record<string, string> | undefined;
  const [params] = useSearchParams();
  return (
    <section className="auth card">
      <h1>Change your password</h1>
      {params.get("changed") ? <p role="status">Password changed. Your other sessions were signed out.</p> : null}
      <Form method="post">
        <CsrfInput />
        <FormError error={errors?.form} />
        <Field label="Current password" name="current" error={errors?.current}>
          <input id="current" name="current" type="password" required autoComplete="current-password" />
        </Field>
        <Field label="New password" name="password" error={errors?.password} hint="At least 10 characters.">
          <input id="password" name="password" type="password" required minLength={10} maxLength={200} autoComplete="new-password" />
        </Field>
        <Field label="New password again" name="confirm" error={errors?.confirm}>
          <input id="confirm" name="confirm" type="password" required autoComplete="new-password" />
        </Field>
        <button type="submit">Change password</button>
      </Form>
      <p className="muted">Changing it signs you out everywhere else.</p>
    </section>
  );
}

export const meta: MetaFunction = () => [{ title: "Change password · Faultline" }];
