import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../db/client";
import type { Actor } from "~/domain/audit.server";
import { createChannel, enqueueNotice, eventKey } from "~/domain/notifications.server";
import { claimDue, createSender, pruneOutbox } from "~/domain/notifications/sender.server";
import { PermanentError, type Outgoing } from "~/domain/notifications/transports.server";
import { makeTestDb, type TestDb } from "../helpers/db";

const ADMIN: Actor = { id: null, label: "admin" };
let t: TestDb;

function enqueue(db: Db, n: number) {
  db.transaction((tx) => {
    for (let i = 0; i < n; i++) {
      enqueueNotice(tx, { event: "assigned", key: eventKey("assigned", i), subject: `notice ${i}`, body: "", link: "/my-work", to: [] }, ADMIN);
    }
  });
}
const rows = (db: Db) => db.$client.prepare("select * from notification_outbox order by id").all() as { id: number; status: string; attempts: number; next_attempt_at: number; last_error: string | null; lease_owner: string | null; dedupe_key: string }[];

beforeEach(() => {
  t = makeTestDb();
  createChannel(t.db, { name: "chat", kind: "slack", url: "https://chat.example.com/hook", secret: "", events: ["assigned"] }, ADMIN);
});
afterEach(() => t.cleanup());

describe("the outbox sender", () => {
  it("two senders on two connections never deliver the same row", async () => {
    enqueue(t.db, 60);
    const other = openDatabase(t.file);
    const delivered: string[] = [];
    // A slow transport, so both senders are mid-batch at the same time.
    const slack = async (m: Outgoing) => {
      await new Promise((r) => setTimeout(r, 5));
      delivered.push(m.dedupeKey);
    };
    const a = createSender(t.db, { transports: { slack }, batch: 7 });
    const b = createSender(other, { transports: { slack }, batch: 7 });
    for (let round = 0; round < 20 && rows(t.db).some((r) => r.status === "pending"); round++) await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    other.$client.close();
    expect(delivered).toHaveLength(60);
    expect(new Set(delivered).size).toBe(60);
    expect(rows(t.db).every((r) => r.status === "sent" && r.attempts === 1 && r.lease_owner === null)).toBe(true);
  });

  it("prunes sent and failed rows past the keep period once a day, never pending ones", async () => {
    enqueue(t.db, 4);
    const day = 86_400_000;
    const now = Date.now();
    const set = (id: number, status: string, ageDays: number) =>
      t.db.$client.prepare("update notification_outbox set status = ?, created_at = ? where id = ?").run(status, now - ageDays * day, id);
    const [a, b, c, d] = rows(t.db).map((r) => r.id);
    set(a, "sent", 31);
    set(b, "failed", 31);
    set(c, "pending", 400);
    set(d, "sent", 29);
    const sender = createSender(t.db, { transports: { slack: async () => {} }, keepDays: 30, now: () => now });
    await sender.tick();
    expect(rows(t.db).map((r) => [r.id, r.status])).toEqual([
      [c, "sent"], // old but still pending at the prune: kept, and delivered by the same tick
      [d, "sent"],
    ]);
    // Sent now, it is past the keep period: the next prune takes it and leaves the recent one.
    expect(pruneOutbox(t.db, now - 30 * day)).toBe(1);
    expect(rows(t.db).map((r) => r.id)).toEqual([d]);
  });

  it("leaves a row leased by a sender that died alone until its lease runs out, then sends it", async () => {
    enqueue(t.db, 1);
    let now = Date.now() + 1000;
    expect(claimDue(t.db, "dead-process", { now, leaseMs: 60_000, batch: 10 })).toHaveLength(1);
    const sent: string[] = [];
    const sender = createSender(t.db, { transports: { slack: async (m) => void sent.push(m.dedupeKey) }, now: () => now });
    expect(await sender.tick()).toBe(0);
    now += 60_001;
    expect(await sender.tick()).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it("retries with doubling backoff up to a cap, and gives up after the last attempt", async () => {
    enqueue(t.db, 1);
    let now = Date.now() + 1000;
    let calls = 0;
    const failing = createSender(t.db, {
      transports: {
        slack: async () => {
          calls++;
          throw new Error("The webhook answered 503");
        },
      },
      now: () => now,
      retryMs: 1000,
      maxBackoffMs: 4000,
      maxAttempts: 5,
    });
    const gaps: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect(await failing.tick()).toBe(1);
      const r = rows(t.db)[0];
      gaps.push(r.next_attempt_at - now);
      expect(await failing.tick()).toBe(0); // not due yet
      now = r.next_attempt_at;
    }
    expect(gaps).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(rows(t.db)[0]).toMatchObject({ status: "failed", attempts: 5, last_error: "The webhook answered 503" });
    expect(calls).toBe(5);
  });

  it("a permanent refusal fails at once; a disabled channel gets nothing more", async () => {
    enqueue(t.db, 2);
    const sender = createSender(t.db, {
      transports: {
        slack: async (m) => {
          if (m.subject === "notice 0") throw new PermanentError("The webhook answered 404 Not Found");
        },
      },
    });
    await sender.tick();
    expect(rows(t.db).map((r) => [r.status, r.attempts])).toEqual([
      ["failed", 1],
      ["sent", 1],
    ]);
    enqueue(t.db, 1);
    t.db.$client.prepare("update notification_channels set enabled = 0").run();
    await sender.tick();
    expect(rows(t.db)[2]).toMatchObject({ status: "failed", last_error: "The channel was removed or disabled." });
    enqueue(t.db, 1);
    expect(rows(t.db)).toHaveLength(3); // a disabled channel gets no new rows
  });
});
