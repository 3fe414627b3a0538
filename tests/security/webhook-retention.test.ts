import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receiveDelivery } from "~/domain/alerts.server";
import { SYSTEM } from "~/domain/audit.server";
import { pruneDeliveries } from "~/domain/delivery-retention.server";
import { parseWebhook } from "~/webhooks/index";
import { makeTestDb, type TestDb } from "../helpers/db";
import { createToken, setupAdmin } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

const fixture = (name: string) => fs.readFileSync(path.resolve("tests/fixtures/webhooks", name), "utf8");

let server: RunningServer;
let token: string;

function rows<T>(sql: string): T[] {
  const db = new Database(server.dbFile, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

function post(body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/webhooks/generic`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, ...headers },
    body,
  });
}

beforeAll(async () => {
  server = await startServer({ env: { WEBHOOK_RETENTION_ROWS: "2", WEBHOOK_PRUNE_INTERVAL_MS: "300" } });
  token = await createToken(await setupAdmin(server.url), "webhook");
});
afterAll(async () => {
  await server?.dispose();
});

describe("webhook deliveries", () => {
  it("refuses a wrong bearer token before reading the body (a 50 MB body that is never sent)", async () => {
    const { port, hostname } = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: hostname,
        port,
        method: "POST",
        path: "/api/webhooks/alertmanager",
        headers: { Authorization: "Bearer not-a-token", "Content-Type": "application/json", "Content-Length": String(50 * 1024 * 1024) },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on("error", reject);
      req.setTimeout(5000, () => reject(new Error("no answer before the body was sent")));
      req.flushHeaders();
    });
    expect(status).toBe(401);
  });

  it("stores only allowlisted headers with a delivery", async () => {
    const res = await post(fixture("generic.json"), {
      "User-Agent": "alert-sender/1.0",
      "X-Api-Key": "sender-side-secret",
      "X-Forwarded-For": "198.51.100.4",
      Cookie: "session=abc",
    });
    expect(res.status).toBe(200);
    const [stored] = rows<{ headers: string }>("SELECT headers FROM alert_deliveries ORDER BY id DESC LIMIT 1");
    const headers = JSON.parse(stored.headers) as Record<string, string>;
    expect(headers).toMatchObject({ "content-type": "application/json", "user-agent": "alert-sender/1.0" });
    expect(Object.keys(headers).every((k) => ["content-type", "content-length", "content-encoding", "user-agent", "x-request-id", "x-grafana-alerting-signature-timestamp"].includes(k))).toBe(true);
    expect(stored.headers).not.toContain("sender-side-secret");
    expect(stored.headers).not.toContain("198.51.100.4");
  });

  it("cuts refused bodies to 4 KiB and prunes to the newest WEBHOOK_RETENTION_ROWS, keeping a delivery an incident cites", async () => {
    const [cited] = rows<{ id: number }>("SELECT delivery_id AS id FROM incident_deliveries");
    expect(cited).toBeDefined();
    for (let i = 0; i < 4; i++) expect((await post(`{"not json ${i}` + "x".repeat(200_000))).status).toBe(400);
    const newest = rows<{ id: number }>("SELECT id FROM alert_deliveries ORDER BY id DESC LIMIT 2").map((r) => r.id);
    const longest = rows<{ n: number }>("SELECT max(length(body)) AS n FROM alert_deliveries WHERE outcome = 'rejected'")[0].n;
    expect(longest).toBeLessThanOrEqual(4096);
    const deadline = Date.now() + 10_000;
    let ids: number[] = [];
    while (Date.now() < deadline) {
      ids = rows<{ id: number }>("SELECT id FROM alert_deliveries ORDER BY id").map((r) => r.id);
      if (ids.length === 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ids).toEqual([cited.id, ...newest.reverse()]);
  });
});

describe("pruning by age (real SQLite, injected clock)", () => {
  let t: TestDb;
  beforeAll(() => {
    t = makeTestDb();
  });
  afterAll(() => t.cleanup());

  it("removes deliveries older than WEBHOOK_RETENTION_DAYS unless an incident cites them", () => {
    const received = Date.UTC(2026, 0, 1);
    const deliver = (file: string) => {
      const body = fixture(file);
      const events = parseWebhook("alertmanager", JSON.parse(body), { modelLabel: "model" });
      return receiveDelivery(t.db, { sender: "alertmanager", headers: {}, body, tokenId: null }, events, SYSTEM, received);
    };
    const opening = deliver("alertmanager-firing.json");
    expect(opening.opened).toHaveLength(1);
    // A sender's retry of the same body: stored as a duplicate, applied to nothing, cited by no incident.
    const retry = deliver("alertmanager-firing.json");
    expect(retry.duplicate).toBe(true);
    const left = () => t.db.$client.prepare("SELECT id FROM alert_deliveries ORDER BY id").all().map((r) => (r as { id: number }).id);
    expect(pruneDeliveries(t.db, received + 29 * 86_400_000, { days: 30, rows: 0 }).removed).toBe(0);
    expect(pruneDeliveries(t.db, received + 31 * 86_400_000, { days: 30, rows: 0 }).removed).toBe(1);
    expect(left()).toEqual([opening.delivery]);
  });
});
