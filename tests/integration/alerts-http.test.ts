import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, createToken, incidentIdFrom, setupAdmin, signIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

const PD_SECRETS = ["pd-old-secret-1234", "pd-new-secret-5678"];
const GRAFANA_SECRET = "grafana-signing-secret";

let server: RunningServer;
let admin: Client;
let webhookToken: string;
let apiToken: string;

const fixture = (name: string) => fs.readFileSync(path.resolve("tests/fixtures/webhooks", name), "utf8");
const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
const hmac = (secret: string, text: string) => crypto.createHmac("sha256", secret).update(text).digest("hex");

function query<T = Record<string, unknown>>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
const q = <T = Record<string, unknown>>(sql: string, ...params: unknown[]) => query<T>(server.dbFile, sql, ...params);

function post(base: string, sender: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/webhooks/${sender}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
}
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The text of each cell of each body row of the first table on a page. */
function tableRows(html: string): string[][] {
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...tbody.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      cell[1]
        .replace(/<!-- -->/g, "")
        .replace(/<[^>]+>/g, " ")
        .replace(/&#x27;/g, "'")
        .replace(/&amp;/g, "&")
        .replace(/\s+/g, " ")
        .trim(),
    ),
  );
}

/** Rule, alerts, fired, deliveries, real, precision, nowhere, as the rules page shows them. */
async function rulesPage(client: Client): Promise<Record<string, string[]>> {
  const { res, body } = await client.html("/alerts/rules");
  expect(res.status).toBe(200);
  return Object.fromEntries(tableRows(body).map((cells) => [cells[0], cells.slice(1)]));
}

/** Rule names of the alert rows on an /alerts page (not the filter's options). */
async function alertRules(client: Client, search = ""): Promise<string[]> {
  const { res, body } = await client.html(`/alerts${search}`);
  expect(res.status).toBe(200);
  return tableRows(body).map((cells) => cells[1].replace(/ (alertmanager|grafana|pagerduty|generic)( · .*)?$/, ""));
}

const alertId = (rule: string) => q<{ id: number }>("select id from alerts where rule_name = ? order by id", rule)[0].id;

beforeAll(async () => {
  server = await startServer({ env: { PAGERDUTY_WEBHOOK_SECRETS: PD_SECRETS.join(",") } });
  admin = await setupAdmin(server.url);
});
afterAll(async () => {
  await server?.dispose();
});

describe("webhook tokens", () => {
  it("shows a new token's secret once and stores only its sha-256", async () => {
    webhookToken = await createToken(admin, "webhook", "prod-alertmanager");
    expect(webhookToken).toMatch(/^fl_webhook_[\w-]{20,}$/);

    const { res, body } = await admin.html("/settings/tokens");
    expect(res.status).toBe(200);
    expect(body).toContain("prod-alertmanager");
    expect(body).not.toContain(webhookToken);

    const rows = q("select * from api_tokens");
    expect(rows).toEqual([expect.objectContaining({ name: "prod-alertmanager", scope: "webhook", token_hash: sha256(webhookToken), revoked_at: null })]);
    for (const value of Object.values(rows[0])) expect(String(value)).not.toContain(webhookToken);
  });

  it("refuses an api-scoped token on the webhook endpoint, and a webhook token on the JSON API", async () => {
    apiToken = await createToken(admin, "api", "reporting-script");
    expect(apiToken).toMatch(/^fl_api_/);
    const res = await post(server.url, "generic", JSON.stringify({ alerts: [{ name: "X", status: "firing" }] }), bearer(apiToken));
    expect(res.status).toBe(401);
    expect(res.headers.get("Content-Type")).toContain("application/json");
    expect((await res.json()).error).toMatch(/Invalid or revoked token/);
    expect((await fetch(`${server.url}/api/v1/incidents`, { headers: bearer(webhookToken) })).status).toBe(401);
    expect(q("select count(*) n from alerts")).toEqual([{ n: 0 }]);
  });

  it("answers GET on a webhook endpoint with 405 and a JSON error", async () => {
    const res = await fetch(`${server.url}/api/webhooks/alertmanager`, { headers: bearer(webhookToken) });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST");
    expect(res.headers.get("Content-Type")).toContain("application/json");
    expect(await res.json()).toEqual({ error: "Send alerts with POST." });
  });
});

