import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, Client, createToken, incidentIdFrom, setupAdmin } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;
let token: string;
/** A second signed-in admin session driven with raw fetch, so bodies and headers can be anything. */
let session: { cookie: string; csrf: string };
const ids = { incident: 0, event: 0, action: 0, alert: 0, version: 0, user: 0, klass: "" };

const SENDERS = ["alertmanager", "grafana", "pagerduty", "generic"] as const;
type Sender = (typeof SENDERS)[number];

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** Small deterministic PRNG: the same few thousand requests every run. */
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
const rand = mulberry32(0x5eed);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(server.dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Signs in as the admin with plain fetch and returns the cookies and this browser's CSRF token. */
async function rawSession(base: string): Promise<{ cookie: string; csrf: string }> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(";")[0];
      jar.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const page = await fetch(`${base}/login`);
  keep(page);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error("no CSRF token on /login");
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: cookie(), "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf, email: ADMIN.email, password: ADMIN.password }),
  });
  if (res.status !== 302) throw new Error(`sign-in failed: ${res.status}`);
  keep(res);
  // The token is bound to the session: read the signed-in one.
  const signedIn = /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${base}/incidents`, { headers: { Cookie: cookie() } })).text())?.[1];
  if (!signedIn) throw new Error("no CSRF token on /incidents");
  return { cookie: cookie(), csrf: signedIn };
}

/** What an invalid request must leave exactly as it was (token last-use times and rejected deliveries excepted). */
function snapshot() {
  return {
    incidents: query("select id, title, status, severity, version, postmortem_md, postmortem_rev, primary_class_id, trigger, is_repeat, updated_at from incidents order by id"),
    alerts: query("select id, fingerprint, status, triage, incident_id, delivery_count, model_version_id from alerts order by id"),
    timeline: query("select id, incident_id, at, kind, body from timeline_events order by id"),
    actions: query("select id, incident_id, title, status, kind from action_items order by id"),
    classes: query("select incident_id, class_id, role from incident_classes order by incident_id, class_id"),
    incidentModels: query("select incident_id, model_version_id, role from incident_models order by 1, 2, 3"),
    models: query("select id, name from models order by id"),
    versions: query("select id, model_id, version, status from model_versions order by id"),
    revisions: query("select id, incident_id from postmortem_revisions order by id"),
    users: query("select id, email, role, disabled from users order by id"),
    tokens: query("select id, name, scope, revoked_at from api_tokens order by id"),
    sessions: query("select count(*) as n from sessions"),
    // Failed sign-ins are audited on purpose (tests/security/sign-in-throttle.test.ts); nothing else may be.
    audit: query("select id, action, entity, entity_id from audit_log where action <> 'sign_in_failed' order by id"),
    reviews: query("select id, incident_id, reviewer_id, state from review_requests order by id"),
    comments: query("select id, incident_id, body from review_comments order by id"),
    channels: query("select id, name, enabled from notification_channels order by id"),
    outbox: query("select id, status from notification_outbox order by id"),
    deliveries: query("select id, outcome, alert_count from alert_deliveries where outcome <> 'rejected' order by id"),
  };
}

type Outcome = { status: number; contentType: string; body: string } | { error: string };

/** Runs `cases` 50 at a time, collecting one outcome per case. */
async function inBatches<C>(cases: C[], send: (c: C) => Promise<Outcome>): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (let i = 0; i < cases.length; i += 50) {
    out.push(...(await Promise.all(cases.slice(i, i + 50).map((c) => send(c).catch((e: Error) => ({ error: String(e.cause ?? e.message) }))))));
  }
  return out;
}

async function outcome(res: Response): Promise<Outcome> {
  return { status: res.status, contentType: res.headers.get("Content-Type") ?? "", body: await res.text() };
}

const histogram = (outcomes: Outcome[]) =>
  outcomes.reduce<Record<string, number>>((h, o) => {
    const key = "error" in o ? "network error" : String(o.status);
    h[key] = (h[key] ?? 0) + 1;
    return h;
  }, {});

// ---------------------------------------------------------------------------------------------------------------
// Webhook bodies: every one is invalid for its sender by construction.

const fixture = (name: string) => fs.readFileSync(`tests/fixtures/webhooks/${name}.json`, "utf8");
const TEMPLATES: Record<Sender, string> = {
  alertmanager: fixture("alertmanager-firing"),
  grafana: fixture("grafana-firing"),
  pagerduty: fixture("pagerduty-triggered"),
  generic: fixture("generic"),
};
// Fixture bodies are edited freely to break them.
type Json = any;
const template = (sender: Sender): Json => JSON.parse(TEMPLATES[sender]);

const BAD_STATUS: Json[] = ["FIRING", "fired", "firing\u0000", "resolved ", "\u202efiring", "ﬁring", null, 1, true, [], {}];
const BAD_TIME: Json[] = [
  "yesterday",
  "2024-02-30T00:00:00Z",
  "2024-13-01T00:00:00Z",
  "2024-01-01T24:00:00Z",
  "2024-01-01T00:00:00+25:00",
  "2024-01-01",
  "１２３４-01-01T00:00:00Z",
  "1714000000",
  1714000000000,
  1e308,
  -1,
  true,
  [],
  {},
];
const LABEL_NOT_SCALAR: Json[] = [null, {}, [], { nested: { deeper: 1 } }, [1, 2]];
const HUGE_NUMBERS = ["1e999999", "-1e999999", "123456789012345678901234567890123456789", "0.0000000000000000000000000000001e-400"];

function nested(levels: number, leaf = "null"): string {
  return '{"a":'.repeat(levels) + leaf + "}".repeat(levels);
}

/** Replaces one alert of an alert-list body with a guaranteed defect. */
function breakAlert(sender: Exclude<Sender, "pagerduty">, body: Json): string {
  const i = int(body.alerts.length);
  const alert = body.alerts[i];
  const prom = sender !== "generic";
  switch (int(12)) {
    case 0:
      alert.status = pick(BAD_STATUS);
      break;
    case 1: {
      const r = rand();
      if (!prom) delete alert[pick(["name", "status"])];
      else if (r < 0.3) delete alert.startsAt;
      else if (r < 0.6) delete alert.labels.alertname;
      else alert.labels.alertname = pick(["", "   ", null, {}]);
      break;
    }
    case 2:
      alert.startsAt = pick(BAD_TIME);
      break;
    case 3:
      alert.labels = pick(["x", 5, true, [], ["a"], null]);
      break;
    case 4:
      alert.labels = { ...alert.labels, [pick(["team", "model", "x"])]: pick(LABEL_NOT_SCALAR) };
      break;
    case 5: {
      const long = "L".repeat(1025 + int(5000));
      const kind = int(3);
      alert.labels = { ...alert.labels, ...(kind === 0 ? { x: long } : kind === 1 ? { [long]: "v" } : { "": "empty name" }) };
      break;
    }
    case 6:
      alert.annotations = { ...alert.annotations, description: "A".repeat(65_537) };
      break;
    case 7:
      body.alerts = pick(["x", 1, {}, null, true, { 0: alert }]);
      break;
    case 8:
      if (prom) body.version = pick([sender === "grafana" ? "4" : "1", 4, null, ["4"]]);
      else alert.name = pick(["", 1, null, [], "n".repeat(1025)]);
      break;
    case 9: {
      // The last duplicate key wins in JSON.parse: a valid status followed by a bogus one.
      const text = JSON.stringify({ ...body, alerts: body.alerts.map((a: Json, k: number) => (k === i ? "__DUP__" : a)) });
      return text.replace('"__DUP__"', `${JSON.stringify(alert).slice(0, -1)},"status":"firing","status":"nope"}`);
    }
    case 10:
      if (prom) alert.endsAt = pick(BAD_TIME);
      else alert[pick(["severity", "fingerprint", "group"])] = pick([1e308, -1, true, {}, [], "s".repeat(1025)]);
      break;
    default: {
      // Unicode and NUL where they can never be valid: in a status, and in an over-long label.
      alert.status = pick(["firing\u0000", "\ud800firing", "🔥", "\u0000"]);
      alert.labels = { ...alert.labels, "\u0000\ud83d": "\u0000".repeat(10) };
      break;
    }
  }
  return JSON.stringify(body);
}

function breakPagerDuty(body: Json): string {
  const event = body.event;
  switch (int(11)) {
    case 0:
      return JSON.stringify({ events: [event] });
    case 1:
      body.event = pick(["x", 1, [], null, true]);
      break;
    case 2:
      event.id = pick(["", 1, null, [], "i".repeat(1025)]);
      break;
    case 3:
      event[pick(["event_type", "resource_type"])] = pick(["", 1, null, {}, []]);
      break;
    case 4:
      event.occurred_at = pick(BAD_TIME);
      break;
    case 5:
      event.data = pick(["x", 1, [], null, true, [event.data]]);
      break;
    case 6:
      event.data.id = pick(["", 1, null, [], {}, "i".repeat(1025)]);
      break;
    case 7:
      event.data.title = pick([1, [], {}, "t".repeat(1025)]);
      break;
    case 8:
      event.data.created_at = pick(BAD_TIME);
      break;
    case 9:
      event.data[pick(["teams", "priority", "service"])] = pick(["x", 1, [1], [[]]]);
      break;
    default:
      event.data.status = pick([1, [], {}, true]);
      break;
  }
  return JSON.stringify(body);
}

const breakBody = (sender: Sender): string => (sender === "pagerduty" ? breakPagerDuty(template(sender)) : breakAlert(sender, template(sender)));

const KEYS = ["a", "status", "labels", "name", "__proto__", "constructor", "prototype", "version", "data", "0", "", "\u0000", "🔑", "alerts ", "Alerts"];
const SCALARS: Json[] = [null, true, false, 0, -0, 1e308, -1e-308, "", "\u0000", "💥", "\ud800", "a".repeat(300), "null", "[]"];
/** Random JSON with no "alerts" or "event" key at the top, so no sender can accept it. */
function randomJson(depth = 0): Json {
  const r = rand();
  if (depth > 4 || r < 0.35) return pick(SCALARS);
  if (r < 0.6) return Array.from({ length: int(6) }, () => randomJson(depth + 1));
  return Object.fromEntries(Array.from({ length: int(6) }, () => [pick(KEYS), randomJson(depth + 1)]));
}

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = int(256);
  return bytes;
}

type Body = string | Uint8Array<ArrayBuffer>;
type WebhookCase = { what: string; method: string; path: string; headers: Record<string, string>; body?: Body; oversized?: boolean };

function webhookCases(total: number): WebhookCase[] {
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const json = (what: string, sender: Sender, body: Body, headers: Record<string, string> = { "Content-Type": "application/json" }): WebhookCase => ({
    what,
    method: "POST",
    path: `/api/webhooks/${sender}`,
    headers: { ...auth(), ...headers },
    body,
  });
  const cases: WebhookCase[] = [];
  for (const sender of SENDERS) {
    const fixed: [string, string][] = [
      ["10,000 nested arrays", "[".repeat(10_000) + "]".repeat(10_000)],
      ["100,000 nested arrays", "[".repeat(100_000) + "]".repeat(100_000)],
      ["10,000 nested objects", nested(10_000)],
      ["unterminated nesting", "[".repeat(50_000)],
      ["empty body", ""],
      ["whitespace body", " \n\t "],
      ["BOM + object", "\ufeff{}"],
      ["prototype keys", '{"__proto__":{"alerts":[],"event":{}},"constructor":{"prototype":{"alerts":[],"event":{}}}}'],
      ...HUGE_NUMBERS.map((n): [string, string] => [`huge number ${n.slice(0, 12)}`, sender === "pagerduty" ? `{"event":${n}}` : `{"alerts":${n}}`]),
      ...(["null", "true", "0", '"alerts"', "[]", "[{}]"] as const).map((t): [string, string] => [`top-level ${t}`, t]),
    ];
    if (sender === "pagerduty") {
      fixed.push(["nested data.id", `{"event":{"id":"e1","event_type":"incident.triggered","resource_type":"incident","data":{"type":"incident","id":${nested(10_000)}}}}`]);
      fixed.push(["huge event id", `{"event":{"id":1e999,"event_type":"incident.triggered","resource_type":"incident","data":{}}}`]);
    } else {
      const alert = template(sender).alerts[0];
      fixed.push(["nested label value", JSON.stringify({ ...template(sender), alerts: [{ ...alert, labels: { x: "__N__" } }] }).replace('"__N__"', nested(10_000))]);
      fixed.push(["1,001 alerts", JSON.stringify({ ...template(sender), alerts: Array.from({ length: 1_001 }, () => alert) })]);
      fixed.push(["huge startsAt", JSON.stringify({ ...template(sender), alerts: [{ ...alert, startsAt: "__T__" }] }).replace('"__T__"', "1e999999")]);
    }
    for (const [what, body] of fixed) cases.push(json(what, sender, body));
    // Bodies over the 1 MiB limit are refused before they are read.
    cases.push({ ...json("over 1 MiB", sender, "x".repeat(1024 * 1024 + 1)), oversized: true });
    cases.push({ ...json("over 1 MiB of JSON", sender, JSON.stringify({ alerts: [{ name: "big", status: "firing", annotations: { d: "d".repeat(1024 * 1024) } }] })), oversized: true });
    // Invalid bytes around JSON structure: decoded as U+FFFD, still invalid.
    cases.push(json("invalid UTF-8", sender, new Uint8Array([...Buffer.from('{"alerts":[{"name":"'), 0xff, 0xfe, 0xc0, ...Buffer.from('","status":"nope"}]}')])));
  }

  const KINDS = ["bytes", "truncated", "broken", "broken", "broken", "random json", "method", "auth", "content type", "sender"] as const;
  while (cases.length < total) {
    const sender = SENDERS[cases.length % SENDERS.length];
    const kind = pick(KINDS);
    switch (kind) {
      case "bytes":
        cases.push(json("random bytes", sender, randomBytes(int(3_000)), pick<Record<string, string>>([{}, { "Content-Type": "application/json" }, { "Content-Type": "application/octet-stream" }])));
        break;
      case "truncated": {
        const text = JSON.stringify(template(sender));
        cases.push(json("truncated JSON", sender, text.slice(0, int(text.length))));
        break;
      }
      case "broken":
        cases.push(json("invalid payload", sender, breakBody(sender)));
        break;
      case "random json":
        cases.push(json("random JSON", sender, JSON.stringify(randomJson())));
        break;
      case "method": {
        const method = pick(["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
        cases.push({ what: `method ${method}`, method, path: `/api/webhooks/${sender}`, headers: auth(), body: ["GET", "HEAD"].includes(method) ? undefined : TEMPLATES[sender] });
        break;
      }
      case "auth": {
        const authorization = pick([
          "",
          "Bearer",
          "Bearer ",
          "Basic dXNlcjpwYXNz",
          `Bearer ${token}x`,
          `Bearer ${token.slice(0, -1)}`,
          `Bearer ${"A".repeat(4_000)}`,
          `Token ${token}`,
          `Bearer ${token} ${token}`,
          "Bearer \xff\xfe",
        ]);
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (authorization) headers.Authorization = authorization;
        cases.push({ what: `authorization "${authorization.slice(0, 20)}"`, method: "POST", path: `/api/webhooks/${sender}`, headers, body: TEMPLATES[sender] });
        break;
      }
      case "content type":
        cases.push(
          json("invalid payload, odd content type", sender, breakBody(sender), pick<Record<string, string>>([
            { "Content-Type": "text/plain" },
            { "Content-Type": "application/x-www-form-urlencoded" },
            { "Content-Type": "multipart/form-data; boundary=nope" },
            { "Content-Type": "application/json; charset=utf-16" },
            { "Content-Type": "application/json;;;" },
            { "Content-Encoding": "gzip", "Content-Type": "application/json" },
          ])),
        );
        break;
      case "sender": {
        const path = pick(["GENERIC", "nagios", "%00", "generic%20", "..%2Fgeneric", "generic.json", "x".repeat(2_000), "%F0%9F%94%A5", "__proto__", "constructor"]);
        cases.push({ what: `sender ${path.slice(0, 20)}`, method: "POST", path: `/api/webhooks/${path}`, headers: { ...auth(), "Content-Type": "application/json" }, body: TEMPLATES.generic });
        break;
      }
    }
  }
  return cases.slice(0, total);
}

async function sendWebhook(c: WebhookCase): Promise<Outcome> {
  return outcome(await fetch(server.url + c.path, { method: c.method, headers: c.headers, body: c.body }));
}

/** The upload stops part-way and the socket closes: the app must not crash, nor keep the half body. */
function abortedUpload(marker: string): Promise<void> {
  return new Promise((resolve) => {
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), "127.0.0.1", () => {
      const partial = `{"alerts":[{"name":"${marker}","status":"firing","labels":{"x":"`;
      socket.write(
        `POST /api/webhooks/generic HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n${partial}`,
      );
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve());
  });
}

