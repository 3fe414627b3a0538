import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, setupAdmin, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

const METRICS_TOKEN = "metrics-secret-for-tests";
let server: RunningServer;
let admin: Client;
let token: string;
/** Every line the server printed on stdout since it started listening. */
const output: string[] = [];

beforeAll(async () => {
  server = await startServer({ env: { METRICS_TOKEN, LOG_LEVEL: "info" } });
  let partial = "";
  server.process.stdout!.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop()!;
    output.push(...lines);
  });
  admin = await setupAdmin(server.url);
  token = await createToken(admin, "webhook", "ops-test");
});
afterAll(async () => {
  await server?.dispose();
});

function withDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(server.dbFile);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const scrape = async () => {
  const res = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
};

/** The value of one sample (`name{labels}`), 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const deliver = (sender: string, body: unknown, auth = `Bearer ${token}`) =>
  fetch(`${server.url}/api/webhooks/${sender}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: auth },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("/healthz", () => {
  it("answers 200 without a session and shows no data", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers 503 with the reason while a migration is missing, and 200 once it is back", async () => {
    const last = withDb((db) => db.prepare("select * from __drizzle_migrations order by created_at desc limit 1").get() as Record<string, unknown>);
    withDb((db) => db.prepare("delete from __drizzle_migrations where created_at = ?").run(last.created_at));
    try {
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "unavailable", reason: expect.stringMatching(/^migrations pending: \d{4}_\w+ not applied$/) });
    } finally {
      withDb((db) => db.prepare("insert into __drizzle_migrations (hash, created_at) values (?, ?)").run(last.hash, last.created_at));
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("answers 503 when the database cannot take a write (another process holds the write lock)", async () => {
    const db = new Database(server.dbFile);
    db.exec("begin immediate");
    try {
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(503);
      expect((await res.json()).reason).toMatch(/^database not writable: database is locked/);
    } finally {
      db.exec("rollback");
      db.close();
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe("/metrics", () => {
  it("needs the METRICS_TOKEN when one is set", async () => {
    for (const headers of [{}, { Authorization: "Bearer wrong" }, { Authorization: `Bearer ${token}` }] as Record<string, string>[]) {
      const res = await fetch(`${server.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatch(/METRICS_TOKEN/);
    }
  });

  it("counts deliveries received, refused and applied, their latency, incidents and action items as they change", async () => {
    const before = await scrape();
    const firing = (name: string, fingerprint: string) => ({ alerts: [{ name, status: "firing", fingerprint, group: `ops-${name}` }] });
    expect((await deliver("generic", firing("OpsProbeA", "ops-1"))).status).toBe(200);
    expect((await deliver("generic", firing("OpsProbeB", "ops-2"))).status).toBe(200);
    // A sender's retry of the same body is received but applies nothing.
    expect((await deliver("generic", firing("OpsProbeB", "ops-2"))).status).toBe(200);
    expect((await deliver("generic", "{oops")).status).toBe(400);
    expect((await deliver("generic", firing("OpsProbeC", "ops-3"), "Bearer not-a-token")).status).toBe(401);
    expect((await deliver("alertmanager", { version: "4", alerts: "none" })).status).toBe(400);

    const incidentId = withDb((db) => (db.prepare("select incident_id as id from alerts where fingerprint = 'ops-1'").get() as { id: number }).id);
    const form = await admin.html(`/incidents/${incidentId}`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1];
    const overdue = await admin.post(`/incidents/${incidentId}`, { csrf, intent: "action.add", title: "Page on drift earlier", owner: "", dueAt: "2020-01-01T09:00", kind: "detect" });
    expect(overdue.status).toBe(302);

    const after = await scrape();
    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect(delta('faultline_webhook_deliveries_received_total{sender="generic"}')).toBe(5);
    expect(delta('faultline_webhook_deliveries_received_total{sender="alertmanager"}')).toBe(1);
    expect(delta('faultline_webhook_deliveries_applied_total{sender="generic"}')).toBe(2);
    expect(delta('faultline_webhook_deliveries_refused_total{sender="generic",reason="invalid"}')).toBe(1);
    expect(delta('faultline_webhook_deliveries_refused_total{sender="generic",reason="unauthorized"}')).toBe(1);
    expect(delta('faultline_webhook_deliveries_refused_total{sender="alertmanager",reason="invalid"}')).toBe(1);
    // Latency is observed for every delivery that was stored and answered 200, duplicates included.
    expect(delta('faultline_webhook_ingest_duration_seconds_count{sender="generic"}')).toBe(3);
    expect(delta('faultline_webhook_ingest_duration_seconds_bucket{le="+Inf",sender="generic"}')).toBe(3);
    expect(delta('faultline_incidents{status="draft"}')).toBe(2);
    expect(delta("faultline_action_items_open")).toBe(1);
    expect(delta("faultline_action_items_overdue")).toBe(1);
    // The gauges are counts of the database, not of this process's traffic.
    const drafts = withDb((db) => (db.prepare("select count(*) as n from incidents where status = 'draft'").get() as { n: number }).n);
    expect(sample(after, 'faultline_incidents{status="draft"}')).toBe(drafts);
    expect(after).toContain("# TYPE faultline_webhook_ingest_duration_seconds histogram");
    expect(after).toMatch(/^faultline_process_cpu_seconds_total \d/m);
  });
});

describe("request logs", () => {
  it("prints one JSON line per request with id, method, path, status and duration, and never a secret or a body", async () => {
    const marker = `body-marker-${Date.now()}`;
    // Log lines are written in batches at most 100 ms apart: let the earlier requests' lines arrive first.
    await new Promise((r) => setTimeout(r, 300));
    const from = output.length;
    const accepted = await deliver("generic", { alerts: [{ name: "LogProbe", status: "firing", fingerprint: marker, annotations: { summary: marker } }] });
    expect(accepted.status).toBe(200);
    const refused = await deliver("grafana", { marker }, "Bearer fl_webhook_this-is-a-wrong-token");
    expect(refused.status).toBe(401);
    const page = await admin.get("/incidents?q=secret-query-value");
    expect(page.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));

    const lines = output.slice(from);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    // (The line of the previous test's last scrape may arrive late.)
    const requests = entries.filter((e) => e.msg === "request" && e.path !== "/metrics");
    expect(requests.map((e) => [e.method, e.path, e.status])).toEqual([
      ["POST", "/api/webhooks/generic", 200],
      ["POST", "/api/webhooks/grafana", 401],
      ["GET", "/incidents", 200],
    ]);
    for (const e of requests) {
      expect(e.reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof e.durationMs).toBe("number");
      expect(e.level).toBe(30);
      expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    expect(new Set(requests.map((e) => e.reqId)).size).toBe(3);
    expect(requests[0].reqId).toBe(accepted.headers.get("X-Request-Id"));
    // The refusal names its sender and reason.
    expect(entries).toContainEqual(expect.objectContaining({ level: 40, sender: "grafana", reason: "unauthorized", status: 401 }));

    const text = lines.join("\n");
    const cookieValues = admin.cookieHeader().split("; ").map((c) => c.slice(c.indexOf("=") + 1));
    expect(cookieValues.length).toBeGreaterThan(0);
    for (const secret of [token, "this-is-a-wrong-token", marker, "secret-query-value", METRICS_TOKEN, ...cookieValues]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/cookie|authorization/i);
  });
});
