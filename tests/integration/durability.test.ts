import fs from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, createToken, setupAdmin, signIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let token: string;

type Ack = { delivery: number; fingerprints: string[] };
/** Every delivery the app answered 200, over all rounds: each must survive every later crash. */
const acked: Ack[] = [];

/** Small deterministic PRNG, so each round kills at the same moment and sends the same batches every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function query<T>(sql: string): T[] {
  const db = new Database(server.dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/**
 * 8 senders post unique generic alerts (1-3 per delivery, one group per delivery) as fast as the app answers,
 * recording each 200, until the app dies of `signal` (or 10 s / 2,000 requests per sender pass). Answers other
 * than 200 after the signal are counted apart from requests that got no answer.
 */
async function streamUntilKilled(
  seed: number,
  killAfterMs: number,
  signal: "SIGKILL" | "SIGTERM" = "SIGKILL",
): Promise<{ acked: number; failed: number; answeredOtherwise: number; killedWith: string | null; exitCode: number | null }> {
  const url = server.url;
  let dead = false;
  let ackedNow = 0;
  let failed = 0;
  let answeredOtherwise = 0;
  const deadline = Date.now() + 10_000;
  const exited = new Promise<[number | null, string | null]>((resolve) => server.process.once("exit", (code, sig) => resolve([code, sig])));
  const killer = setTimeout(() => {
    dead = true;
    server.process.kill(signal);
  }, killAfterMs);
  const senders = Array.from({ length: 8 }, async (_, s) => {
    const rand = mulberry32(seed * 100 + s);
    for (let n = 0; !dead && n < 2_000 && Date.now() < deadline; n++) {
      const fingerprints = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, k) => `dur-${seed}-${s}-${n}-${k}`);
      const group = `dur-${seed}-${s}-${Math.floor(rand() * 4)}`;
      const body = JSON.stringify({
        alerts: fingerprints.map((fingerprint) => ({
          name: "DurabilityProbe",
          status: "firing",
          fingerprint,
          group,
          labels: { model: "durability-model", model_version: `v${seed}`, sender: String(s) },
          annotations: { summary: `Probe ${fingerprint}`, description: "x".repeat(Math.floor(rand() * 2_000)) },
        })),
      });
      try {
        const res = await fetch(`${url}/api/webhooks/generic`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
          body,
        });
        const text = await res.text();
        // Only a complete 200 counts as acknowledged; a response cut off by the kill throws above.
        if (res.status !== 200) {
          if (dead) answeredOtherwise += 1;
          throw new Error(`unexpected ${res.status}: ${text}`);
        }
        const answer = JSON.parse(text) as { delivery: number; duplicate: boolean; alerts: number };
        expect(answer).toMatchObject({ duplicate: false, alerts: fingerprints.length });
        acked.push({ delivery: answer.delivery, fingerprints });
        ackedNow += 1;
      } catch (e) {
        if (!dead) throw e;
        failed += 1;
        return;
      }
    }
  });
  await Promise.all(senders);
  clearTimeout(killer);
  if (!dead) throw new Error("the stream ended before the kill");
  const [exitCode, killedWith] = await exited;
  return { acked: ackedNow, failed, answeredOtherwise, killedWith, exitCode };
}