/** Raw HTTP the fetch API cannot send: bad chunking, a lying Content-Length. Resolves with the status line, if any. */
function rawHttp(request: string): Promise<string> {
  return new Promise((resolve) => {
    const { port } = new URL(server.url);
    let answer = "";
    const socket = net.connect(Number(port), "127.0.0.1", () => socket.end(request));
    socket.setTimeout(3_000, () => socket.destroy());
    socket.on("data", (c) => (answer += c));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(answer.split("\r\n")[0]));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Form posts

type FormCase = { what: string; method: string; path: string; cookie: boolean; contentType?: string; body: Body };

const GARBAGE = [
  "",
  " ",
  "\u0000",
  "-1",
  "0",
  "1e309",
  "NaN",
  "Infinity",
  "9007199254740993",
  "2026-02-30T10:00",
  "9999-99-99",
  "0000-00-00T00:00",
  "2026-03-01T25:61",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "../../etc/passwd",
  "[object Object]",
  "🔥".repeat(500),
  "true",
  "null",
  "%00",
  "\r\n\r\n",
  "\ud800",
  "a".repeat(10_000),
];
/** Never a member of any enum the forms accept (statuses, kinds, roles, scopes, severities, triage, intents). */
const POISON = ["SEV0", "sev1", "FIRING", "admin ", "\u0000", "<b>", "🔥", "__proto__", "constructor", "toString", "1", "-1", "x".repeat(5_000), "%"];
const BAD_ID = ["-1", "0", "abc", "1.5", "", " ", "-0", "NaN", "Infinity", "1e309", "0.1", "-99999999999"];
const BAD_PATH_ID = ["-1", "0", "abc", "99999999", "1e3", "99999999999999999999", "%20", "%00", "1.5", "Infinity"];

const garbage = () => (rand() < 0.01 ? "H".repeat(300_000) : pick(GARBAGE));

/** One form target with fields that look plausible except for at least one that can never validate. */
function poisonedForm(): { path: string; fields: [string, string][] } {
  const I = rand() < 0.85 ? String(ids.incident) : pick(BAD_PATH_ID);
  const incidentFields = (): [string, string][] => [
    ["title", pick(["Model served stale features", garbage()])],
    ["severity", pick(POISON)],
    ["team", garbage()],
    ["summary", garbage()],
    ["impact", garbage()],
    ["detectionSource", pick(["alert", garbage()])],
    ["startedAt", pick(["2026-03-01T10:00", garbage()])],
    ["detectedAt", garbage()],
    ["mitigatedAt", garbage()],
    ["resolvedAt", garbage()],
  ];
  const targets: (() => { path: string; fields: [string, string][] })[] = [
    () => ({ path: "/incidents/new", fields: incidentFields() }),
    () => ({ path: `/incidents/${I}/edit`, fields: [...incidentFields(), ["version", pick(["1", ...BAD_ID])]] }),
    () => ({
      path: `/incidents/${I}/status`,
      fields: [["to", pick(POISON)], ["detectedAt", garbage()], ["mitigatedAt", garbage()], ["resolvedAt", garbage()], ["note", garbage()]],
    }),
    () => ({ path: `/incidents/${I}`, fields: [["intent", "timeline.add"], ["at", pick(["2026-03-01T10:00", garbage()])], ["kind", pick(POISON)], ["body", garbage()]] }),
    () => ({ path: `/incidents/${I}/timeline/${pick(BAD_PATH_ID)}`, fields: [["intent", pick(["delete", "save"])], ["at", garbage()], ["kind", pick(POISON)], ["body", garbage()]] }),
    () => ({ path: `/incidents/${I}/actions/${pick(BAD_PATH_ID)}`, fields: [["intent", pick(["delete", "save"])], ["title", garbage()], ["kind", pick(POISON)]] }),
    () => ({ path: `/incidents/${I}/people`, fields: [["intent", pick(["assign", ...POISON])], ["ownerId", pick(BAD_ID.filter((v) => v))], ["leadId", pick(BAD_ID.filter((v) => v))]] }),
    () => ({ path: `/incidents/${I}/review`, fields: [["intent", pick(["review.request", ...POISON])], ["reviewers", pick(BAD_ID)]] }),
    () => ({ path: `/incidents/${I}/review`, fields: [["intent", "review.comment"], ["body", ""], ["quote", garbage()], ["verdict", pick(POISON)]] }),
    () => ({ path: `/incidents/${I}/triage`, fields: [["intent", pick(["merge", "move", ...POISON])], ["targetId", pick(BAD_ID)], ["alertIds", pick(BAD_ID)]] }),
    () => ({ path: "/actions", fields: [["incidentId", pick(BAD_ID)], ["actionId", pick(BAD_ID)]] }),
    () => ({ path: "/settings/notifications", fields: [["intent", pick(["channel.create", ...POISON])], ["name", garbage()], ["kind", pick(POISON)], ["url", garbage()], ["secret", garbage()], ["events", pick(POISON)]] }),
    () => ({ path: "/settings/notifications", fields: [["intent", pick(["retry", "channel.enable", "channel.disable"])], ["notificationId", pick(BAD_ID)], ["channelId", pick(BAD_ID)]] }),
    () => ({ path: `/incidents/${I}`, fields: [["intent", "action.add"], ["title", garbage()], ["owner", garbage()], ["dueAt", garbage()], ["kind", pick(POISON)]] }),
    () => ({ path: `/incidents/${I}`, fields: [["intent", "action.status"], ["actionId", pick([String(ids.action), ...BAD_ID])], ["status", pick(POISON)]] }),
    () => ({ path: `/incidents/${I}`, fields: [["intent", pick(["model.link", "model.unlink"])], ["versionId", pick([String(ids.version), ...BAD_ID])], ["role", pick(POISON)]] }),
    () => ({ path: `/incidents/${I}`, fields: [["intent", pick([...POISON, "", "timeline.ADD", "status "])], ["status", "investigating"]] }),
    () => ({ path: `/incidents/${I}`, fields: [] }),
    () => ({ path: `/incidents/${I}/postmortem`, fields: [["intent", pick(["save", ...POISON])], ["rev", pick(["-1", "abc", "NaN", "1.5"])], ["markdown", garbage()]] }),
    () => ({
      path: `/incidents/${I}/classify`,
      fields: [
        ["primary", pick(["", "no.such.class", "../etc", ids.klass.toUpperCase(), garbage()])],
        ["contributing", garbage()],
        ["factors", garbage()],
        ["trigger", garbage()],
        ["lifecycleStage", garbage()],
      ],
    }),
    () => ({ path: "/settings/users", fields: [["intent", "create"], ["email", garbage()], ["name", garbage()], ["role", pick(POISON)], ["password", garbage()]] }),
    () => ({ path: "/settings/users", fields: [["intent", "update"], ["userId", pick([String(ids.user), ...BAD_ID])], ["role", pick(POISON)], ["disabled", pick(["0", "1", ...POISON])]] }),
    () => ({ path: "/settings/tokens", fields: [["intent", "create"], ["name", garbage()], ["scope", pick(POISON)]] }),
    () => ({ path: "/settings/tokens", fields: [["intent", "revoke"], ["tokenId", pick(BAD_ID)]] }),
    () => ({ path: "/settings/tokens", fields: [["intent", pick(POISON)]] }),
    () => ({ path: "/alerts", fields: [["intent", "triage"], ["alertId", pick([String(ids.alert), ...BAD_ID])], ["triage", pick(POISON)]] }),
    () => ({ path: "/alerts", fields: [["intent", "link"], ["alertId", pick([String(ids.alert), ...BAD_ID])], ["incidentId", pick(["abc", "#x", "1.5", "-1", "#-1", "1 2", "\u0000"])]] }),
    () => ({ path: "/login", fields: [["email", pick(["", ADMIN.email, garbage()])], ["password", ""]] }),
    () => ({ path: "/login", fields: [["email", ""], ["password", garbage()]] }),
  ];
  const form = pick(targets)();
  // Sometimes a field twice (garbage first: the last value is the one read), or an extra field nobody expects.
  if (form.fields.length && rand() < 0.2) form.fields.unshift([pick(form.fields)[0], garbage()]);
  if (rand() < 0.2) form.fields.push([pick(["extra", "csrf2", "__proto__", "redirectTo", "id"]), garbage()]);
  return form;
}

const encode = (fields: [string, string][]) => new URLSearchParams(fields).toString();

function formCases(total: number): FormCase[] {
  const cases: FormCase[] = [];
  const wrongCsrf = () => pick(["", "x", session.csrf.slice(0, -1) + (session.csrf.endsWith("A") ? "B" : "A"), session.csrf + "x", "\u0000".repeat(32), "A".repeat(5_000)]);
  const FORM = "application/x-www-form-urlencoded";
  while (cases.length < total) {
    const { path, fields } = poisonedForm();
    const r = rand();
    if (r < 0.15) cases.push({ what: "no csrf", method: "POST", path, cookie: true, contentType: FORM, body: encode(fields) });
    else if (r < 0.3) cases.push({ what: "wrong csrf", method: "POST", path, cookie: true, contentType: FORM, body: encode([["csrf", wrongCsrf()], ...fields]) });
    else if (r < 0.35) cases.push({ what: "signed out", method: "POST", path, cookie: false, contentType: FORM, body: encode([["csrf", session.csrf], ...fields]) });
    else if (r < 0.4) {
      const method = pick(["PUT", "PATCH", "DELETE"]);
      cases.push({ what: `method ${method}`, method, path, cookie: true, contentType: FORM, body: encode([["csrf", session.csrf], ...fields]) });
    } else if (r < 0.47) {
      const [contentType, body] = pick<[string | undefined, Body]>([
        ["multipart/form-data; boundary=nope", `--nope\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${session.csrf}`],
        ["multipart/form-data", encode([["csrf", session.csrf], ...fields])],
        ["application/json", JSON.stringify(Object.fromEntries([["csrf", session.csrf], ...fields]))],
        ["text/plain", encode([["csrf", session.csrf], ...fields])],
        [undefined, randomBytes(int(2_000))],
        [FORM, randomBytes(int(2_000))],
      ]);
      cases.push({ what: `content type ${contentType}`, method: "POST", path, cookie: true, contentType, body });
    } else cases.push({ what: "poisoned fields", method: "POST", path, cookie: true, contentType: FORM, body: encode([["csrf", session.csrf], ...fields]) });
  }
  return cases;
}

async function sendForm(c: FormCase): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (c.cookie) headers.Cookie = session.cookie;
  if (c.contentType) headers["Content-Type"] = c.contentType;
  // Large bodies go on a connection of their own: a server that answers without reading them resets the
  // connection afterwards (see the keep-alive test below), which must not fail unrelated requests here.
  if (c.body.length > 64 * 1024) return oneShot(c.method, c.path, headers, c.body);
  return outcome(await fetch(server.url + c.path, { method: c.method, redirect: "manual", headers, body: c.body }));
}

/** One request on a fresh connection that is closed afterwards. */
function oneShot(method: string, path: string, headers: Record<string, string>, body: Body): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = http.request(server.url + path, { method, headers: { ...headers, Connection: "close" }, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), body: text }));
      res.on("error", reject);
    });
    // The server may answer and close before it has read the whole body; the answer is what counts.
    req.on("error", (e) => reject(e));
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------------------------

