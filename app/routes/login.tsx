import { json, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { Field, FormError } from "~/components/field";
import { authenticate, userCount } from "~/domain/auth.server";
import { accountKey, addressKey, clearAccount, recordFailedSignIn, retryAfterMs } from "~/domain/sign-in-throttle.server";
import { PasswordHashBusyError } from "~/utils/password.server";
import { getUser, safeRedirect, signIn } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { requestContext } from "~/utils/request-context.server";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";

export async function loader({ request }: LoaderFunctionArgs) {
  if (userCount(getDb()) === 0) throw redirect("/setup");
  if (await getUser(request)) throw redirect("/incidents");
  return null;
}

const loginSchema = z.object({
  email: z.string().trim().min(1, "Enter your email.").max(200, "That is not an email address of an account."),
  // The same cap as for new passwords: a megabyte "password" would cost a long hash.
  password: z.string().min(1, "Enter your password.").max(200, "Passwords are at most 200 characters."),
  redirectTo: z.string().optional(),
});

function tooMany(ms: number, status = 429) {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const wait = seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  const message =
    status === 503 ? "Too many sign-ins at once; try again in a moment." : `Too many failed sign-ins. Try again in ${wait}.`;
  return json({ errors: { form: message } }, { status, headers: { "Retry-After": String(seconds) } });
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const parsed = loginSchema.safeParse(formObject(form));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const db = getDb();
  const { email, password } = parsed.data;
  const address = requestContext()?.clientAddress || "unknown";
  // A locked account or address is refused before any hash is computed: guessing costs the server nothing.
  const wait = retryAfterMs(db, [accountKey(email), addressKey(address)]);
  if (wait > 0) return tooMany(wait);
  let user;
  try {
    user = await authenticate(db, email, password);
  } catch (e) {
    if (e instanceof PasswordHashBusyError) return tooMany(1000, 503);
    throw e;
  }
  if (!user) {
    const lockedMs = recordFailedSignIn(db, { email, address });
    if (lockedMs > 0) return tooMany(lockedMs);
    return json({ errors: { form: "That email and password do not match an account." } }, { status: 400 });
  }
  clearAccount(db, email);
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

// A document POST answers with the page's headers, not the action's: pass Retry-After on.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export const meta: MetaFunction = () => [{ title: "Sign in · Faultline" }];