describe("fixtures posted to their sender endpoints", () => {
  const cases: [sender: string, file: string, alerts: number, opened: number][] = [
    ["alertmanager", "alertmanager-firing.json", 2, 1],
    ["alertmanager", "alertmanager-resolved.json", 2, 0],
    ["alertmanager", "alertmanager-unknown-fields.json", 1, 1],
    ["generic", "generic.json", 2, 1],
    ["grafana", "grafana-firing.json", 2, 1],
    ["grafana", "grafana-resolved.json", 2, 0],
    ["pagerduty", "pagerduty-triggered.json", 1, 1],
    ["pagerduty", "pagerduty-annotated.json", 0, 0],
    ["pagerduty", "pagerduty-resolved.json", 1, 0],
  ];

  it("answers 200 JSON with the counts of each", async () => {
    for (const [sender, file, alerts, opened] of cases) {
      const res = await post(server.url, sender, fixture(file), bearer(webhookToken));
      expect(res.status, file).toBe(200);
      expect(res.headers.get("Content-Type")).toContain("application/json");
      const json = await res.json();
      expect(json, file).toMatchObject({ duplicate: false, alerts });
      expect(json.opened, file).toHaveLength(opened);
      expect(typeof json.delivery).toBe("number");
    }
    expect(q("select sender, outcome, alert_count from alert_deliveries order by id")).toEqual(
      cases.map(([sender, , alerts]) => ({ sender, outcome: "processed", alert_count: alerts })),
    );
    // Stored exactly as received; the Authorization header is not kept.
    const stored = q<{ body: string; headers: string; token_id: number }>("select body, headers, token_id from alert_deliveries order by id");
    expect(stored.map((d) => d.body)).toEqual(cases.map(([, file]) => fixture(file)));
    for (const d of stored) {
      expect(Object.keys(JSON.parse(d.headers))).not.toContain("authorization");
      expect(d.token_id).toBe(q<{ id: number }>("select id from api_tokens where name = 'prod-alertmanager'")[0].id);
    }
    // A retry of the same body is a duplicate.
    const again = await post(server.url, "alertmanager", fixture("alertmanager-firing.json"), bearer(webhookToken));
    expect(await again.json()).toMatchObject({ duplicate: true, alerts: 0, opened: [] });
  });

  it("lists the alerts on /alerts and filters them", async () => {
    const all = await alertRules(admin);
    expect(all.sort()).toEqual(
      [
        "FeatureDriftHigh",
        "FeatureDriftHigh",
        "TrainingPipelineStalled",
        "OfflineEvalRegression",
        "LabelDelayHigh",
        "InferenceLatencyP95High",
        "InferenceLatencyP95High",
        "recs-ranker CTR dropped 38% below 7-day baseline",
      ].sort(),
    );
    const { body } = await admin.html("/alerts");
    expect(body).toContain("8 alerts");
    expect(await alertRules(admin, "?linked=no&sender=generic")).toEqual(["LabelDelayHigh"]);
    expect(await alertRules(admin, "?linked=yes&sender=generic")).toEqual(["OfflineEvalRegression"]);
    expect((await alertRules(admin, "?status=firing")).sort()).toEqual(["OfflineEvalRegression", "TrainingPipelineStalled"]);
    expect(await alertRules(admin, "?sender=pagerduty&status=resolved")).toEqual(["recs-ranker CTR dropped 38% below 7-day baseline"]);
    expect(await alertRules(admin, "?rule=FeatureDriftHigh")).toEqual(["FeatureDriftHigh", "FeatureDriftHigh"]);
  });

  it("shows each rule with its precision on /alerts/rules", async () => {
    const rules = await rulesPage(admin);
    // Every incident is still a draft and nothing is triaged: no alert led to a real incident yet.
    expect(rules.FeatureDriftHigh).toEqual(["2", "2", "4", "0", "0%", "2"]);
    expect(rules.OfflineEvalRegression).toEqual(["1", "1", "1", "0", "0%", "1"]);
    expect(rules.LabelDelayHigh).toEqual(["1", "0", "1", "0", "0%", "1"]);
    expect(Object.keys(rules)).toHaveLength(6);
  });
});