const incidentForm = {
  title: "Feature store served stale embeddings",
  severity: "SEV2",
  team: "ranking",
  detectionSource: "alert",
  startedAt: "2026-03-01T10:00",
  detectedAt: "2026-03-01T10:20",
  mitigatedAt: "",
  resolvedAt: "",
  summary: "Embeddings stopped refreshing.",
  impact: "CTR fell 8%.",
};

function postWebhook(sender: Sender, body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/webhooks/${sender}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

let before: ReturnType<typeof snapshot>;
let deliveriesBefore = 0;

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
  token = await createToken(admin, "webhook", "hostile");
  ids.incident = incidentIdFrom(await admin.submit("/incidents/new", incidentForm));
  const page = `/incidents/${ids.incident}`;
  expect((await admin.submit(page, { intent: "timeline.add", at: "2026-03-01T10:05", kind: "note", body: "Baseline entry" })).status).toBe(302);
  expect((await admin.submit(page, { intent: "action.add", title: "Alert on embedding age", owner: "", dueAt: "", kind: "detect" })).status).toBe(302);
  const alert = await postWebhook("generic", {
    alerts: [{ name: "HostileBaseline", status: "firing", fingerprint: "baseline", labels: { model: "ranker", model_version: "1.0" } }],
  });
  expect(alert.status).toBe(200);
  ids.event = query<{ id: number }>("select id from timeline_events where incident_id = ?", ids.incident)[0].id;
  ids.action = query<{ id: number }>("select id from action_items")[0].id;
  ids.alert = query<{ id: number }>("select id from alerts")[0].id;
  ids.version = query<{ id: number }>("select id from model_versions")[0].id;
  ids.user = query<{ id: number }>("select id from users")[0].id;
  ids.klass = query<{ id: string }>("select id from failure_classes where kind = 'class' and status = 'active' order by id")[0].id;
  session = await rawSession(server.url);
  before = snapshot();
  deliveriesBefore = query<{ n: number }>("select count(*) as n from alert_deliveries")[0].n;
});