function checkDatabase() {
  expect(query("pragma integrity_check")).toEqual([{ integrity_check: "ok" }]);
  expect(query("pragma foreign_key_check")).toEqual([]);

  const deliveries = new Map(
    query<{ id: number; outcome: string; alert_count: number }>("select id, outcome, alert_count from alert_deliveries").map((d) => [d.id, d]),
  );
  const alerts = new Map(
    query<{ fingerprint: string; incident_id: number | null; delivery_count: number }>(
      "select fingerprint, incident_id, delivery_count from alerts where sender = 'generic'",
    ).map((a) => [a.fingerprint, a]),
  );
  const lost = acked.filter((a) => {
    const d = deliveries.get(a.delivery);
    return !d || d.outcome !== "processed" || d.alert_count !== a.fingerprints.length || a.fingerprints.some((f) => !alerts.get(f)?.incident_id);
  });
  expect(lost, `${lost.length} of ${acked.length} acknowledged deliveries lost or incomplete`).toEqual([]);

  // Nothing half-written: the alerts are exactly those named by processed deliveries, each applied once, and
  // each delivery left one timeline entry on its group's incident (one rule, one state per delivery).
  const named = query<{ fingerprint: string }>(
    `select json_extract(a.value, '$.fingerprint') as fingerprint
     from alert_deliveries d, json_each(d.body, '$.alerts') a where d.sender = 'generic' and d.outcome = 'processed'`,
  ).map((r) => r.fingerprint);
  expect(new Set(named).size).toBe(named.length);
  expect([...alerts.keys()].sort()).toEqual([...named].sort());
  expect([...alerts.values()].every((a) => a.delivery_count === 1)).toBe(true);
  expect(query("select count(*) as n from alert_deliveries where outcome not in ('processed', 'duplicate')")).toEqual([{ n: 0 }]);
  const processed = [...deliveries.values()].filter((d) => d.outcome === "processed").length;
  expect(query("select count(*) as n from timeline_events where kind = 'alert'")).toEqual([{ n: processed }]);
  expect(query("select count(*) as n from incidents i where source = 'webhook' and not exists (select 1 from alerts a where a.incident_id = i.id)")).toEqual([
    { n: 0 },
  ]);
}

beforeAll(async () => {
  server = await startServer();
  const admin = await setupAdmin(server.url);
  token = await createToken(admin, "webhook", "durability");
});

afterAll(async () => {
  await server?.dispose();
});

describe("SIGKILL during a stream of webhook deliveries", () => {
  // Kill moments spread over 0.9-2.1 s of streaming, fixed by the seed.
  const rounds = [23, 11, 2024].map((seed) => ({ seed, killAfterMs: 900 + Math.floor(mulberry32(seed)() * 1_200) }));

  it.each(rounds)("keeps every acknowledged delivery (seed $seed, kill after $killAfterMs ms)", async ({ seed, killAfterMs }) => {
    const before = acked.length;
    const round = await streamUntilKilled(seed, killAfterMs);
    expect(round.killedWith).toBe("SIGKILL");
    expect(round.acked).toBeGreaterThan(5);

    server = await startServer({ dir: server.dir });
    checkDatabase();
    expect(acked.length - before).toBe(round.acked);

    // And the restarted app works: pages render, sign-in holds, new deliveries are taken.
    const client = await signIn(server.url, ADMIN.email, ADMIN.password);
    const list = await client.html("/incidents");
    expect(list.res.status).toBe(200);
    expect(list.body).toContain("Probe dur-");
    const res = await fetch(`${server.url}/api/webhooks/generic`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ alerts: [{ name: "DurabilityProbe", status: "firing", fingerprint: `after-${seed}`, group: `after-${seed}` }] }),
    });
    expect(res.status).toBe(200);
    acked.push({ delivery: ((await res.json()) as { delivery: number }).delivery, fingerprints: [`after-${seed}`] });
  });

  it("still holds every acknowledged delivery after all the crashes", () => {
    expect(acked.length).toBeGreaterThan(rounds.length * 6);
    checkDatabase();
  });
});

describe("SIGTERM during a stream of webhook deliveries", () => {
  it("answers the deliveries in flight, loses none it acknowledged, checkpoints the WAL and exits 0", async () => {
    const before = acked.length;
    let printed = "";
    server.process.stdout!.on("data", (c: Buffer) => (printed += c.toString()));
    const round = await streamUntilKilled(77, 1_200, "SIGTERM");
    expect(round).toMatchObject({ exitCode: 0, killedWith: null, answeredOtherwise: 0 });
    expect(round.acked).toBeGreaterThan(5);
    expect(acked.length - before).toBe(round.acked);
    // The WAL was checkpointed into the database and removed on close: the database file alone holds every delivery.
    expect(fs.existsSync(`${server.dbFile}-wal`) ? fs.statSync(`${server.dbFile}-wal`).size : 0).toBe(0);
    expect(printed).toMatch(/"msg":"database checkpointed and closed"/);
    const ids = new Set(query<{ id: number }>("select id from alert_deliveries where outcome = 'processed'").map((d) => d.id));
    expect(acked.filter((a) => !ids.has(a.delivery))).toEqual([]);

    server = await startServer({ dir: server.dir });
    checkDatabase();
  });
});
