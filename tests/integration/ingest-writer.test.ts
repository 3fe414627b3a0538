import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRow, makeTestDb, type TestDb } from "../helpers/db";
import { WriterStopped, startIngestWriter } from "../../scripts/server/ingest-writer";

const BOT = { id: null, label: "token:test-bot" };

let t: TestDb;
let writer: ReturnType<typeof startIngestWriter>;
beforeEach(() => {
  t = makeTestDb();
  writer = startIngestWriter(t.file);
});
afterEach(async () => {
  await writer.stop();
  t.cleanup();
});

function delivery(body: string, headers: Record<string, string> = { "content-type": "application/json" }) {
  return { delivery: { sender: "generic" as const, headers, body, tokenId: null }, actor: BOT, now: Date.now() };
}
const alerts = (...fingerprints: string[]) => JSON.stringify({ alerts: fingerprints.map((f) => ({ name: "FeatureFreshnessLag", status: "firing", fingerprint: f })) });
const count = (query: string) => (readRow(t.file, query) as { n: number }).n;

describe("the webhook writer thread", () => {
  it("answers once the delivery is committed, and a redelivery of the same body changes nothing", async () => {
    const first = await writer.receive(delivery(alerts("a-1", "a-2")));
    expect(first).toEqual({ result: expect.objectContaining({ duplicate: false, alerts: 2 }) });
    // Read on a connection of its own, the moment the answer is in.
    expect(count("select count(*) as n from alerts")).toBe(2);
    expect(count("select count(*) as n from incidents where status = 'draft'")).toBe(1);

    const again = await writer.receive(delivery(alerts("a-1", "a-2")));
    expect(again).toEqual({ result: expect.objectContaining({ duplicate: true, alerts: 0 }) });
    expect(count("select sum(delivery_count) as n from alerts")).toBe(2);
  });

  it("refuses a body it cannot read with the reason, and keeps it as rejected", async () => {
    expect(await writer.receive(delivery("{not json"))).toEqual({ invalid: "Body is not valid JSON." });
    expect(await writer.receive(delivery(JSON.stringify({ alerts: "none" })))).toEqual({ invalid: expect.stringMatching(/alerts/) });
    expect(count("select count(*) as n from alert_deliveries where outcome = 'rejected'")).toBe(2);
    expect(count("select count(*) as n from alerts")).toBe(0);
  });

  it("on stop, answers every delivery it holds before its connection closes, and a later delivery starts it again", async () => {
    const pending = Array.from({ length: 30 }, (_, i) => writer.receive(delivery(alerts(`s-${i}`))));
    await writer.stop();
    const outcomes = await Promise.all(pending);
    expect(outcomes.every((o) => "result" in o && !o.result.duplicate)).toBe(true);
    expect(count("select count(*) as n from alert_deliveries where outcome = 'processed'")).toBe(30);

    expect(await writer.receive(delivery(alerts("after-stop")))).toEqual({ result: expect.objectContaining({ alerts: 1 }) });
  });

  it("refuses what a dying thread held as WriterStopped, and the next delivery starts a new thread", async () => {
    // Headers JSON cannot write (a BigInt) throw while a refused body is kept, outside any handler: the thread dies.
    await expect(writer.receive(delivery("{not json", { size: 1n } as never))).rejects.toBeInstanceOf(WriterStopped);
    expect(await writer.receive(delivery(alerts("b-1")))).toEqual({ result: expect.objectContaining({ duplicate: false, alerts: 1 }) });
    expect(count("select count(*) as n from alerts")).toBe(1);
  });
});

describe("the server's connection beside the writer thread", () => {
  it("takes the write lock when a transaction begins, so a read-then-write waits its turn instead of failing", async () => {
    await writer.receive(delivery(alerts("warm-up")));
    const other = new Database(t.file, { readonly: true });
    const alertsNow = () => (other.prepare("select count(*) as n from alerts").get() as { n: number }).n;
    const during = writer.receive(delivery(alerts("during")));
    t.db.transaction((tx) => {
      tx.get(sql`select count(*) from alerts`);
      // Were the lock taken only at the first write, the writer's commit could land here, and the write below would
      // fail with SQLITE_BUSY (a snapshot older than the database cannot write). Give it half a second to try.
      const until = performance.now() + 500;
      while (performance.now() < until && alertsNow() < 2);
      tx.run(sql`insert into settings (key, value) values ('probe', 'written')`);
    });
    other.close();
    expect(await during).toEqual({ result: expect.objectContaining({ duplicate: false, alerts: 1 }) });
    expect(readRow(t.file, "select value from settings where key = 'probe'")).toEqual({ value: "written" });
  });
});
