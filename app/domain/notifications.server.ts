import crypto from "node:crypto";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { CHANNEL_KINDS, NOTIFICATION_EVENTS, notificationChannels, notificationOutbox, users } from "../../db/schema";
import type { Conn, Db } from "../utils/db.server";
import { recordAudit, type Actor } from "./audit.server";

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];


/** Email goes out when SMTP_URL names a server (nodemailer connection URL, e.g. smtp://user:pass@host:587). */
export function emailConfigured(): boolean {
  return !!process.env.SMTP_URL;
}

export type Notice = {
  event: NotificationEvent;
  /** Unique per event occurrence: a second enqueue with the same key adds nothing. */
  key: string;
  subject: string;
  body: string;
  /** A path in the app (e.g. /incidents/12); senders prefix PUBLIC_URL. */
  link: string;
  /** People to email (users ids); the actor never emails themselves. */
  to: (number | null | undefined)[];
};

/** The notice for a draft an alert opened: to channels only (nobody owns a draft yet). */
export function draftOpenedNotice(incidentId: number, title: string, description: string): Notice {
  return {
    event: "draft_opened",
    key: eventKey("draft_opened", incidentId),
    subject: `Alert opened draft #${incidentId}: ${title}`,
    body: `${description || title}\n\nClaim it, dismiss it as noise or merge it into another incident.`,
    link: `/incidents/${incidentId}`,
    to: [],
  };
}

/** A fresh key for events that have no natural one (each assignment, request, mention is its own). */
export function eventKey(event: NotificationEvent, ...parts: (string | number)[]): string {
  return [event, ...parts, crypto.randomUUID()].join(":");
}

/**
 * Writes a notice to the outbox inside the caller's transaction: one row per person to email (when SMTP is set)
 * and one per enabled channel that takes this event. Nothing is sent here; the sender loop delivers it.
 */
export function enqueueNotice(tx: Conn, notice: Notice, actor: Actor): number {
  const rows: (typeof notificationOutbox.$inferInsert)[] = [];
  const base = { event: notice.event, subject: notice.subject.slice(0, 300), body: notice.body.slice(0, 5000), link: notice.link };
  const ids = [...new Set(notice.to.filter((id): id is number => typeof id === "number" && id !== actor.id))];
  if (emailConfigured() && ids.length) {
    const people = tx
      .select({ email: users.email })
      .from(users)
      .where(and(inArray(users.id, ids), eq(users.disabled, false)))
      .all();
    for (const p of people) rows.push({ ...base, dedupeKey: `${notice.key}:email:${p.email}`, transport: "email", recipient: p.email });
  }
  for (const c of channelsFor(tx, notice.event)) {
    rows.push({ ...base, dedupeKey: `${notice.key}:channel:${c.id}`, transport: c.kind, channelId: c.id });
  }
  if (!rows.length) return 0;
  return tx.insert(notificationOutbox).values(rows).onConflictDoNothing().returning({ id: notificationOutbox.id }).all().length;
}

/** Enabled channels that take `event` (a handful of rows, so filtered here rather than in SQL). */
function channelsFor(tx: Conn, event: NotificationEvent) {
  return tx
    .select({ id: notificationChannels.id, kind: notificationChannels.kind, events: notificationChannels.events })
    .from(notificationChannels)
    .where(eq(notificationChannels.enabled, true))
    .all()
    .filter((c) => (JSON.parse(c.events) as string[]).includes(event));
}

export const channelInputSchema = z
  .object({
    name: z.string().trim().min(1, "Name the channel.").max(100),
    kind: z.enum(CHANNEL_KINDS, { message: "Pick Slack-compatible or signed JSON webhook." }),
    url: z
      .string()
      .trim()
      .url("Enter the webhook URL (https://…).")
      .refine((u) => /^https?:\/\//.test(u), "Use an http(s) URL."),
    secret: z.string().trim().max(200).default(""),
    events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1, "Pick at least one event."),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "webhook" && v.secret.length < 16) {
      ctx.addIssue({ code: "custom", path: ["secret"], message: "A signed webhook needs a secret of 16+ characters." });
    }
  });
