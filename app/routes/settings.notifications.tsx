import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CHANNEL_KINDS, NOTIFICATION_EVENTS } from "../../db/schema";
import { CsrfInput } from "~/components/csrf";
import { Field, FormError } from "~/components/field";
import { SettingsNav } from "~/components/settings-nav";
import {
  channelInputSchema,
  createChannel,
  listChannels,
  listOutbox,
  outboxCounts,
  retryNotification,
  setChannelEnabled,
} from "~/domain/notifications.server";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from "~/domain/notifications/transports.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { EVENT_LABELS } from "~/utils/labels";
import { requireRole } from "~/web/permissions.server";
import { ActionsHeader } from "~/components/intent-form";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  const db = getDb();
  const status = z.enum(["pending", "sent", "failed"]).optional().catch(undefined).parse(new URL(request.url).searchParams.get("status") ?? undefined);
  let smtp: string | null = null;
  if (process.env.SMTP_URL) {
    try {
      const u = new URL(process.env.SMTP_URL);
      smtp = `${u.protocol}//${u.host}`;
    } catch {
      smtp = "(SMTP_URL is not a valid URL)";
    }
  }
  return {
    smtp,
    from: process.env.SMTP_FROM || "Faultline <faultline@localhost>",
    channels: listChannels(db),
    counts: outboxCounts(db),
    outbox: listOutbox(db, { status, limit: 100 }),
    status: status ?? "",
    headers: { signature: SIGNATURE_HEADER, timestamp: TIMESTAMP_HEADER },
  };
}

const rowId = z.coerce.number().int().positive();

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const form = await readForm(request);
  const values = formObject(form);
  const db = getDb();
  const actor = actorOf(admin);
  if (values.intent === "channel.create") {
    const parsed = channelInputSchema.safeParse({ ...values, events: form.getAll("events") });
    if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
    createChannel(db, parsed.data, actor);
  } else if (values.intent === "channel.enable" || values.intent === "channel.disable") {
    const channelId = rowId.safeParse(values.channelId);
    if (!channelId.success) return json({ errors: { form: "Pick a channel." } as Record<string, string>, values }, { status: 400 });
    setChannelEnabled(db, channelId.data, values.intent === "channel.enable", actor);
  } else if (values.intent === "retry") {
    const notificationId = rowId.safeParse(values.notificationId);
    if (!notificationId.success) return json({ errors: { form: "Pick a notification." } as Record<string, string>, values }, { status: 400 });
    retryNotification(db, notificationId.data, actor);
  } else {
    return json({ errors: { form: "Unknown action." } as Record<string, string>, values }, { status: 400 });
  }
  return redirect("/settings/notifications");
}

export default function Notifications() {
  const { smtp, from, channels, counts, outbox, status, headers } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors as Record<string, string> | undefined;
  const v = result?.values ?? {};
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <h2>Email</h2>
      <p className="card">
        {smtp ? (
          <>
            Sent through <code>{smtp}</code> from <code>{from}</code> to the people concerned (assignees, reviewers, those mentioned, the daily digest).
          </>
        ) : (
          <>
            Off. Set <code>SMTP_URL</code> (for example <code>smtp://user:password@mail.example.com:587</code>) and optionally <code>SMTP_FROM</code> in the app’s environment,
            then restart it.
          </>
        )}
      </p>
      <h2>Chat and webhook channels</h2>
      {channels.length ? (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>URL</th>
              <th>Events</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {channels.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>{c.kind === "slack" ? "Slack-compatible" : "signed JSON webhook"}</td>
                <td>
                  <code>{c.url}</code>
                </td>
                <td>{c.events.map((e) => EVENT_LABELS[e]).join("; ")}</td>
                <td>
                  <Form method="post">
                    <CsrfInput />
                    <input type="hidden" name="channelId" value={c.id} />
                    <button type="submit" name="intent" value={c.enabled ? "channel.disable" : "channel.enable"} className="secondary">
                      {c.enabled ? "Disable" : "Enable"}
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No channels yet.</p>
      )}
      <Form method="post" className="card" aria-label="Add a channel">
        <CsrfInput />
        <input type="hidden" name="intent" value="channel.create" />
        <h3>Add a channel</h3>
        <FormError error={errors?.form} />
        <div className="grid">
          <Field label="Name" name="name" error={errors?.name}>
            <input id="name" name="name" required defaultValue={v.name ?? ""} />
          </Field>
          <Field label="Kind" name="kind" error={errors?.kind}>
            <select id="kind" name="kind" defaultValue={v.kind ?? "slack"}>
              {CHANNEL_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k === "slack" ? "Slack-compatible incoming webhook" : "Signed JSON webhook"}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Webhook URL" name="url" error={errors?.url}>
            <input id="url" name="url" type="url" required defaultValue={v.url ?? ""} />
          </Field>
          <Field label="Signing secret" name="secret" error={errors?.secret} hint="JSON webhooks only, 16+ characters">
            <input id="secret" name="secret" type="password" autoComplete="off" />
          </Field>
        </div>
        <fieldset>
          <legend>Events</legend>
          <FormError error={errors?.events} />
          {NOTIFICATION_EVENTS.map((e) => (
            <label key={e} className="row">
              <input type="checkbox" name="events" value={e} defaultChecked /> {EVENT_LABELS[e]}
            </label>
          ))}
        </fieldset>
        <button type="submit">Add channel</button>
        <p className="hint">
          A JSON webhook receives <code>{"{id, event, subject, text, url}"}</code> with <code>Idempotency-Key</code> (the same as <code>id</code>), <code>{headers.timestamp}</code>{" "}
          (Unix seconds) and <code>{headers.signature}: sha256=</code>hex HMAC-SHA256 of <code>timestamp + "." + body</code> with the secret.
        </p>
      </Form>
      <h2 id="sent">What was sent</h2>
      <p className="row">
        {(["", "pending", "sent", "failed"] as const).map((s) =>
          s === status ? (
            <b key={s}>{s ? `${s} (${counts[s]})` : "all"}</b>
          ) : (
            <Link key={s} to={s ? `?status=${s}#sent` : "?#sent"}>
              {s ? `${s} (${counts[s]})` : "all"}
            </Link>
          ),
        )}
      </p>
      {outbox.length ? (
        <table>
          <thead>
            <tr>
              <th>Queued</th>
              <th>Event</th>
              <th>To</th>
              <th>Subject</th>
              <th>Status</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {outbox.map((n) => (
              <tr key={n.id}>
                <td>{formatUtc(n.createdAt)}</td>
                <td>{n.event.replaceAll("_", " ")}</td>
                <td>{n.transport === "email" ? n.recipient : `${n.channel ?? "removed channel"} (${n.transport})`}</td>
                <td>{n.subject}</td>
                <td>
                  {n.status === "sent" ? `sent ${formatUtc(n.sentAt)}` : n.status === "pending" ? `pending${n.attempts ? `, retry ${formatUtc(n.nextAttemptAt)}` : ""}` : "failed"}
                  {n.attempts ? ` · ${n.attempts} attempt${n.attempts === 1 ? "" : "s"}` : ""}
                  {n.lastError ? <div className="error">{n.lastError}</div> : null}
                </td>
                <td>
                  {n.status === "failed" ? (
                    <Form method="post">
                      <CsrfInput />
                      <input type="hidden" name="notificationId" value={n.id} />
                      <button type="submit" name="intent" value="retry" className="secondary">
                        Retry
                      </button>
                    </Form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Nothing {status || "queued"} yet.</p>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Notifications · Faultline" }];
