import crypto from "node:crypto";
import { and, asc, eq, inArray, isNull, lt, lte, or } from "drizzle-orm";
import { notificationChannels, notificationOutbox } from "../../../db/schema";
import type { Db } from "../../utils/db.server";
import { logger } from "../../utils/logger.server";
import { enqueueActionDigests } from "./digest.server";
import { PermanentError, TRANSPORTS, type Outgoing, type Transport } from "./transports.server";

export type SenderOptions = {
  /** How often the loop looks for due rows (NOTIFY_INTERVAL_MS, default 2 s). */
  intervalMs?: number;
  /** How long a claimed row is ours; a row whose lease ran out (its sender died) is claimed again. */
  leaseMs?: number;
  /** First retry after this, doubling per attempt up to `maxBackoffMs` (NOTIFY_RETRY_MS, default 30 s; cap 1 h). */
  retryMs?: number;
  maxBackoffMs?: number;
  /** After this many failed attempts a row is marked failed for an admin to look at (default 8). */
  maxAttempts?: number;
  batch?: number;
  /** Sent and failed rows older than this many days are deleted once a day (NOTIFY_KEEP_DAYS, default 30). */
  keepDays?: number;
  transports?: Record<string, Transport>;
  now?: () => number;
};

export function senderOptionsFromEnv(): SenderOptions {
  const num = (value: string | undefined) => (value ? Number(value) : undefined);
  return {
    intervalMs: num(process.env.NOTIFY_INTERVAL_MS),
    retryMs: num(process.env.NOTIFY_RETRY_MS),
    leaseMs: num(process.env.NOTIFY_LEASE_MS),
    keepDays: num(process.env.NOTIFY_KEEP_DAYS),
  };
}

/** The base URL put in front of links in messages (PUBLIC_URL, else the address the app listens on). */
export function publicUrl(): string {
  const configured = process.env.PUBLIC_URL?.replace(/\/+$/, "");
  return configured || `http://${process.env.HOST ?? "127.0.0.1"}:${process.env.PORT ?? 3000}`;
}

/**
 * Deletes sent and failed rows created before `before`; pending ones stay however old. Returns how many went. A
 * dedupe key is only ever enqueued for an event as it happens (digests: for today), so a pruned key never returns.
 */
export function pruneOutbox(db: Db, before: number): number {
  return db
    .delete(notificationOutbox)
    .where(and(inArray(notificationOutbox.status, ["sent", "failed"]), lt(notificationOutbox.createdAt, before)))
    .run().changes;
}

/**
 * Claims up to `batch` due rows for `owner` in one UPDATE … RETURNING: a row is due when pending, its retry time
 * has come and nobody holds a live lease on it. Two senders never both get a row, whichever process they run in.
 */
export function claimDue(db: Db, owner: string, opts: { now: number; leaseMs: number; batch: number }) {
  const due = db
    .select({ id: notificationOutbox.id })
    .from(notificationOutbox)
    .where(
      and(
        eq(notificationOutbox.status, "pending"),
        lte(notificationOutbox.nextAttemptAt, opts.now),
        or(isNull(notificationOutbox.leaseUntil), lt(notificationOutbox.leaseUntil, opts.now)),
      ),
    )
    .orderBy(asc(notificationOutbox.nextAttemptAt), asc(notificationOutbox.id))
    .limit(opts.batch);
  return db
    .update(notificationOutbox)
    .set({ leaseOwner: owner, leaseUntil: opts.now + opts.leaseMs })
    .where(
      and(
        inArray(notificationOutbox.id, due),
        eq(notificationOutbox.status, "pending"),
        or(isNull(notificationOutbox.leaseUntil), lt(notificationOutbox.leaseUntil, opts.now)),
      ),
    )
    .returning()
    .all();
}

export type Sender = {
  /** One pass: returns how many rows it claimed. */
  tick: () => Promise<number>;
  start: () => void;
  /** Stops claiming, lets in-flight deliveries finish and record their outcome, then resolves. */
  stop: () => Promise<void>;
};

/**
 * The outbox sender. Each tick: enqueue today's digests (idempotent by key), claim due rows, deliver each and
 * record the outcome at once. Delivery is at least once per row: a row is marked sent right after its transport
 * accepts it, so only a crash in between (milliseconds) repeats it, and then with the same dedupe key.
 */
export function createSender(db: Db, options: SenderOptions = {}): Sender {
  const o = {
    intervalMs: 2000,
    leaseMs: 60_000,
    retryMs: 30_000,
    maxBackoffMs: 3_600_000,
    maxAttempts: 8,
    batch: 20,
    keepDays: 30,
    transports: TRANSPORTS as Record<string, Transport>,
    now: Date.now,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as Required<SenderOptions>;
  const owner = `${process.pid}-${crypto.randomUUID()}`;
  const base = publicUrl();

  async function deliver(row: typeof notificationOutbox.$inferSelect): Promise<void> {
    const attempts = row.attempts + 1;
    const channel = row.channelId === null ? null : (db.select().from(notificationChannels).where(eq(notificationChannels.id, row.channelId)).get() ?? null);
    const mine = and(eq(notificationOutbox.id, row.id), eq(notificationOutbox.leaseOwner, owner));
    try {
      if (row.transport !== "email" && (!channel || !channel.enabled)) throw new PermanentError("The channel was removed or disabled.");
      const message: Outgoing = {
        dedupeKey: row.dedupeKey,
        event: row.event,
        subject: row.subject,
        body: row.body,
        url: `${base}${row.link}`,
        recipient: row.recipient,
        channel: channel && { kind: channel.kind, url: channel.url, secret: channel.secret },
      };
      await o.transports[row.transport](message);
      db.update(notificationOutbox)
        .set({ status: "sent", attempts, sentAt: o.now(), lastError: null, leaseOwner: null, leaseUntil: null })
        .where(mine)
        .run();
    } catch (e) {
      const error = (e as Error).message.slice(0, 500);
      const final = e instanceof PermanentError || attempts >= o.maxAttempts;
      const backoff = Math.min(o.retryMs * 2 ** (attempts - 1), o.maxBackoffMs);
      db.update(notificationOutbox)
        .set({ status: final ? "failed" : "pending", attempts, lastError: error, nextAttemptAt: o.now() + backoff, leaseOwner: null, leaseUntil: null })
        .where(mine)
        .run();
      logger.warn({ notification: row.id, transport: row.transport, attempts, final }, `notification not delivered: ${error}`);
    }
  }

  let running: Promise<number> | null = null;
  let stopped = false;
  let lastDigestDay = "";

  async function tick(): Promise<number> {
    const now = o.now();
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== lastDigestDay) {
      enqueueActionDigests(db, now);
      pruneOutbox(db, now - o.keepDays * 86_400_000);
      lastDigestDay = day;
    }
    const rows = claimDue(db, owner, { now, leaseMs: o.leaseMs, batch: o.batch });
    await Promise.all(rows.map(deliver));
    return rows.length;
  }

  const loop = async () => {
    while (!stopped) {
      running = tick().catch((e) => {
        logger.error({ err: e }, "notification sender tick failed");
        return 0;
      });
      const sent = await running;
      running = null;
      // A full batch means more may be waiting: go again at once.
      if (sent < o.batch) await new Promise((r) => setTimeout(r, o.intervalMs).unref());
    }
  };

  return {
    tick,
    start: () => void loop(),
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/** Starts the sender loop for this process (the server script calls it once). */
export function startNotificationSender(db: Db, options: SenderOptions = senderOptionsFromEnv()): Sender {
  const sender = createSender(db, options);
  sender.start();
  return sender;
}
