import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { modelLabels, receiveDeliveries, type ParsedDelivery } from "~/domain/alerts.server";
import { createDeliveryQueue } from "~/domain/ingest-queue.server";
import { parseWebhook, type AlertEvent } from "~/webhooks/index";
import { makeTestDb, type TestDb } from "../helpers/db";

const BOT = { id: null, label: "token:test-bot" };
const NOW = Date.UTC(2026, 2, 1, 12, 0);

let t: TestDb;
beforeEach(() => {
  t = makeTestDb();
});
afterEach(() => {
  t.cleanup();
});

/** A generic delivery as the endpoint hands it to the domain: raw body plus its parsed events. */
function parsed(alerts: { name: string; status?: string; fingerprint: string; group?: string }[]): ParsedDelivery {
  const body = JSON.stringify({ alerts: alerts.map((a) => ({ status: "firing", ...a })) });
  const events = parseWebhook("generic", JSON.parse(body), { modelLabel: modelLabels().model });
  return { delivery: { sender: "generic", headers: { "content-type": "application/json" }, body, tokenId: null }, events, actor: BOT, now: NOW };
}

/** A delivery whose events cannot be written (an alert without a rule name breaks a NOT NULL constraint). */
function unwritable(fingerprint: string): ParsedDelivery {
  const d = parsed([{ name: "Unwritable", fingerprint }]);
  return { ...d, events: d.events.map((e) => ({ ...e, ruleName: null }) as unknown as AlertEvent) };
}

const rows = <T>(sql: string) => t.db.$client.prepare(sql).all() as T[];

describe("receiveDeliveries: several deliveries in one commit", () => {
  it("applies each under its own savepoint: one that fails is rolled back alone and kept as failed", () => {
    const results = receiveDeliveries(t.db, [parsed([{ name: "A", fingerprint: "a-1" }]), unwritable("bad-1"), parsed([{ name: "C", fingerprint: "c-1" }])]);
    expect(results[0]).toMatchObject({ duplicate: false, alerts: 1 });
    expect(results[1]).toBeInstanceOf(Error);
    expect((results[1] as Error).message).toMatch(/NOT NULL/);
    expect(results[2]).toMatchObject({ duplicate: false, alerts: 1 });
    expect(rows("select fingerprint from alerts order by fingerprint")).toEqual([{ fingerprint: "a-1" }, { fingerprint: "c-1" }]);
    expect(rows("select outcome, alert_count, error is not null as has_error from alert_deliveries order by id")).toEqual([
      { outcome: "processed", alert_count: 1, has_error: 0 },
      { outcome: "failed", alert_count: 0, has_error: 1 },
      { outcome: "processed", alert_count: 1, has_error: 0 },
    ]);
    // The failed one left nothing else behind: no incident, timeline entry or audit of its own.
    expect(rows("select title from incidents order by id")).toEqual([{ title: "A" }, { title: "C" }]);
    expect(rows("select count(*) as n from timeline_events")).toEqual([{ n: 2 }]);
  });

  it("recognises a retry of a body earlier in the same batch as a duplicate", () => {
    const first = parsed([{ name: "A", fingerprint: "a-1" }]);
    const [one, two] = receiveDeliveries(t.db, [first, { ...first }]);
    expect(one).toMatchObject({ duplicate: false });
    expect(two).toMatchObject({ duplicate: true, alerts: 0 });
    expect(rows("select delivery_count from alerts")).toEqual([{ delivery_count: 1 }]);
  });

  it("applies a fingerprint repeated within one delivery as two notifications of one alert", () => {
    const [result] = receiveDeliveries(t.db, [
      parsed([
        { name: "A", fingerprint: "a-1" },
        { name: "A", fingerprint: "a-1", status: "resolved" },
        { name: "A", fingerprint: "a-2" },
      ]),
    ]);
    expect(result).toMatchObject({ alerts: 3 });
    expect(rows("select fingerprint, status, fire_count, delivery_count from alerts order by fingerprint")).toEqual([
      { fingerprint: "a-1", status: "resolved", fire_count: 1, delivery_count: 2 },
      { fingerprint: "a-2", status: "firing", fire_count: 1, delivery_count: 1 },
    ]);
  });
});

describe("createDeliveryQueue: group commit", () => {
  it("commits the deliveries of one event-loop turn together and settles each only once they are durable", async () => {
    const queue = createDeliveryQueue(t.db);
    const other = new Database(t.file, { readonly: true });
    const committed = () => (other.prepare("select count(*) as n from alert_deliveries").get() as { n: number }).n;
    try {
      const seenAtSettle: number[] = [];
      const settle = (p: Promise<unknown>) => p.then(() => void seenAtSettle.push(committed()), (e: Error) => (seenAtSettle.push(committed()), e));
      const [a, bad, c] = await Promise.all([
        settle(queue.receive(parsed([{ name: "A", fingerprint: "a-1" }]))),
        settle(queue.receive(unwritable("bad-1"))),
        settle(queue.receive(parsed([{ name: "C", fingerprint: "c-1" }]))),
      ]);
      expect(a).toBeUndefined();
      expect(bad).toBeInstanceOf(Error);
      expect(c).toBeUndefined();
      // Another connection already saw all three rows when the first promise settled: one commit, not three.
      expect(seenAtSettle).toEqual([3, 3, 3]);
    } finally {
      other.close();
    }
  });
});