afterAll(async () => {
  await server?.dispose();
});

// The large cases are bounded by their count, not by the clock: on a loaded machine they take longer and still
// finish. This timeout only stops a hang.
const COUNTED = { timeout: 300_000 };

describe("hostile input", () => {
  it("answers 3,000 malformed webhook deliveries with a 4xx and a JSON error, never a 5xx", COUNTED, async () => {
    const cases = webhookCases(3_000);
    const outcomes = await inBatches(cases, sendWebhook);
    expect(outcomes).toHaveLength(cases.length);
    const bad: string[] = [];
    outcomes.forEach((o, i) => {
      const c = cases[i];
      const label = `${c.method} ${c.path.slice(0, 40)} [${c.what}]`;
      if ("error" in o) {
        // A body over the limit is refused before it is read; the client may see the connection close.
        if (!c.oversized) bad.push(`${label}: ${o.error}`);
        return;
      }
      if (o.status < 400 || o.status >= 500) bad.push(`${label}: ${o.status} ${o.body.slice(0, 200)}`);
      else if (c.method !== "HEAD") {
        let error: unknown;
        try {
          error = JSON.parse(o.body).error;
        } catch {
          error = undefined;
        }
        if (!o.contentType.includes("application/json") || typeof error !== "string" || !error) {
          bad.push(`${label}: ${o.status} not a JSON error: ${o.contentType} ${o.body.slice(0, 200)}`);
        }
      }
    });
    expect(bad.slice(0, 20), `${bad.length} bad answers; statuses ${JSON.stringify(histogram(outcomes))}`).toEqual([]);
  });

  it("survives aborted uploads and malformed HTTP without keeping half a body", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => abortedUpload(`aborted-upload-${i}`)));
    const raw = await Promise.all([
      rawHttp(`POST /api/webhooks/generic HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`),
      rawHttp(`POST /api/webhooks/generic HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}{}{}{}`),
      rawHttp(`POST /api/webhooks/generic HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}`),
      rawHttp(`GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n`),
      rawHttp(`POST /api/webhooks/generic HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
      rawHttp(`POST /incidents/new HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b`),
    ]);
    for (const status of raw) expect(status === "" || /^HTTP\/1\.1 [1-4]\d\d /.test(status), status).toBe(true);
    expect((await fetch(`${server.url}/api/webhooks/generic`, { method: "POST", body: "{}" })).status).toBe(401);
    expect(query("select id, outcome, substr(body, 1, 60) as body from alert_deliveries where body like '%aborted-upload-%'")).toEqual([]);
  });

  it("answers garbage form posts on every form with a 4xx or a redirect, never a 5xx", COUNTED, async () => {
    const cases = formCases(1_200);
    const outcomes = await inBatches(cases, sendForm);
    expect(outcomes).toHaveLength(cases.length);
    const bad = outcomes.flatMap((o, i) => {
      const c = cases[i];
      const label = `${c.method} ${c.path.slice(0, 40)} [${c.what}] ${typeof c.body === "string" ? c.body.slice(0, 120) : "<bytes>"}`;
      if ("error" in o) return [`${label}: ${o.error}`];
      return o.status >= 500 ? [`${label}: ${o.status} ${o.body.replace(/\s+/g, " ").slice(0, 300)}`] : [];
    });
    expect(bad.slice(0, 20), `${bad.length} bad answers; statuses ${JSON.stringify(histogram(outcomes))}`).toEqual([]);
    // A few wrong passwords too, signed out (each costs a scrypt hash, so not thousands).
    for (const password of ["wrong password", "x".repeat(100_000), "\u0000", `${ADMIN.password} `]) {
      const res = await new Client(server.url).submit("/login", { email: ADMIN.email, password });
      expect(res.status).toBe(400);
    }
  });

  it("is still healthy afterwards, and the invalid requests wrote nothing but rejected deliveries", async () => {
    expect((await admin.get("/incidents")).status).toBe(200);
    expect(query("pragma integrity_check")).toEqual([{ integrity_check: "ok" }]);
    expect(query("pragma foreign_key_check")).toEqual([]);
    expect(snapshot()).toEqual(before);
    const rejected = query<{ outcome: string; error: string | null; alert_count: number }>(
      "select outcome, error, alert_count from alert_deliveries where id > ? order by id",
      deliveriesBefore,
    );
    expect(rejected.length).toBeGreaterThan(1_000);
    expect(rejected.filter((d) => d.outcome !== "rejected" || !d.error || d.alert_count !== 0)).toEqual([]);
  });

  it("answers 404 for every form aimed at an incident that does not exist, and writes nothing", async () => {
    const missing = "/incidents/99999999";
    const posts: [string, Record<string, string>][] = [
      [`${missing}/status`, { to: "investigating" }],
      [missing, { intent: "timeline.add", at: "2026-03-01T10:00", kind: "note", body: "ghost" }],
      [`${missing}/timeline/${ids.event}`, { intent: "delete" }],
      [`${missing}/actions/${ids.action}`, { intent: "delete" }],
      [`${missing}/people`, { intent: "claim" }],
      [`${missing}/review`, { intent: "review.comment", body: "ghost comment", quote: "" }],
      [`${missing}/triage`, { intent: "dismiss" }],
      [missing, { intent: "action.add", title: "Ghost action", owner: "", dueAt: "", kind: "detect" }],
      [missing, { intent: "action.status", actionId: String(ids.action), status: "done" }],
      [missing, { intent: "model.link", versionId: String(ids.version), role: "affected" }],
      [missing, { intent: "model.unlink", versionId: String(ids.version), role: "affected" }],
      [`${missing}/postmortem`, { intent: "save", rev: "0", markdown: "## Ghost" }],
      [`${missing}/classify`, { primary: ids.klass }],
      [`${missing}/edit`, { ...incidentForm, version: "1" }],
      ["/incidents/-5/status", { to: "investigating" }],
      ["/alerts", { intent: "triage", alertId: "99999999", triage: "noise" }],
      ["/settings/users", { intent: "update", userId: "99999999", role: "viewer", disabled: "1" }],
      ["/settings/tokens", { intent: "revoke", tokenId: "99999999" }],
    ];
    const audit = snapshot().audit;
    const answers: string[] = [];
    for (const [path, fields] of posts) {
      const res = await fetch(server.url + path, {
        method: "POST",
        redirect: "manual",
        headers: { Cookie: session.cookie, "Content-Type": "application/x-www-form-urlencoded" },
        body: encode([["csrf", session.csrf], ...Object.entries(fields)]),
      });
      answers.push(`${path} ${fields.intent ?? ""} -> ${res.status}`);
    }
    const written = snapshot().audit.slice(audit.length);
    expect({ answers, written }).toEqual({ answers: posts.map(([path, fields]) => `${path} ${fields.intent ?? ""} -> 404`), written: [] });
  });

  it("still takes valid requests, including odd but legal deliveries, whole", async () => {
    const page = `/incidents/${ids.incident}`;
    expect((await admin.submit(page, { intent: "timeline.add", at: "2026-03-01T11:00", kind: "observation", body: "Still works" })).status).toBe(302);
    expect(query("select body from timeline_events where incident_id = ? and body = 'Still works'", ids.incident)).toHaveLength(1);

    const labels = { team: "ünïcödé-チーム", note: "nul\u0000inside", emoji: "🔥🧯", rtl: "\u202eevil", long: "v".repeat(1_024) };
    // 1,000 alerts is the limit; the longest legal label on a few keeps the body under 1 MiB.
    const alerts = Array.from({ length: 1_000 }, (_, i) => ({
      name: "LegalButOdd",
      status: "firing",
      fingerprint: `odd-${i}`,
      group: "odd",
      labels: i < 10 ? labels : { ...labels, long: "v" },
    }));
    const res = await postWebhook("generic", { alerts });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ duplicate: false, alerts: 1_000 });
    const stored = query<{ labels: string }>("select labels from alerts where fingerprint like 'odd-%' order by id");
    expect(stored).toHaveLength(1_000);
    expect(JSON.parse(stored[0].labels)).toEqual({ ...labels, alertname: "LegalButOdd" });
    expect(query("select alert_count from alert_deliveries order by id desc limit 1")).toEqual([{ alert_count: 1_000 }]);
  });

  it("renders hostile Markdown in a postmortem inert", async () => {
    const id = incidentIdFrom(await admin.submit("/incidents/new", { ...incidentForm, title: "XSS probe incident" }));
    const empty = await (await admin.get(`/incidents/${id}`)).text();
    const markdown = [
      "## Root cause",
      "",
      "Plain **text** stays.",
      "",
      "<script>alert('script')</script>",
      "",
      '<img src="x" onerror="alert(\'img\')">',
      "",
      "[click me](javascript:alert('link'))",
      "",
      "[mixed case](JaVaScRiPt:alert('mixed'))",
      "",
      "[entity](&#106;avascript:alert('entity'))",
      "",
      "![pixel](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
      "",
      '<a href="data:text/html,<script>alert(1)</script>">data link</a>',
      "",
      "<svg onload=\"alert('svg')\"><circle r=\"1\"/></svg>",
      "",
      '<iframe src="https://evil.example/"></iframe>',
      "",
      '<div onclick="alert(1)" style="background:url(javascript:alert(1))">div</div>',
      "",
      '<object data="x"></object><embed src="x"><form action="https://evil.example"><button>go</button></form>',
      "",
      '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
      "",
      "[vb](vbscript:msgbox(1))",
      "",
      "<img src=x onerror=alert(1)//",
      "",
      '<a href=" javascript:alert(1)">spaced</a> <a href="java\tscript:alert(1)">tabbed</a>',
      "",
      '<details open ontoggle="alert(1)"><summary>s</summary></details>',
    ].join("\n");
    const editor = await (await admin.get(`/incidents/${id}/postmortem`)).text();
    const rev = /name="rev" value="(\d+)"/.exec(editor)?.[1];
    expect(rev).toBeDefined();
    expect((await admin.submit(`/incidents/${id}/postmortem`, { intent: "save", rev: rev!, markdown })).status).toBe(302);

    const page = await (await admin.get(`/incidents/${id}`)).text();
    const article = /<article class="prose">([\s\S]*?)<\/article>/.exec(page)?.[1];
    expect(article).toBeDefined();
    expect(article).toContain("Plain <strong>text</strong> stays.");
    // Escaped text such as "&lt;img onerror=…" is inert: attributes are checked inside real tags only.
    const tags = (html: string) => html.match(/<[a-z][^>]*>/gi) ?? [];
    const activeTags = (html: string) =>
      tags(html).filter((t) => /^<(script|iframe|svg|object|embed|form|math|style|link|meta|base)\b/i.test(t) || /\son\w+\s*=|style\s*=|(href|src|action|xlink:href)\s*=\s*["']?\s*(javascript|vbscript|data):/i.test(t));
    expect(activeTags(article!)).toEqual([]);
    expect(article).not.toMatch(/<script|javascript:|vbscript:/i);
    // Beyond the write-up: the page has exactly the scripts it had without one, and no handler or URL got out.
    const scripts = (html: string) => (html.match(/<script/gi) ?? []).length;
    expect(scripts(page)).toBe(scripts(empty));
    expect(tags(page).filter((t) => /\son\w+\s*=|(href|src)\s*=\s*["']?\s*(javascript|vbscript|data):/i.test(t))).toEqual([]);
    expect(page).not.toMatch(/javascript:|vbscript:/i);

    // The preview and the revision page render the same Markdown; they must be inert too.
    const preview = await admin.submit(`/incidents/${id}/postmortem`, { intent: "preview", rev: String(Number(rev) + 1), markdown });
    const previewHtml = await preview.text();
    expect(preview.status).toBe(200);
    // The editor repeats the Markdown as escaped text in its textarea; the rendered preview must be inert.
    const previewArticle = /<article class="prose">([\s\S]*?)<\/article>/.exec(previewHtml)?.[1];
    expect(previewArticle).toContain("Plain <strong>text</strong> stays.");
    expect(activeTags(previewArticle!)).toEqual([]);
    expect(previewArticle).not.toMatch(/<script|javascript:|vbscript:/i);
    expect(scripts(previewHtml)).toBe(scripts(editor));
    expect(tags(previewHtml).filter((t) => /\son\w+\s*=/i.test(t))).toEqual([]);
    const revision = await admin.html(`/incidents/${id}/revisions/${Number(rev) + 1}`);
    expect(revision.res.status).toBe(200);
    const revisionArticle = /<article class="prose">([\s\S]*?)<\/article>/.exec(revision.body)?.[1];
    expect(revisionArticle).toContain("Plain <strong>text</strong> stays.");
    expect(activeTags(revisionArticle!)).toEqual([]);
    expect(revision.body).not.toMatch(/javascript:|vbscript:/i);
  });

  // Last: the connections it leaves behind stall whatever request reuses them next.
  it("keeps a keep-alive connection usable after answering a large form post without reading it", async () => {
    const reason = (e: Error) => String((e.cause as Error | undefined)?.message ?? e.message);
    const failures: string[] = [];
    for (let i = 0; i < 3; i++) {
      // A bad incident id is refused (404) before the 300 KB form is read.
      const early = await fetch(`${server.url}/incidents/0/postmortem`, {
        method: "POST",
        redirect: "manual",
        headers: { Cookie: session.cookie, "Content-Type": "application/x-www-form-urlencoded" },
        body: encode([["csrf", session.csrf], ["intent", "save"], ["rev", "0"], ["markdown", "H".repeat(300_000)]]),
        signal: AbortSignal.timeout(2_000),
      }).then(async (r) => (await r.text(), r.status), reason);
      if (early !== 404) failures.push(`#${i}: POST 300 KB to /incidents/0/postmortem -> ${early}`);
      // The next request reuses the pooled connection; it must get an answer, not a stall and a reset.
      const next = await fetch(`${server.url}/login`, { redirect: "manual", signal: AbortSignal.timeout(2_000) }).then(
        async (r) => (await r.text(), r.status),
        reason,
      );
      if (next !== 200) failures.push(`#${i}: then GET /login -> ${next}`);
    }
    expect(failures).toEqual([]);
  });
});