describe("roles on alert pages", () => {
  let viewer: Client;
  let editor: Client;
  beforeAll(async () => {
    for (const [name, email, role] of [
      ["Vic Viewer", "vic@example.com", "viewer"],
      ["Eve Editor", "eve@example.com", "editor"],
    ]) {
      const res = await admin.submit("/settings/users", { intent: "create", name, email, role, password: `${role} password 1` });
      expect(res.status).toBe(302);
    }
    viewer = await signIn(server.url, "vic@example.com", "viewer password 1");
    editor = await signIn(server.url, "eve@example.com", "editor password 1");
  });

  it("lets a viewer read alerts but not tokens, deliveries or triage", async () => {
    expect((await viewer.get("/settings/tokens")).status).toBe(403);
    expect((await viewer.get("/settings/deliveries")).status).toBe(403);
    expect((await editor.get("/settings/tokens")).status).toBe(403);
    const { res, body } = await viewer.html("/alerts");
    expect(res.status).toBe(200);
    expect(body).not.toContain('name="intent"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(body)![1];
    const before = q("select id, triage, incident_id from alerts order by id");
    const triage = await viewer.post("/alerts?index", { csrf, intent: "triage", alertId: String(alertId("LabelDelayHigh")), triage: "noise" });
    expect(triage.status).toBe(403);
    const link = await viewer.post("/alerts?index", { csrf, intent: "link", alertId: String(alertId("LabelDelayHigh")), incidentId: "1" });
    expect(link.status).toBe(403);
    expect(q("select id, triage, incident_id from alerts order by id")).toEqual(before);
  });

  it("lets an editor triage and link alerts, and the rules page follows", async () => {
    const created = await editor.submit("/incidents/new", {
      title: "Churn model promoted on a stale holdout",
      severity: "SEV2",
      team: "growth-ml",
      detectionSource: "alert",
      startedAt: "2024-09-02T03:00",
      detectedAt: "",
      mitigatedAt: "",
      resolvedAt: "",
      summary: "",
      impact: "",
    });
    const incident = incidentIdFrom(created);
    expect(q("select status from incidents where id = ?", incident)).toEqual([{ status: "investigating" }]);

    // Link both generic alerts to the real incident through the /alerts forms, posting where the page's forms post.
    const page = (await editor.html("/alerts?sender=generic")).body;
    const action = /<form method="post" action="([^"]+)"[^>]*>(?:(?!<\/form>)[\s\S])*name="intent" value="link"/.exec(page)?.[1].replace(/&amp;/g, "&");
    expect(action).toBe("/alerts?index&sender=generic");
    for (const rule of ["LabelDelayHigh", "OfflineEvalRegression"]) {
      const res = await editor.submit("/alerts?sender=generic", { intent: "link", alertId: String(alertId(rule)), incidentId: `#${incident}` }, action);
      expect(res.status, rule).toBe(302);
      // Back to the same filtered list (Remix drops its own `index` parameter).
      expect(res.headers.get("Location")).toBe("/alerts?sender=generic");
    }
    expect(q("select rule_name, incident_id from alerts where sender = 'generic' order by rule_name")).toEqual([
      { rule_name: "LabelDelayHigh", incident_id: incident },
      { rule_name: "OfflineEvalRegression", incident_id: incident },
    ]);
    // The alert's model version came along.
    expect(
      q("select m.name, v.version, im.role from incident_models im join model_versions v on v.id = im.model_version_id join models m on m.id = v.model_id where im.incident_id = ?", incident),
    ).toEqual([{ name: "churn-predictor", version: "2024-09-01.4", role: "affected" }]);
    let rules = await rulesPage(editor);
    expect(rules.LabelDelayHigh).toEqual(["1", "0", "1", "1", "100%", "0"]);
    expect(rules.OfflineEvalRegression).toEqual(["1", "1", "1", "1", "100%", "0"]);

    // Marked noise: it no longer counts, though still linked.
    const noise = await editor.submit("/alerts", { intent: "triage", alertId: String(alertId("OfflineEvalRegression")), triage: "noise" }, "/alerts?index");
    expect(noise.status).toBe(302);
    expect(q("select triage, incident_id from alerts where rule_name = 'OfflineEvalRegression'")).toEqual([{ triage: "noise", incident_id: incident }]);
    rules = await rulesPage(editor);
    expect(rules.OfflineEvalRegression).toEqual(["1", "1", "1", "0", "0%", "1"]);

    // Actionable counts even on a draft: one of the two FeatureDriftHigh alerts -> 50%.
    const drift = q<{ id: number }>("select id from alerts where rule_name = 'FeatureDriftHigh' order by id")[0].id;
    expect((await editor.submit("/alerts", { intent: "triage", alertId: String(drift), triage: "actionable" }, "/alerts?index")).status).toBe(302);
    expect((await rulesPage(editor)).FeatureDriftHigh).toEqual(["2", "2", "4", "1", "50%", "1"]);

    // Noisiest first: most alerts that led nowhere.
    const order = Object.entries(await rulesPage(editor)).map(([rule, cells]) => [rule, Number(cells[5])]);
    expect(order.map(([, nowhere]) => nowhere)).toEqual([...order.map(([, n]) => n)].sort((a, b) => Number(b) - Number(a)));

    const audit = q<{ action: string }>("select action from audit_log where entity = 'alert' order by id").map((a) => a.action);
    expect(audit).toEqual(["link", "link", "triage", "triage"]);
  });

  it("explains a link to a missing incident or bad input with a 400", async () => {
    const id = alertId("TrainingPipelineStalled");
    const res = await editor.submit("/alerts", { intent: "link", alertId: String(id), incidentId: "#99999" }, "/alerts?index");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`Alert ${id}: There is no incident #99999.`);
    const bad = await editor.submit("/alerts", { intent: "link", alertId: String(id), incidentId: "yesterday" }, "/alerts?index");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Enter an incident number.");
    const unknown = await editor.submit("/alerts", { intent: "triage", alertId: "99999", triage: "noise" }, "/alerts?index");
    expect(unknown.status).toBe(404);
  });

  it("relinks an alert by picking an incident from the suggestions the page offers", async () => {
    const id = alertId("TrainingPipelineStalled");
    const page = await (await editor.get("/alerts")).text();
    const option = /<option value="(#(\d+) · [^"]*)"/.exec(page)!;
    const relinked = await editor.submit("/alerts", { intent: "link", alertId: String(id), incidentId: option[1].replace(/&#x27;/g, "'").replace(/&amp;/g, "&") }, "/alerts?index");
    expect(relinked.status).toBe(302);
    expect(q<{ incident_id: number }>("select incident_id from alerts where id = ?", id)[0].incident_id).toBe(Number(option[2]));
    const half = await editor.submit("/alerts", { intent: "link", alertId: String(id), incidentId: "1 2" }, "/alerts?index");
    expect(half.status).toBe(400);
  });
});

