import http from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertmanagerMissing, postAlerts, startAlertmanager, type RunningAlertmanager } from "../helpers/alertmanager";
import { createToken, setupAdmin, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;
let token: string;

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(server.dbFile, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Forwards to Faultline but answers Alertmanager 500 for the first delivery, so it retries a body we stored. */
function flakyProxy(target: string): Promise<{ url: string; forwarded: () => number; close: () => void }> {
  let count = 0;
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const upstream = await fetch(`${target}${req.url}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: String(req.headers.authorization) },
        body: Buffer.concat(chunks),
      });
      count += 1;
      res.writeHead(count === 1 ? 500 : upstream.status, { "Content-Type": "application/json" });
      res.end(await upstream.text());
    });
  });
  return new Promise((resolve) =>
    proxy.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, forwarded: () => count, close: () => proxy.close() }),
    ),
  );
}

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
  token = await createToken(admin, "webhook", "test-alertmanager");
});
afterAll(async () => {
  await server?.dispose();
});

// Without the binary this part is skipped, and the run says why (in the suite's name and on stderr).
const missing = alertmanagerMissing();
if (missing) console.warn(`Skipping the real-Alertmanager tests: ${missing}`);

describe.skipIf(missing)(`real Prometheus Alertmanager delivering to Faultline${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let am: RunningAlertmanager;
  let proxy: Awaited<ReturnType<typeof flakyProxy>>;
  beforeAll(async () => {
    proxy = await flakyProxy(server.url);
    am = await startAlertmanager({ webhookUrl: `${proxy.url}/api/webhooks/alertmanager`, token });
  });
  afterAll(async () => {
    await am?.stop();
    proxy?.close();
  });

  const labels = (instance: string) => ({
    alertname: "PredictionDriftHigh",
    model: "fraud-scoring",
    model_version: "2026.04.1",
    severity: "critical",
    team: "risk",
    instance,
  });

  it("opens one draft incident for the group, linked to the model version, and ignores the retry", async () => {
    // Started now: Alertmanager flushes a new group at once (racing the second alert) when its first alert is older than group_wait.
    const startsAt = new Date().toISOString();
    await postAlerts(am.url, [
      { labels: labels("scorer-1"), annotations: { summary: "Fraud score drift above 0.3" }, startsAt },
      { labels: labels("scorer-2"), annotations: { summary: "Fraud score drift above 0.3" }, startsAt },
    ]);
    // Alertmanager retries after the proxy's 500: the second copy must be recognised as a duplicate.
    await until("the retry", () => proxy.forwarded() >= 2);
    const incidents = await until("a draft incident", () => {
      const rows = query<{ id: number; title: string; status: string; severity: string; team: string; source: string; detection_source: string }>(
        "select id, title, status, severity, team, source, detection_source from incidents",
      );
      return rows.length ? rows : undefined;
    });
    expect(incidents).toEqual([
      expect.objectContaining({ title: "Fraud score drift above 0.3", status: "draft", severity: "SEV1", team: "risk", source: "webhook", detection_source: "alert" }),
    ]);
    const alerts = query<{ status: string; incident_id: number; fire_count: number; delivery_count: number }>(
      "select status, incident_id, fire_count, delivery_count from alerts order by id",
    );
    expect(alerts).toEqual([
      { status: "firing", incident_id: incidents[0].id, fire_count: 1, delivery_count: 1 },
      { status: "firing", incident_id: incidents[0].id, fire_count: 1, delivery_count: 1 },
    ]);
    const outcomes = query<{ outcome: string }>("select outcome from alert_deliveries order by id").map((d) => d.outcome);
    expect(outcomes.slice(0, 2)).toEqual(["processed", "duplicate"]);
    expect(query("select m.name, v.version, im.role from incident_models im join model_versions v on v.id = im.model_version_id join models m on m.id = v.model_id")).toEqual([
      { name: "fraud-scoring", version: "2026.04.1", role: "affected" },
    ]);
    // One timeline entry per rule and state in a delivery, however many alerts it carried.
    expect(query("select body from timeline_events where kind = 'alert'")).toEqual([
      { body: "PredictionDriftHigh firing (2 alerts): Fraud score drift above 0.3" },
    ]);
  });

  it("marks the alerts resolved and notes it on the incident timeline", async () => {
    const now = new Date().toISOString();
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await postAlerts(am.url, [
      { labels: labels("scorer-1"), annotations: { summary: "Fraud score drift above 0.3" }, startsAt, endsAt: now },
      { labels: labels("scorer-2"), annotations: { summary: "Fraud score drift above 0.3" }, startsAt, endsAt: now },
    ]);
    await until("resolved alerts", () => query<{ n: number }>("select count(*) n from alerts where status = 'resolved'")[0].n === 2);
    expect(query("select count(*) n from incidents")).toEqual([{ n: 1 }]);
    const timeline = query<{ body: string }>("select body from timeline_events order by id").map((t) => t.body);
    expect(timeline.filter((b) => b.includes("resolved"))).toEqual(["PredictionDriftHigh resolved (2 alerts): Fraud score drift above 0.3"]);
    expect(query("select count(*) n from alerts where ends_at is null")).toEqual([{ n: 0 }]);
  });
});

describe("webhook endpoint errors", () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });

  it("says what is wrong, with a 4xx and a JSON message", async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const cases: [Response, number, RegExp][] = [
      [await post("/api/webhooks/alertmanager", "{}"), 401, /Missing Authorization/],
      [await post("/api/webhooks/alertmanager", "{}", { Authorization: "Bearer nope" }), 401, /Invalid or revoked token/],
      [await post("/api/webhooks/nagios", "{}", auth), 404, /Unknown sender "nagios"/],
      [await post("/api/webhooks/alertmanager", "{not json", auth), 400, /not valid JSON/],
      [await post("/api/webhooks/alertmanager", JSON.stringify({ alerts: "x" }), auth), 400, /alerts/],
      [await post("/api/webhooks/generic", "x".repeat(1024 * 1024 + 1), auth), 413, /over 1048576 bytes/],
    ];
    for (const [res, status, message] of cases) {
      expect(res.status).toBe(status);
      expect(res.headers.get("Content-Type")).toContain("application/json");
      expect((await res.json()).error).toMatch(message);
    }
    const rejected = query<{ outcome: string; error: string }>("select outcome, error from alert_deliveries where outcome = 'rejected'");
    expect(rejected).toHaveLength(2);
  });

  it("refuses a revoked token", async () => {
    const secret = await createToken(admin, "webhook", "short-lived");
    const body = JSON.stringify({ alerts: [{ name: "GPUUtilizationLow", status: "firing" }] });
    expect((await post("/api/webhooks/generic", body, { Authorization: `Bearer ${secret}` })).status).toBe(200);
    const id = query<{ id: number }>("select id from api_tokens where name = 'short-lived'")[0].id;
    expect((await admin.submit("/settings/tokens", { intent: "revoke", tokenId: String(id) })).status).toBe(302);
    const again = await post("/api/webhooks/generic", body, { Authorization: `Bearer ${secret}` });
    expect(again.status).toBe(401);
  });
});
