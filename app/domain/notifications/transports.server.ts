import crypto from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";

/** What a transport needs of one outbox row. */
export type Outgoing = {
  dedupeKey: string;
  event: string;
  subject: string;
  body: string;
  /** Absolute URL of the page the notice is about. */
  url: string;
  recipient: string | null;
  channel: { kind: "slack" | "webhook"; url: string; secret: string | null } | null;
};

/** A failure worth no retry (the receiver refused the message itself, not its moment). */
export class PermanentError extends Error {}

export type Transport = (m: Outgoing) => Promise<void>;

export const SIGNATURE_HEADER = "X-Faultline-Signature";
export const TIMESTAMP_HEADER = "X-Faultline-Timestamp";

/** HMAC-SHA256 over `<timestamp>.<raw body>` with the channel secret, hex: what SIGNATURE_HEADER carries as `sha256=…`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

let mailer: Transporter | undefined;
let mailerUrl: string | undefined;

function smtp(): Transporter {
  const url = process.env.SMTP_URL;
  if (!url) throw new PermanentError("Email is not configured (set SMTP_URL).");
  if (!mailer || mailerUrl !== url) {
    mailer = nodemailer.createTransport(url);
    mailerUrl = url;
  }
  return mailer;
}

async function sendEmail(m: Outgoing): Promise<void> {
  if (!m.recipient) throw new PermanentError("No recipient.");
  // The Message-ID is derived from the dedupe key, so a repeat after a crash is recognisably the same message.
  const id = crypto.createHash("sha256").update(m.dedupeKey).digest("hex").slice(0, 32);
  await smtp().sendMail({
    from: process.env.SMTP_FROM || "Faultline <faultline@localhost>",
    to: m.recipient,
    subject: m.subject,
    text: `${m.body}\n\n${m.url}\n`,
    messageId: `<${id}@faultline>`,
    headers: { "X-Faultline-Dedupe-Key": m.dedupeKey },
  });
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body, redirect: "error", signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new Error(`Could not reach the webhook: ${(e as Error).message}`);
  }
  await res.body?.cancel();
  if (res.ok) return;
  const message = `The webhook answered ${res.status} ${res.statusText}`.trim();
  // 408 and 429 mean "later"; other 4xx mean the message or URL is wrong, which retrying will not fix.
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentError(message);
  throw new Error(message);
}

/** Slack's incoming-webhook JSON (`text` with mrkdwn links), which Mattermost, Rocket.Chat and others accept too. */
async function sendSlack(m: Outgoing): Promise<void> {
  const text = `*${m.subject}*\n${m.body}\n<${m.url}|Open in Faultline>`;
  await post(m.channel!.url, JSON.stringify({ text }), { "Idempotency-Key": m.dedupeKey });
}

/** A generic JSON webhook, signed so the receiver can check it came from this Faultline and is fresh. */
async function sendWebhook(m: Outgoing): Promise<void> {
  const body = JSON.stringify({ id: m.dedupeKey, event: m.event, subject: m.subject, text: m.body, url: m.url });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = { "Idempotency-Key": m.dedupeKey, [TIMESTAMP_HEADER]: timestamp };
  if (m.channel!.secret) headers[SIGNATURE_HEADER] = `sha256=${signWebhook(m.channel!.secret, timestamp, body)}`;
  await post(m.channel!.url, body, headers);
}

export const TRANSPORTS: Record<"email" | "slack" | "webhook", Transport> = { email: sendEmail, slack: sendSlack, webhook: sendWebhook };
