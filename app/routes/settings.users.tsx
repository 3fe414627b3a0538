import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ROLES } from "../../db/schema";
import { CsrfInput } from "~/components/csrf";
import { SettingsNav } from "~/components/settings-nav";
import { Field, FormError } from "~/components/field";
import { DuplicateEmailError, LastAdminError, createUser, listUsers, newUserSchema, passwordSchema, setPassword, updateUser } from "~/domain/auth.server";
import { lockedAccounts, unlockAccount } from "~/domain/sign-in-throttle.server";
import { formatUtc } from "~/utils/dates";
import { actorOf, sessionId } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { requireRole } from "~/web/permissions.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  const locks = new Map(lockedAccounts(getDb()).map((l) => [l.email, formatUtc(l.until)]));
  return { users: listUsers(getDb()).map((u) => ({ ...u, lockedUntil: locks.get(u.email) ?? null })) };
}


export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const intentSchema = z.discriminatedUnion("intent", [
    newUserSchema.extend({ intent: z.literal("create") }),
    z.object({
      intent: z.literal("update"),
      userId: z.coerce.number().int().positive(),
      role: z.enum(ROLES),
      disabled: z.enum(["0", "1"]).transform((v) => v === "1"),
    }),
    z.object({ intent: z.literal("unlock"), email: z.string().trim().min(1).max(200) }),
    z.object({ intent: z.literal("reset"), userId: z.coerce.number().int().positive(), password: passwordSchema }),
  ]);
  const submitted = formObject(await readForm(request));
  const parsed = intentSchema.safeParse(submitted);
  // What the form gets back to refill itself: never the password.
  const { password: _password, ...values } = submitted;
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const input = parsed.data;
  try {
    if (input.intent === "create") {
      await createUser(getDb(), input, actorOf(admin));
    } else if (input.intent === "unlock") {
      unlockAccount(getDb(), input.email, actorOf(admin));
    } else if (input.intent === "reset") {
      // Resetting your own password here keeps this session, as changing it would.
      const keep = input.userId === admin.id ? ((await sessionId(request)) ?? undefined) : undefined;
      await setPassword(getDb(), input.userId, input.password, actorOf(admin), keep);
    } else {
      updateUser(getDb(), input.userId, { role: input.role, disabled: input.disabled }, actorOf(admin));
    }
  } catch (e) {
    if (e instanceof DuplicateEmailError) return json({ errors: { email: e.message }, values }, { status: 400 });
    if (e instanceof LastAdminError) return json({ errors: { form: e.message }, values }, { status: 400 });
    throw e;
  }
  return redirect("/settings/users");
}

export default function Users() {
  const { users } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors as Record<string, string> | undefined;
  const creating = result?.values.intent === "create";
  const resetting = result?.values.intent === "reset" ? Number(result.values.userId) : null;
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <FormError error={!creating && resetting === null ? errors?.form : undefined} />
      <table>
        <thead>
          <tr>
            <th>Email</th>
            <th>Name</th>
            <th>Role and access</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.email}</td>
              <td>{u.name}</td>
              <td>
                <Form method="post" className="row">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="update" />
                  <input type="hidden" name="userId" value={u.id} />
                  <select name="role" defaultValue={u.role} aria-label={`Role of ${u.email}`}>
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                  <select name="disabled" defaultValue={u.disabled ? "1" : "0"} aria-label={`Access of ${u.email}`}>
                    <option value="0">active</option>
                    <option value="1">disabled</option>
                  </select>
                  <button type="submit" className="secondary">
                    Save
                  </button>
                </Form>
                {u.lockedUntil ? (
                  <Form method="post" className="row">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="unlock" />
                    <input type="hidden" name="email" value={u.email} />
                    <span>Locked after failed sign-ins until {u.lockedUntil}</span>
                    <button type="submit" className="secondary">
                      Unlock {u.email}
                    </button>
                  </Form>
                ) : null}
                <details open={resetting === u.id}>
                  <summary>Reset password</summary>
                  <Form method="post" className="row">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="reset" />
                    <input type="hidden" name="userId" value={u.id} />
                    <Field label={`New password for ${u.email}`} name={`reset-${u.id}`} error={resetting === u.id ? errors?.password : undefined}>
                      <input id={`reset-${u.id}`} name="password" type="password" required minLength={10} maxLength={200} autoComplete="new-password" />
                    </Field>
                    <button type="submit" className="secondary">
                      Set password and sign out
                    </button>
                  </Form>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Add a user</h2>
      <Form method="post" className="card">
        <CsrfInput />
        <input type="hidden" name="intent" value="create" />
        <FormError error={creating ? errors?.form : undefined} />
        <div className="grid">
          <Field label="Name" name="name" error={creating ? errors?.name : undefined}>
            <input id="name" name="name" required defaultValue={creating ? result?.values.name : ""} />
          </Field>
          <Field label="Email" name="email" error={creating ? errors?.email : undefined}>
            <input id="email" name="email" type="email" required defaultValue={creating ? result?.values.email : ""} />
          </Field>
          <Field label="Role" name="role" error={creating ? errors?.role : undefined}>
            <select id="role" name="role" defaultValue={creating ? result?.values.role : "editor"}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </Field>
          <Field label="Initial password" name="password" error={creating ? errors?.password : undefined} hint="At least 10 characters; share it privately.">
            <input id="password" name="password" type="password" required minLength={10} autoComplete="new-password" />
          </Field>
        </div>
        <button type="submit">Add user</button>
      </Form>
      <p className="muted">Viewers read everything; editors also write incidents and postmortems; admins also manage users and tokens.</p>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Users · Faultline" }];