describe("replaying deliveries", () => {
  it("replays a stored delivery from /settings/deliveries idempotently", async () => {
    const { res, body } = await admin.html("/settings/deliveries");
    expect(res.status).toBe(200);
    const delivery = q<{ id: number }>("select id from alert_deliveries where body = ?", fixture("alertmanager-unknown-fields.json"))[0].id;
    expect(body).toContain(`value="${delivery}"`);
    const before = {
      alerts: q("select * from alerts order by id"),
      incidents: q("select * from incidents order by id"),
      timeline: q("select * from timeline_events order by id"),
    };
    const replay = await admin.submit("/settings/deliveries", { deliveryId: String(delivery) });
    expect(replay.status).toBe(302);
    expect(replay.headers.get("Location")).toBe("/settings/deliveries");
    expect(q("select outcome, alert_count from alert_deliveries where id = ?", delivery)).toEqual([{ outcome: "processed", alert_count: 1 }]);
    expect(q("select * from incidents order by id")).toEqual(before.incidents);
    expect(q("select * from timeline_events order by id")).toEqual(before.timeline);
    expect(q("select * from alerts order by id")).toEqual(before.alerts);
  });

  it("explains why a rejected delivery cannot be replayed", async () => {
    const res = await post(server.url, "alertmanager", '{"alerts": [', bearer(webhookToken));
    expect(res.status).toBe(400);
    const id = q<{ id: number }>("select id from alert_deliveries where outcome = 'rejected' order by id desc limit 1")[0].id;
    const replay = await admin.submit("/settings/deliveries", { deliveryId: String(id) });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain(`Delivery ${id} cannot be applied: Body is not valid JSON.`);
    expect((await admin.submit("/settings/deliveries", { deliveryId: "99999" })).status).toBe(404);
  });
});