export type ChannelInput = z.infer<typeof channelInputSchema>;

export function createChannel(db: Db, input: ChannelInput, actor: Actor): number {
  return db.transaction((tx) => {
    const row = tx
      .insert(notificationChannels)
      .values({ name: input.name, kind: input.kind, url: input.url, secret: input.secret || null, events: JSON.stringify(input.events) })
      .returning({ id: notificationChannels.id })
      .get();
    recordAudit(tx, actor, "create", "channel", row.id, { name: input.name, kind: input.kind, events: input.events });
    return row.id;
  });
}

export function setChannelEnabled(db: Db, id: number, enabled: boolean, actor: Actor): void {
  db.transaction((tx) => {
    const row = tx.update(notificationChannels).set({ enabled }).where(eq(notificationChannels.id, id)).returning({ id: notificationChannels.id }).get();
    if (!row) throw new Response("Channel not found", { status: 404 });
    recordAudit(tx, actor, enabled ? "enable" : "disable", "channel", id);
  });
}

export function listChannels(db: Db) {
  return db
    .select({ id: notificationChannels.id, name: notificationChannels.name, kind: notificationChannels.kind, url: notificationChannels.url, events: notificationChannels.events, enabled: notificationChannels.enabled })
    .from(notificationChannels)
    .orderBy(notificationChannels.id)
    .all()
    .map((c) => ({ ...c, events: JSON.parse(c.events) as NotificationEvent[], url: redactUrl(c.url) }));
}

/** Incoming-webhook URLs carry their secret in the path: show the host and the start only. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname.slice(0, 12)}${u.pathname.length > 12 ? "…" : ""}`;
  } catch {
    return "(invalid URL)";
  }
}

export function listOutbox(db: Db, opts: { status?: "pending" | "sent" | "failed"; limit?: number } = {}) {
  return db
    .select({
      id: notificationOutbox.id,
      event: notificationOutbox.event,
      transport: notificationOutbox.transport,
      recipient: notificationOutbox.recipient,
      channel: notificationChannels.name,
      subject: notificationOutbox.subject,
      status: notificationOutbox.status,
      attempts: notificationOutbox.attempts,
      lastError: notificationOutbox.lastError,
      createdAt: notificationOutbox.createdAt,
      sentAt: notificationOutbox.sentAt,
      nextAttemptAt: notificationOutbox.nextAttemptAt,
    })
    .from(notificationOutbox)
    .leftJoin(notificationChannels, eq(notificationChannels.id, notificationOutbox.channelId))
    .where(opts.status ? eq(notificationOutbox.status, opts.status) : undefined)
    .orderBy(desc(notificationOutbox.id))
    .limit(opts.limit ?? 100)
    .all();
}

export function outboxCounts(db: Db): Record<"pending" | "sent" | "failed", number> {
  const out = { pending: 0, sent: 0, failed: 0 };
  for (const r of db.select({ status: notificationOutbox.status, n: sql<number>`count(*)` }).from(notificationOutbox).groupBy(notificationOutbox.status).all()) {
    out[r.status] = r.n;
  }
  return out;
}

/** Puts a failed notification back in the queue (an admin fixed the channel). */
export function retryNotification(db: Db, id: number, actor: Actor): void {
  db.transaction((tx) => {
    const row = tx
      .update(notificationOutbox)
      .set({ status: "pending", attempts: 0, nextAttemptAt: Date.now(), lastError: null })
      .where(and(eq(notificationOutbox.id, id), eq(notificationOutbox.status, "failed")))
      .returning({ id: notificationOutbox.id })
      .get();
    if (!row) throw new Response("No failed notification with that id", { status: 404 });
    recordAudit(tx, actor, "retry", "notification", id);
  });
}