describe("PagerDuty signatures", () => {
  const body = () => {
    const payload = JSON.parse(fixture("pagerduty-triggered.json"));
    payload.event.id = "01SIGNEDEVENT00000000000001";
    payload.event.data.id = "PSIGNED1";
    payload.event.data.title = "Signed: feature store lag on recs-ranker";
    return JSON.stringify(payload);
  };

  it("accepts a delivery signed with any configured secret and no bearer token", async () => {
    const text = body();
    const wrong = hmac("not-the-secret", text);
    const res = await post(server.url, "pagerduty", text, { "X-PagerDuty-Signature": `v1=${wrong}, v1=${hmac(PD_SECRETS[1], text)}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ duplicate: false, alerts: 1 });
    expect(q("select status, incident_id is not null linked from alerts where fingerprint = 'PSIGNED1'")).toEqual([{ status: "firing", linked: 1 }]);
    expect(q("select token_id from alert_deliveries order by id desc limit 1")).toEqual([{ token_id: null }]);
    expect(q("select actor_label from audit_log where action = 'create' and entity = 'incident' order by id desc limit 1")).toEqual([
      { actor_label: "pagerduty-signature" },
    ]);

    // The old secret still works during rotation.
    const resolved = JSON.parse(text);
    resolved.event.event_type = "incident.resolved";
    resolved.event.data.status = "resolved";
    const resolvedText = JSON.stringify(resolved);
    const ok = await post(server.url, "pagerduty", resolvedText, { "X-PagerDuty-Signature": `v1=${hmac(PD_SECRETS[0], resolvedText)}` });
    expect(ok.status).toBe(200);
    expect(q("select status from alerts where fingerprint = 'PSIGNED1'")).toEqual([{ status: "resolved" }]);
  });

  it("refuses a wrong or missing signature with 401", async () => {
    const text = body().replace("PSIGNED1", "PSIGNED2");
    const before = q("select count(*) n from alert_deliveries");
    const cases: Record<string, string>[] = [
      {},
      { "X-PagerDuty-Signature": `v1=${hmac("not-the-secret", text)}` },
      { "X-PagerDuty-Signature": `v1=${hmac(PD_SECRETS[0], `${text} `)}` }, // signature of another body
      { "X-PagerDuty-Signature": hmac(PD_SECRETS[0], text) }, // no v1= prefix
      { "X-PagerDuty-Signature": "v1=" },
    ];
    for (const headers of cases) {
      const res = await post(server.url, "pagerduty", text, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect((await res.json()).error).toBeTruthy();
    }
    // A PagerDuty signature is no key to the other endpoints.
    const generic = JSON.stringify({ alerts: [{ name: "X", status: "firing" }] });
    expect((await post(server.url, "generic", generic, { "X-PagerDuty-Signature": `v1=${hmac(PD_SECRETS[0], generic)}` })).status).toBe(401);
    expect(q("select count(*) n from alert_deliveries")).toEqual(before);
    expect(q("select count(*) n from alerts where fingerprint = 'PSIGNED2'")).toEqual([{ n: 0 }]);
  });
});

describe("bad bodies", () => {
  it("refuses a generic alert whose name is blank", async () => {
    const res = await post(server.url, "generic", JSON.stringify({ alerts: [{ name: "   ", status: "firing" }] }), bearer(webhookToken));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/^alerts\.0\.name: /);
    expect(q("select count(*) n from alerts where trim(rule_name) = ''")).toEqual([{ n: 0 }]);
    expect(q("select count(*) n from incidents where trim(title) = ''")).toEqual([{ n: 0 }]);
  });

  it("never answers 5xx to 200 concurrent garbage, truncated or mis-shaped bodies, and keeps serving", async () => {
    // Seeded PRNG so a failure can be reproduced.
    let seed = 0x5eed1234;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const senders = ["alertmanager", "grafana", "pagerduty", "generic"] as const;
    const fixtures: Record<(typeof senders)[number], string[]> = {
      alertmanager: ["alertmanager-firing.json", "alertmanager-resolved.json", "alertmanager-unknown-fields.json"].map(fixture),
      grafana: ["grafana-firing.json", "grafana-resolved.json"].map(fixture),
      pagerduty: ["pagerduty-triggered.json", "pagerduty-resolved.json", "pagerduty-annotated.json"].map(fixture),
      generic: [fixture("generic.json")],
    };
    const oddValues: unknown[] = [
      null, 0, -1, 1e308, -0.5, true, "", " ", "x".repeat(5000), [], {}, [null], { a: { b: [1] } },
      "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-05-14T25:00:00Z",
      "\ud800", "\u0000", "javascript:alert(1)", "firing", "resolved", "incident", "__proto__",
    ];
    /** Replaces a few random values anywhere in a fixture with odd ones. */
    const mutate = (text: string): unknown => {
      const value = JSON.parse(text);
      for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
        let node = value;
        for (let depth = 0; depth < 6; depth++) {
          const keys = Object.keys(node);
          if (!keys.length) break;
          const key = pick(keys);
          const child = node[key];
          if (child === null || typeof child !== "object" || rand() < 0.3) {
            node[key] = pick(oddValues);
            break;
          }
          node = child;
        }
      }
      return value;
    };
    const shapes: unknown[] = [
      null, [], 1, "alerts", true, {}, { alerts: null }, { alerts: [null] }, { alerts: [{}] }, { alerts: {} },
      { alerts: [{ name: 123, status: "firing" }] },
      { alerts: [{ name: "x", status: "burning" }] },
      { alerts: [{ name: "x", status: "firing", labels: { a: { b: 1 } } }] },
      { alerts: [{ name: "x", status: "firing", labels: { "": "empty name" } }] },
      { alerts: [{ name: "x", status: "firing", startsAt: "yesterday" }] },
      { alerts: Array.from({ length: 1001 }, () => ({ name: "x", status: "firing" })) },
      { alerts: [{ status: "firing", labels: { alertname: "" }, startsAt: "2024-01-01T00:00:00Z" }] },
      { alerts: [{ status: "firing", labels: {}, startsAt: "2024-01-01T00:00:00Z" }] },
      { version: "1", alerts: [] },
      { version: 4, alerts: [] },
      { event: null },
      { event: { id: "x", event_type: "incident.triggered", resource_type: "incident", data: { type: "incident" } } },
      { event: { id: "x", event_type: "incident.triggered", resource_type: "incident", data: { type: "incident", id: "P1", teams: [null, { summary: 5 }] } } },
      { event: { id: "", event_type: "", resource_type: "", data: [] } },
    ];
    const garbage = (): string | Uint8Array<ArrayBuffer> => {
      const kind = rand();
      if (kind < 0.15) return new Uint8Array(crypto.randomBytes(1 + Math.floor(rand() * 2000)));
      if (kind < 0.35) {
        const text = pick(fixtures[pick(senders)]);
        return text.slice(0, Math.floor(rand() * text.length));
      }
      if (kind < 0.5) return JSON.stringify(pick(shapes));
      if (kind < 0.55) return "[".repeat(200_000) + "]".repeat(200_000);
      if (kind < 0.6) return `{"alerts":[${'{"name":"deep","status":"firing","labels":'.repeat(50)}`;
      if (kind < 0.8) {
        // Valid but odd: extreme times, end before start, unicode and long values, one fingerprint twice.
        const text = () => pick(["", "ünïcødé ✓", "x".repeat(1024), "<script>alert(1)</script>", "fraud-scorer", "0", "critical", "\u202e"]);
        const time = () => pick(["0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2024-05-14T09:00:00+14:00", "1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z"]);
        const alert = () => ({
          name: `Odd${Math.floor(rand() * 3)}`,
          status: pick(["firing", "resolved"]),
          severity: text(),
          fingerprint: pick(["same", undefined, text()]),
          labels: { model: text(), model_version: text(), team: text(), [text() || "k"]: text() },
          annotations: { summary: text(), description: text() },
          startsAt: time(),
          endsAt: time(),
          group: pick([undefined, text()]),
        });
        return JSON.stringify({ alerts: Array.from({ length: 1 + Math.floor(rand() * 4) }, alert) });
      }
      return JSON.stringify(mutate(pick(fixtures[pick(senders)])));
    };

    const requests = Array.from({ length: 200 }, (_, i) => {
      const body = garbage();
      const odd = typeof body === "string" && body.startsWith('{"alerts":[{"name":"Odd');
      const sender = odd ? "generic" : i % 17 === 0 ? "nagios" : pick(senders);
      const headers: Record<string, string> = i % 11 === 0 ? {} : bearer(webhookToken);
      if (i % 7 === 0) headers["Content-Type"] = pick(["text/plain", "application/x-www-form-urlencoded", "application/octet-stream"]);
      return { sender, headers, body };
    });
    const results = await Promise.all(
      requests.map(async (r) => {
        const res = await fetch(`${server.url}/api/webhooks/${r.sender}`, { method: "POST", headers: { "Content-Type": "application/json", ...r.headers }, body: r.body });
        const text = await res.text();
        return { status: res.status, text, sender: r.sender, body: typeof r.body === "string" ? r.body.slice(0, 300) : "<bytes>" };
      }),
    );
    const serverErrors = results.filter((r) => r.status >= 500);
    expect(serverErrors).toEqual([]);
    for (const r of results) {
      expect(r.status === 200 || (r.status >= 400 && r.status < 500), `${r.status} ${r.text}`).toBe(true);
      if (r.status >= 400) expect(JSON.parse(r.text).error).toEqual(expect.any(String));
    }
    expect(results.filter((r) => r.status === 400).length).toBeGreaterThan(50);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThan(20);

    // Still answering, pages and ingest alike.
    expect((await admin.get("/alerts")).status).toBe(200);
    expect((await admin.get("/alerts/rules")).status).toBe(200);
    expect((await admin.get("/settings/deliveries")).status).toBe(200);
    const ok = await post(server.url, "generic", JSON.stringify({ alerts: [{ name: "AfterTheStorm", status: "firing" }] }), bearer(webhookToken));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ duplicate: false, alerts: 1 });
  });
});

describe("no secret at rest", () => {
  it("keeps no token secret in any column of any table", () => {
    const db = new Database(server.dbFile, { readonly: true });
    try {
      const tables = (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toContain("api_tokens");
      for (const table of tables) {
        for (const row of db.prepare(`select * from "${table}"`).all() as Record<string, unknown>[]) {
          for (const [column, value] of Object.entries(row)) {
            const text = Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
            for (const secret of [webhookToken, apiToken]) expect(text.includes(secret), `${table}.${column}`).toBe(false);
          }
        }
      }
    } finally {
      db.close();
    }
  });
});

describe("Grafana signatures (GRAFANA_WEBHOOK_SECRET set)", () => {
  let grafana: RunningServer;
  let token: string;
  beforeAll(async () => {
    grafana = await startServer({ env: { GRAFANA_WEBHOOK_SECRET: GRAFANA_SECRET } });
    token = await createToken(await setupAdmin(grafana.url), "webhook", "grafana");
  });
  afterAll(async () => {
    await grafana?.dispose();
  });

  it("requires a valid X-Grafana-Alerting-Signature besides the token", async () => {
    const body = fixture("grafana-firing.json");
    const refused: [Record<string, string>, RegExp][] = [
      [bearer(token), /X-Grafana-Alerting-Signature/],
      [{ ...bearer(token), "X-Grafana-Alerting-Signature": hmac("wrong-secret", body) }, /X-Grafana-Alerting-Signature/],
      [{ ...bearer(token), "X-Grafana-Alerting-Signature": hmac(GRAFANA_SECRET, `${body}x`) }, /X-Grafana-Alerting-Signature/],
      [{ "X-Grafana-Alerting-Signature": hmac(GRAFANA_SECRET, body) }, /Missing Authorization/],
    ];
    for (const [headers, message] of refused) {
      const res = await post(grafana.url, "grafana", body, headers);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatch(message);
    }
    expect(query(grafana.dbFile, "select count(*) n from alerts")).toEqual([{ n: 0 }]);

    const ok = await post(grafana.url, "grafana", body, { ...bearer(token), "X-Grafana-Alerting-Signature": hmac(GRAFANA_SECRET, body) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ duplicate: false, alerts: 2 });
  });

  it("checks `timestamp:body` when a timestamp header is sent", async () => {
    const body = fixture("grafana-resolved.json");
    const ts = String(Math.floor(Date.now() / 1000));
    const unsignedTs = await post(grafana.url, "grafana", body, {
      ...bearer(token),
      "X-Grafana-Alerting-Signature": hmac(GRAFANA_SECRET, body),
      "X-Grafana-Alerting-Signature-Timestamp": ts,
    });
    expect(unsignedTs.status).toBe(401);
    const ok = await post(grafana.url, "grafana", body, {
      ...bearer(token),
      "X-Grafana-Alerting-Signature": hmac(GRAFANA_SECRET, `${ts}:${body}`),
      "X-Grafana-Alerting-Signature-Timestamp": ts,
    });
    expect(ok.status).toBe(200);
    expect(query(grafana.dbFile, "select status from alerts order by id")).toEqual([{ status: "resolved" }, { status: "resolved" }]);
  });

  it("does not ask other senders for a Grafana signature", async () => {
    const res = await post(grafana.url, "alertmanager", fixture("alertmanager-unknown-fields.json"), bearer(token));
    expect(res.status).toBe(200);
  });
});
