import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALERT_PAGE_SIZE, alertRules, alertsForIncident, listAlerts, listDeliveries, parseAlertFilter, type AlertFilter } from "~/domain/alert-queries.server";
import {
  LinkError,
  linkAlert,
  modelLabels,
  receiveDelivery,
  replayDelivery,
  setDeliveryOutcome,
  setTriage,
  severityFromLabel,
  storeUnappliedDelivery,
} from "~/domain/alerts.server";
import type { Actor } from "~/domain/audit.server";
import { createIncident, incidentInputSchema } from "~/domain/incidents.server";
import { changeStatus } from "~/domain/lifecycle.server";
import { parseWebhook, type Sender } from "~/webhooks/index";
import { makeTestDb, type TestDb } from "../helpers/db";

const BOT: Actor = { id: null, label: "token:test-bot" };
const EDITOR: Actor = { id: null, label: "eve@example.com" };
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
/** A receive time shortly after the fixtures' alerts started. */
const NOW = Date.UTC(2024, 4, 14, 9, 20);

let t: TestDb;
beforeEach(() => {
  t = makeTestDb();
});
afterEach(() => {
  t.cleanup();
});

// ---------- helpers ----------

const fixture = (name: string) => fs.readFileSync(path.resolve("tests/fixtures/webhooks", name), "utf8");
const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
const iso = (ms: number) => new Date(ms).toISOString();

/** Parses a body as the webhook route does and receives it. */
function deliver(sender: Sender, body: string | object, now = NOW, actor: Actor = BOT) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const events = parseWebhook(sender, JSON.parse(text), { modelLabel: modelLabels().model });
  return receiveDelivery(t.db, { sender, headers: { "content-type": "application/json" }, body: text, tokenId: null }, events, actor, now);
}

type GenericAlert = {
  name: string;
  status: "firing" | "resolved";
  severity?: string;
  fingerprint?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  group?: string;
};
const generic = (...alerts: GenericAlert[]) => ({ alerts });

type AmAlert = { status: "firing" | "resolved"; labels: Record<string, string>; annotations?: Record<string, string>; startsAt: string; endsAt?: string; fingerprint?: string };
const alertmanager = (groupKey: string, alerts: AmAlert[]) => ({
  version: "4",
  groupKey,
  status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
  receiver: "faultline",
  alerts: alerts.map((a) => ({ endsAt: "0001-01-01T00:00:00Z", generatorURL: "http://prometheus:9090/graph", annotations: {}, ...a })),
});

function all<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[] {
  return t.db.$client.prepare(sql).all(...params) as T[];
}
function one<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T {
  return t.db.$client.prepare(sql).get(...params) as T;
}
const countOf = (table: string) => one<{ n: number }>(`select count(*) n from ${table}`).n;

/** Every row of the tables an ingest may touch, in a stable order. */
function dump() {
  return {
    alerts: all("select * from alerts order by id"),
    incidents: all("select * from incidents order by id"),
    timeline: all("select * from timeline_events order by id"),
    incidentModels: all("select * from incident_models order by incident_id, model_version_id, role"),
    audit: all("select * from audit_log order by id"),
    models: all("select * from models order by id"),
    versions: all("select * from model_versions order by id"),
    ruleDays: all("select * from alert_rule_days order by rule_name, day"),
  };
}

type AlertRow = {
  id: number;
  sender: string;
  fingerprint: string;
  rule_name: string;
  status: string;
  severity: string | null;
  labels: string;
  starts_at: number | null;
  ends_at: number | null;
  first_received_at: number;
  last_received_at: number;
  fire_count: number;
  delivery_count: number;
  incident_id: number | null;
  model_version_id: number | null;
  triage: string;
};
const alertRows = () => all<AlertRow>("select * from alerts order by id");
const alertBy = (fingerprint: string) => one<AlertRow>("select * from alerts where fingerprint = ?", fingerprint);
const incidentRow = (id: number) => one<Record<string, unknown>>("select * from incidents where id = ?", id);
const timelineOf = (incidentId: number) =>
  all<{ at: number; kind: string; body: string; alert_id: number }>("select at, kind, body, alert_id from timeline_events where incident_id = ? order by id", incidentId);

function manualIncident(title = "Ranking model served stale features"): number {
  return createIncident(
    t.db,
    incidentInputSchema.parse({
      title,
      severity: "SEV2",
      team: "ranking",
      summary: "",
      impact: "",
      detectionSource: "alert",
      startedAt: "2024-05-14T08:00",
      detectedAt: "",
      mitigatedAt: "",
      resolvedAt: "",
    }),
    EDITOR,
  );
}

/** The value `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

const filter = (patch: Partial<AlertFilter> = {}): AlertFilter => ({ ...parseAlertFilter(new URLSearchParams()), ...patch });

// ---------- tests ----------

describe("severityFromLabel", () => {
  it("maps sender severities to SEV levels, SEV3 when unknown or missing", () => {
    const cases: [string | null, string][] = [
      ["critical", "SEV1"],
      ["Page", "SEV1"],
      ["P1", "SEV1"],
      ["high", "SEV2"],
      ["error", "SEV2"],
      ["warning", "SEV3"],
      ["", "SEV3"],
      [null, "SEV3"],
      ["whatever", "SEV3"],
      ["info", "SEV4"],
      ["none", "SEV4"],
    ];
    for (const [label, sev] of cases) expect(severityFromLabel(label), String(label)).toBe(sev);
  });
});

describe("receiveDelivery: a firing group", () => {
  const body = fixture("alertmanager-firing.json");
  const groupKey = '{}/{team="risk-ml"}:{alertname="FeatureDriftHigh", model="fraud-scorer"}';

  it("opens exactly one draft incident, as severe as its most severe alert, and links every alert to it", () => {
    const res = deliver("alertmanager", body);
    expect(res).toMatchObject({ duplicate: false, alerts: 2 });
    expect(res.opened).toHaveLength(1);
    expect(res.incidents).toEqual(res.opened);
    const id = res.opened[0];

    const incidents = all("select * from incidents");
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      id,
      title: "Feature drift on fraud-scorer: merchant_category",
      status: "draft",
      severity: severityFromLabel("critical"),
      team: "risk-ml",
      summary: "PSI for feature merchant_category is 0.31 over the last 1h (threshold 0.2) on fraud-scorer 2024.05.2.",
      started_at: Date.parse("2024-05-14T09:12:30.512Z"),
      detected_at: NOW,
      source: "webhook",
      detection_source: "alert",
      group_key: groupKey,
    });
    expect(incidents[0].severity).toBe("SEV1");

    expect(alertRows()).toEqual([
      expect.objectContaining({
        sender: "alertmanager",
        fingerprint: "d5f5d768641b98d0",
        rule_name: "FeatureDriftHigh",
        status: "firing",
        severity: "warning",
        starts_at: Date.parse("2024-05-14T09:12:30.512Z"),
        ends_at: null,
        first_received_at: NOW,
        last_received_at: NOW,
        fire_count: 1,
        delivery_count: 1,
        incident_id: id,
        triage: "unreviewed",
      }),
      expect.objectContaining({
        fingerprint: "5295f3fded687b36",
        severity: "critical",
        starts_at: Date.parse("2024-05-14T09:13:00.500Z"),
        fire_count: 1,
        delivery_count: 1,
        incident_id: id,
      }),
    ]);
    expect(JSON.parse(alertRows()[0].labels)).toMatchObject({ alertname: "FeatureDriftHigh", feature: "merchant_category", team: "risk-ml" });
    expect(alertsForIncident(t.db, id).map((a) => a.ruleName)).toEqual(["FeatureDriftHigh", "FeatureDriftHigh"]);

    // One timeline entry for the rule, at the earliest start, naming the count.
    expect(timelineOf(id)).toEqual([
      {
        at: Date.parse("2024-05-14T09:12:30.512Z"),
        kind: "alert",
        body: "FeatureDriftHigh firing (2 alerts): Feature drift on fraud-scorer: merchant_category",
        alert_id: alertRows()[0].id,
      },
    ]);
  });

  it("stores the delivery exactly as received, with its hash, outcome and alert count", () => {
    const odd = `  ${body}\n\n`; // whitespace around the JSON is part of the body as received
    const res = deliver("alertmanager", odd);
    const d = one<Record<string, unknown>>("select * from alert_deliveries where id = ?", res.delivery);
    expect(d).toMatchObject({
      sender: "alertmanager",
      received_at: NOW,
      body: odd,
      body_hash: sha256(odd),
      outcome: "processed",
      error: null,
      alert_count: 2,
      token_id: null,
    });
    expect(JSON.parse(d.headers as string)).toEqual({ "content-type": "application/json" });
  });

  it("stores the same body again as a duplicate and changes nothing else", () => {
    const first = deliver("alertmanager", body);
    const before = dump();
    const again = deliver("alertmanager", body, NOW + 5 * MIN);
    expect(again).toEqual({ delivery: first.delivery + 1, duplicate: true, alerts: 0, incidents: [], opened: [] });
    expect(dump()).toEqual(before);
    expect(all("select id, outcome, error, alert_count, body, body_hash, received_at from alert_deliveries order by id")).toEqual([
      { id: first.delivery, outcome: "processed", error: null, alert_count: 2, body, body_hash: sha256(body), received_at: NOW },
      {
        id: again.delivery,
        outcome: "duplicate",
        error: `same body as delivery ${first.delivery}`,
        alert_count: 0,
        body,
        body_hash: sha256(body),
        received_at: NOW + 5 * MIN,
      },
    ]);
    // A third copy is a duplicate too, and the same body from another sender is not.
    expect(deliver("alertmanager", body, NOW + 6 * MIN).duplicate).toBe(true);
    expect(dump()).toEqual(before);
  });

  it("counts a new notification of the same alerts and attaches a new alert of the group to the same incident", () => {
    const first = deliver("alertmanager", body);
    const id = first.opened[0];
    const payload = JSON.parse(body);
    payload.alerts.push({
      ...payload.alerts[0],
      labels: { ...payload.alerts[0].labels, feature: "card_country" },
      annotations: { summary: "Feature drift on fraud-scorer: card_country" },
      startsAt: "2024-05-14T09:15:00Z",
      fingerprint: "0123456789abcdef",
    });
    const second = deliver("alertmanager", payload, NOW + 5 * MIN);
    expect(second).toMatchObject({ duplicate: false, alerts: 3, opened: [], incidents: [id] });
    expect(countOf("incidents")).toBe(1);

    expect(alertRows().map((a) => [a.fingerprint, a.fire_count, a.delivery_count, a.incident_id, a.first_received_at, a.last_received_at])).toEqual([
      ["d5f5d768641b98d0", 1, 2, id, NOW, NOW + 5 * MIN],
      ["5295f3fded687b36", 1, 2, id, NOW, NOW + 5 * MIN],
      ["0123456789abcdef", 1, 1, id, NOW + 5 * MIN, NOW + 5 * MIN],
    ]);
    // Only the new alert is a state change worth a timeline entry.
    expect(timelineOf(id).map((e) => e.body)).toEqual([
      "FeatureDriftHigh firing (2 alerts): Feature drift on fraud-scorer: merchant_category",
      "FeatureDriftHigh firing: Feature drift on fraud-scorer: card_country",
    ]);
    expect(all("select action, entity, entity_id, actor_label from audit_log where action = 'alerts'")).toEqual([
      { action: "alerts", entity: "incident", entity_id: String(id), actor_label: BOT.label },
    ]);
  });
});

describe("receiveDelivery: a large group", () => {
  it("writes every alert of a delivery longer than one statement's rows, new and known alike, each as its own", () => {
    const alert = (i: number, status: "firing" | "resolved") => ({ name: "Bulk", status, fingerprint: `bulk-${i}`, labels: { shard: String(i), severity: "warning" } });
    // 150 new alerts: more than the 64 rows one statement carries.
    const first = deliver("generic", generic(...Array.from({ length: 150 }, (_, i) => alert(i, "firing"))), NOW);
    expect(first).toMatchObject({ alerts: 150, duplicate: false });
    // 150 known ones resolve and 20 new ones fire, in one delivery.
    const later = Array.from({ length: 170 }, (_, i) => alert(i, i < 150 ? "resolved" : "firing"));
    deliver("generic", generic(...later), NOW + MIN);

    const rows = all("select fingerprint, status, labels, delivery_count, fire_count, last_received_at from alerts order by id") as {
      fingerprint: string; status: string; labels: string; delivery_count: number; fire_count: number; last_received_at: number;
    }[];
    expect(rows).toHaveLength(170);
    rows.forEach((r, i) => {
      expect(r.fingerprint).toBe(`bulk-${i}`);
      expect(JSON.parse(r.labels)).toMatchObject({ shard: String(i) });
      expect([r.status, r.delivery_count, r.fire_count, r.last_received_at]).toEqual(i < 150 ? ["resolved", 2, 1, NOW + MIN] : ["firing", 1, 1, NOW + MIN]);
    });
  });
});

describe("receiveDelivery: resolves", () => {
  it("marks alerts resolved with their end, notes one timeline entry per rule, and leaves the incident a draft", () => {
    const id = deliver("alertmanager", fixture("alertmanager-firing.json")).opened[0];
    const res = deliver("alertmanager", fixture("alertmanager-resolved.json"), NOW + 60 * MIN);
    expect(res).toMatchObject({ duplicate: false, alerts: 2, opened: [], incidents: [id] });

    expect(alertRows().map((a) => [a.status, a.ends_at, a.fire_count, a.delivery_count, a.incident_id])).toEqual([
      ["resolved", Date.parse("2024-05-14T10:02:30.512Z"), 1, 2, id],
      ["resolved", Date.parse("2024-05-14T09:58:00.500Z"), 1, 2, id],
    ]);
    const timeline = timelineOf(id);
    expect(timeline).toHaveLength(2);
    expect(timeline[1]).toMatchObject({
      at: Date.parse("2024-05-14T09:58:00.500Z"),
      kind: "alert",
      body: "FeatureDriftHigh resolved (2 alerts): Feature drift on fraud-scorer: merchant_category",
    });
    expect(timeline[1].body).toMatch(/^FeatureDriftHigh resolved \(2 alerts\)/);
    // Humans decide when an incident is over.
    expect(incidentRow(id)).toMatchObject({ status: "draft", resolved_at: null, mitigated_at: null });
  });

  it("writes one resolve entry per rule when a delivery resolves several rules", () => {
    const fire = generic(
      { name: "GpuMemoryHigh", status: "firing", group: "g", labels: { gpu: "0" }, startsAt: "2024-05-14T09:00:00Z" },
      { name: "GpuMemoryHigh", status: "firing", group: "g", labels: { gpu: "1" }, startsAt: "2024-05-14T09:00:00Z" },
      { name: "GpuTempHigh", status: "firing", group: "g", labels: { gpu: "0" }, startsAt: "2024-05-14T09:01:00Z" },
    );
    const id = deliver("generic", fire).opened[0];
    const resolve = generic(
      ...fire.alerts.map((a, i) => ({ ...a, status: "resolved" as const, endsAt: `2024-05-14T09:1${i}:00Z` })),
    );
    deliver("generic", resolve, NOW + MIN);
    expect(timelineOf(id).map((e) => [e.body, iso(e.at)])).toEqual([
      ["GpuMemoryHigh firing (2 alerts)", "2024-05-14T09:00:00.000Z"],
      ["GpuTempHigh firing", "2024-05-14T09:01:00.000Z"],
      ["GpuMemoryHigh resolved (2 alerts)", "2024-05-14T09:10:00.000Z"],
      ["GpuTempHigh resolved", "2024-05-14T09:12:00.000Z"],
    ]);
  });

  it("keeps a resolve for an alert never seen firing as a resolved alert without an incident", () => {
    const res = deliver(
      "generic",
      generic({ name: "LabelDelayHigh", status: "resolved", fingerprint: "label-delay", startsAt: "2024-05-13T06:00:00Z", endsAt: "2024-05-14T01:30:00Z" }),
    );
    expect(res).toMatchObject({ duplicate: false, alerts: 1, incidents: [], opened: [] });
    expect(countOf("incidents")).toBe(0);
    expect(countOf("timeline_events")).toBe(0);
    expect(alertBy("label-delay")).toMatchObject({
      status: "resolved",
      incident_id: null,
      starts_at: Date.parse("2024-05-13T06:00:00Z"),
      ends_at: Date.parse("2024-05-14T01:30:00Z"),
      delivery_count: 1,
    });
  });
});

describe("receiveDelivery: re-firing", () => {
  // A person resolves (confirming the times) and then closes the incident.
  const closeAt = (id: number, at: number) => {
    changeStatus(t.db, id, "resolved", EDITOR, { times: { mitigatedAt: at, resolvedAt: at } });
    changeStatus(t.db, id, "closed", EDITOR);
  };
  const fire = (startsAt: string, extra: Partial<GenericAlert> = {}) =>
    generic({ name: "PredictionDriftHigh", status: "firing", fingerprint: "drift-1", labels: { model: "fraud" }, startsAt, ...extra });
  const resolve = (startsAt: string, endsAt: string) =>
    generic({ name: "PredictionDriftHigh", status: "resolved", fingerprint: "drift-1", labels: { model: "fraud" }, startsAt, endsAt });

  it("opens a new draft when the alert fires again after its incident was closed", () => {
    const first = deliver("generic", fire("2024-05-14T09:00:00Z")).opened[0];
    deliver("generic", resolve("2024-05-14T09:00:00Z", "2024-05-14T09:30:00Z"), NOW + 10 * MIN);
    closeAt(first, NOW + 20 * MIN);
    const timelineBefore = timelineOf(first);

    const res = deliver("generic", fire("2024-05-15T09:00:00Z"), Date.UTC(2024, 4, 15, 9, 5));
    expect(res.opened).toHaveLength(1);
    const second = res.opened[0];
    expect(second).not.toBe(first);
    expect(alertBy("drift-1")).toMatchObject({ status: "firing", fire_count: 2, delivery_count: 3, incident_id: second, ends_at: null });
    expect(incidentRow(second)).toMatchObject({ status: "draft", group_key: "PredictionDriftHigh|fraud", started_at: Date.parse("2024-05-15T09:00:00Z") });
    expect(incidentRow(first)).toMatchObject({ status: "closed" });
    expect(timelineOf(first)).toEqual(timelineBefore);
    expect(timelineOf(second).map((e) => e.body)).toEqual(["PredictionDriftHigh firing: PredictionDriftHigh on fraud"]);
  });

  it("attaches a re-fire to the same incident while that incident is still open", () => {
    const id = deliver("generic", fire("2024-05-14T09:00:00Z")).opened[0];
    deliver("generic", resolve("2024-05-14T09:00:00Z", "2024-05-14T09:30:00Z"), NOW + 10 * MIN);
    changeStatus(t.db, id, "investigating", EDITOR);

    const res = deliver("generic", fire("2024-05-14T10:00:00Z"), NOW + 60 * MIN);
    expect(res).toMatchObject({ opened: [], incidents: [id] });
    expect(countOf("incidents")).toBe(1);
    expect(alertBy("drift-1")).toMatchObject({ status: "firing", fire_count: 2, delivery_count: 3, incident_id: id });
    expect(timelineOf(id).map((e) => e.body.split(":")[0])).toEqual([
      "PredictionDriftHigh firing",
      "PredictionDriftHigh resolved",
      "draft → investigating. Times", // the person's status change, dated by the detection time
      "PredictionDriftHigh firing",
    ]);
  });

  it("a repeat of a still-firing alert (same start) counts a notification, not a firing", () => {
    const id = deliver("generic", fire("2024-05-14T09:00:00Z")).opened[0];
    deliver("generic", fire("2024-05-14T09:00:00Z", { annotations: { note: "repeat" } }), NOW + 60 * MIN);
    expect(alertBy("drift-1")).toMatchObject({ fire_count: 1, delivery_count: 2, incident_id: id });
    expect(timelineOf(id)).toHaveLength(1);
  });

  // The reference says resolve notices can be lost: a new episode (a later startsAt) must count as a new firing
  // and, when the alert's incident was closed meanwhile, open a new draft instead of landing on the closed one.
  it("treats a new episode (later startsAt) as a new firing even when the resolve was never received", () => {
    const first = deliver("generic", fire("2024-05-14T09:00:00Z")).opened[0];
    closeAt(first, NOW + 20 * MIN);
    const res = deliver("generic", fire("2024-05-16T09:00:00Z"), Date.UTC(2024, 4, 16, 9, 5));
    const alert = alertBy("drift-1");
    expect(alert.fire_count).toBe(2);
    expect(alert.incident_id).not.toBe(first);
    expect(res.opened).toEqual([alert.incident_id]);
  });
});

describe("receiveDelivery: grouping", () => {
  const am = (groupKey: string, name: string, instance: string) =>
    alertmanager(groupKey, [{ status: "firing", labels: { alertname: name, instance }, startsAt: "2024-05-14T09:00:00Z" }]);

  it("opens one incident per Alertmanager groupKey, across deliveries", () => {
    const a = deliver("alertmanager", am("{}:{alertname=\"A\"}", "A", "x")).opened[0];
    const b = deliver("alertmanager", am("{}:{alertname=\"B\"}", "B", "x"), NOW + MIN).opened[0];
    expect(a).not.toBe(b);
    // Another alert of group A joins A's open draft.
    expect(deliver("alertmanager", am("{}:{alertname=\"A\"}", "A", "y"), NOW + 2 * MIN)).toMatchObject({ opened: [], incidents: [a] });
    expect(all("select group_key from incidents order by id")).toEqual([{ group_key: '{}:{alertname="A"}' }, { group_key: '{}:{alertname="B"}' }]);
    expect(alertRows().map((r) => r.incident_id)).toEqual([a, b, a]);
  });

  it("opens one incident per group within a single delivery", () => {
    const res = deliver(
      "generic",
      generic(
        { name: "A", status: "firing", group: "one", labels: { i: "1" } },
        { name: "B", status: "firing", group: "two", labels: { i: "1" } },
        { name: "C", status: "firing", group: "one", labels: { i: "1" } },
      ),
    );
    expect(res.opened).toHaveLength(2);
    expect(alertRows().map((r) => r.incident_id)).toEqual([res.opened[0], res.opened[1], res.opened[0]]);
  });

  it("groups generic alerts without `group` by rule + model label", () => {
    const send = (name: string, labels: Record<string, string>, now: number) => deliver("generic", generic({ name, status: "firing", labels }), now);
    const x = send("AucDrop", { model: "ranker", shard: "1" }, NOW).opened[0];
    expect(send("AucDrop", { model: "ranker", shard: "2" }, NOW + MIN)).toMatchObject({ opened: [], incidents: [x] });
    const y = send("AucDrop", { model: "churn", shard: "1" }, NOW + 2 * MIN).opened[0];
    const z = send("LatencyHigh", { model: "ranker" }, NOW + 3 * MIN).opened[0];
    const w = send("AucDrop", { shard: "9" }, NOW + 4 * MIN).opened[0];
    expect(new Set([x, y, z, w]).size).toBe(4);
    expect(all("select id, group_key, title from incidents order by id")).toEqual([
      { id: x, group_key: "AucDrop|ranker", title: "AucDrop on ranker" },
      { id: y, group_key: "AucDrop|churn", title: "AucDrop on churn" },
      { id: z, group_key: "LatencyHigh|ranker", title: "LatencyHigh on ranker" },
      { id: w, group_key: "AucDrop|", title: "AucDrop" },
    ]);
  });

  it("an explicit generic `group` groups across rules", () => {
    const a = deliver("generic", generic({ name: "A", status: "firing", group: "feature-store" })).opened[0];
    expect(deliver("generic", generic({ name: "B", status: "firing", group: "feature-store" }), NOW + MIN)).toMatchObject({ opened: [], incidents: [a] });
  });
});

describe("receiveDelivery: model labels", () => {
  const saved = { model: process.env.MODEL_LABEL, version: process.env.MODEL_VERSION_LABEL };
  afterEach(() => {
    for (const [key, value] of [["MODEL_LABEL", saved.model], ["MODEL_VERSION_LABEL", saved.version]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const versions = () =>
    all<{ model: string; version: string; id: number }>(
      "select m.name model, v.version, v.id from model_versions v join models m on m.id = v.model_id order by v.id",
    );

  it("creates the model and version once, links alerts and the incident (affected)", () => {
    const id = deliver("alertmanager", fixture("alertmanager-firing.json")).opened[0];
    expect(all("select name from models")).toEqual([{ name: "fraud-scorer" }]);
    const [v] = versions();
    expect(versions()).toEqual([{ model: "fraud-scorer", version: "2024.05.2", id: v.id }]);
    expect(alertRows().map((a) => a.model_version_id)).toEqual([v.id, v.id]);
    expect(all("select * from incident_models")).toEqual([{ incident_id: id, model_version_id: v.id, role: "affected" }]);

    // Another group on the same model version reuses the rows.
    const other = deliver(
      "alertmanager",
      alertmanager("{}:{alertname=\"LatencyHigh\"}", [
        { status: "firing", labels: { alertname: "LatencyHigh", model: "fraud-scorer", model_version: "2024.05.2" }, startsAt: "2024-05-14T09:10:00Z" },
      ]),
      NOW + MIN,
    ).opened[0];
    expect(countOf("models")).toBe(1);
    expect(versions()).toEqual([{ model: "fraud-scorer", version: "2024.05.2", id: v.id }]);
    expect(alertRows()[2].model_version_id).toBe(v.id);
    expect(all("select * from incident_models order by incident_id")).toEqual([
      { incident_id: id, model_version_id: v.id, role: "affected" },
      { incident_id: other, model_version_id: v.id, role: "affected" },
    ]);
  });

  it("links each version of a group to the incident (Grafana: stable and canary)", () => {
    const id = deliver("grafana", fixture("grafana-firing.json"), Date.UTC(2024, 6, 3, 13)).opened[0];
    expect(versions().map((v) => `${v.model}@${v.version}`)).toEqual(["search-ranker@7.2.0", "search-ranker@7.3.0-canary"]);
    expect(all("select model_version_id from incident_models where incident_id = ? order by 1", id)).toEqual(versions().map((v) => ({ model_version_id: v.id })));
    expect(incidentRow(id)).toMatchObject({ title: "search-ranker p95 latency above SLO", severity: "SEV1", team: "search-ml" });
  });

  it("needs both the model and the version label to link a version", () => {
    deliver("generic", generic({ name: "A", status: "firing", labels: { model: "ranker" } }));
    expect(countOf("models")).toBe(0);
    expect(alertRows()[0].model_version_id).toBeNull();
  });

  it("reads the label names from MODEL_LABEL and MODEL_VERSION_LABEL", () => {
    process.env.MODEL_LABEL = "ml_model";
    process.env.MODEL_VERSION_LABEL = "ml_model_version";
    const id = deliver(
      "generic",
      generic({ name: "AucDrop", status: "firing", labels: { ml_model: "ranker", ml_model_version: "v9", model: "decoy", model_version: "d1" } }),
    ).opened[0];
    expect(versions().map((v) => `${v.model}@${v.version}`)).toEqual(["ranker@v9"]);
    expect(alertRows()[0].model_version_id).toBe(versions()[0].id);
    expect(all("select model_version_id, role from incident_models where incident_id = ?", id)).toEqual([{ model_version_id: versions()[0].id, role: "affected" }]);
    expect(incidentRow(id)).toMatchObject({ title: "AucDrop on ranker", group_key: "AucDrop|ranker" });
  });
});

describe("stored deliveries and replay", () => {
  const headers = { "content-type": "application/json" };

  it("keeps a rejected body as received", () => {
    const id = storeUnappliedDelivery(t.db, { sender: "generic", headers: { "content-type": "text/plain" }, body: "{oops", tokenId: null }, "rejected", "Body is not valid JSON.");
    expect(one("select * from alert_deliveries where id = ?", id)).toMatchObject({
      sender: "generic",
      headers: '{"content-type":"text/plain"}',
      body: "{oops",
      body_hash: sha256("{oops"),
      outcome: "rejected",
      error: "Body is not valid JSON.",
      alert_count: 0,
    });
    expect(countOf("alerts")).toBe(0);
  });

  it("replays a failed delivery: applies it and marks it processed", () => {
    const body = JSON.stringify(generic({ name: "FeatureNullRate", status: "firing", fingerprint: "nulls", labels: { model: "ranker", model_version: "3" } }));
    const id = storeUnappliedDelivery(t.db, { sender: "generic", headers, body, tokenId: null }, "failed", "SQLITE_BUSY: database is locked");
    const res = replayDelivery(t.db, id, EDITOR);
    expect(res).toMatchObject({ alerts: 1 });
    expect(res.opened).toHaveLength(1);
    expect(alertBy("nulls")).toMatchObject({ status: "firing", incident_id: res.opened[0], fire_count: 1, delivery_count: 1 });
    expect(one("select outcome, error, alert_count from alert_deliveries where id = ?", id)).toEqual({ outcome: "processed", error: null, alert_count: 1 });
    expect(all("select action, entity, entity_id, actor_label, detail from audit_log where action = 'replay'")).toEqual([
      { action: "replay", entity: "delivery", entity_id: String(id), actor_label: EDITOR.label, detail: '{"alerts":1}' },
    ]);
    // A later identical body is recognised as a duplicate of the replayed one.
    expect(deliver("generic", body, Date.now() + MIN).duplicate).toBe(true);
  });

  it("replaying an applied delivery again changes no alert, incident or timeline", () => {
    const res = deliver("alertmanager", fixture("alertmanager-firing.json"));
    const before = dump();
    replayDelivery(t.db, res.delivery, EDITOR);
    const after = dump();
    expect(after.alerts).toEqual(before.alerts);
    expect(after.incidents).toEqual(before.incidents);
    expect(after.timeline).toEqual(before.timeline);
    expect(after.incidentModels).toEqual(before.incidentModels);
    expect(after.ruleDays).toEqual(before.ruleDays);
  });

  // A replay applies what was received then: the draft it opens was detected when the body arrived, not when an
  // admin got round to replaying it (otherwise time-to-detect is wrong by the outage of the ingest path).
  it("applies a replayed delivery at the time it was received", () => {
    const body = JSON.stringify(generic({ name: "FeatureNullRate", status: "firing", fingerprint: "nulls", startsAt: "2024-05-14T09:00:00Z" }));
    const id = storeUnappliedDelivery(t.db, { sender: "generic", headers, body, tokenId: null }, "failed", "disk full");
    t.db.$client.prepare("update alert_deliveries set received_at = ? where id = ?").run(NOW, id);
    const incident = replayDelivery(t.db, id, EDITOR).opened[0];
    expect(incidentRow(incident).detected_at).toBe(NOW);
    expect(alertBy("nulls")).toMatchObject({ first_received_at: NOW, last_received_at: NOW });
  });

  it("refuses to replay a body that is not JSON (LinkError) and marks it rejected", () => {
    const id = storeUnappliedDelivery(t.db, { sender: "alertmanager", headers, body: '{"alerts": [', tokenId: null }, "failed", "boom");
    const e = thrown(() => replayDelivery(t.db, id, EDITOR));
    expect(e).toBeInstanceOf(LinkError);
    expect((e as Error).message).toBe(`Delivery ${id} cannot be applied: Body is not valid JSON.`);
    expect(one("select outcome, error from alert_deliveries where id = ?", id)).toEqual({ outcome: "rejected", error: "Body is not valid JSON." });
    expect(countOf("alerts")).toBe(0);
    expect(all("select * from audit_log where action = 'replay'")).toEqual([]);
  });

  it("refuses to replay a body of the wrong shape with the parser's message", () => {
    const id = storeUnappliedDelivery(t.db, { sender: "generic", headers, body: '{"alerts":"x"}', tokenId: null }, "failed", "boom");
    const e = thrown(() => replayDelivery(t.db, id, EDITOR));
    expect(e).toBeInstanceOf(LinkError);
    expect(one<{ outcome: string; error: string }>("select outcome, error from alert_deliveries where id = ?", id)).toEqual({
      outcome: "rejected",
      error: "alerts: must be an array",
    });
  });

  it("answers 404 for an unknown delivery and 400 for an unknown sender", () => {
    const missing = thrown(() => replayDelivery(t.db, 999, EDITOR));
    expect(missing).toBeInstanceOf(Response);
    expect((missing as Response).status).toBe(404);
    const id = storeUnappliedDelivery(t.db, { sender: "nagios", headers, body: "{}", tokenId: null }, "rejected", "unknown sender");
    expect((thrown(() => replayDelivery(t.db, id, EDITOR)) as Response).status).toBe(400);
  });

  it("setDeliveryOutcome records why a delivery was not applied", () => {
    const res = deliver("generic", generic({ name: "A", status: "firing" }));
    setDeliveryOutcome(t.db, res.delivery, "failed", "applied by mistake");
    expect(one("select outcome, error from alert_deliveries where id = ?", res.delivery)).toEqual({ outcome: "failed", error: "applied by mistake" });
  });

  it("lists deliveries newest first with their size in bytes", () => {
    const body = JSON.stringify(generic({ name: "Dérive", status: "firing", annotations: { summary: "Dérive détectée — modèle ✓" } }));
    deliver("generic", body);
    storeUnappliedDelivery(t.db, { sender: "grafana", headers, body: "nope", tokenId: null }, "rejected", "Body is not valid JSON.");
    const list = listDeliveries(t.db);
    expect(list.map((d) => [d.sender, d.outcome, d.alertCount])).toEqual([
      ["grafana", "rejected", 0],
      ["generic", "processed", 1],
    ]);
    expect(list[1].bytes).toBe(Buffer.byteLength(body, "utf8"));
    expect(listDeliveries(t.db, 1)).toHaveLength(1);
  });
});

describe("alert rules, links and triage", () => {
  const fireGeneric = (name: string, n: number, now: number, extra: Partial<GenericAlert> = {}) =>
    deliver("generic", generic(...Array.from({ length: n }, (_, i) => ({ name, status: "firing" as const, fingerprint: `${name}-${i}`, ...extra }))), now);

  /** The definition of precision, straight from the alerts table, to check the rollup against. */
  function precisionBySql() {
    return all<{ rule: string; alerts: number; real: number }>(
      `select a.rule_name rule, count(*) alerts,
         sum(a.triage <> 'noise' and (a.triage = 'actionable' or coalesce(i.status, 'draft') <> 'draft')) real
       from alerts a left join incidents i on i.id = a.incident_id group by 1 order by 1`,
    );
  }

  it("computes precision by hand-checked rules and orders the noisiest rule first", () => {
    const draftP = fireGeneric("Precise", 4, NOW).opened[0];
    fireGeneric("Noisy", 3, NOW);
    fireGeneric("Noisy", 3, NOW + MIN, { annotations: { again: "yes" } }); // a second notification of the same alerts
    const quietDraft = fireGeneric("Quiet", 1, NOW).opened[0];
    const real = manualIncident(); // investigating, so "real"
    const id = (fp: string) => alertBy(fp).id;

    linkAlert(t.db, id("Precise-0"), real, EDITOR); // linked to a real incident: counts
    setTriage(t.db, id("Precise-1"), "actionable", EDITOR); // actionable, though its incident is a draft: counts
    linkAlert(t.db, id("Precise-2"), real, EDITOR);
    setTriage(t.db, id("Precise-2"), "noise", EDITOR); // noise never counts, even on a real incident
    // Precise-3 stays on its draft: does not count.
    changeStatus(t.db, quietDraft, "investigating", EDITOR); // its draft left draft: counts

    expect(alertRules(t.db)).toEqual([
      { rule: "Noisy", alerts: 3, fires: 3, deliveries: 6, real: 0, nowhere: 3, precision: 0 },
      { rule: "Precise", alerts: 4, fires: 4, deliveries: 4, real: 2, nowhere: 2, precision: 0.5 },
      { rule: "Quiet", alerts: 1, fires: 1, deliveries: 1, real: 1, nowhere: 0, precision: 1 },
    ]);
    expect(alertRules(t.db).map((r) => ({ rule: r.rule, alerts: r.alerts, real: r.real }))).toEqual(precisionBySql());

    // The draft of the Precise alerts moves on: Precise-3 now counts, Precise-1 (actionable) is not counted twice.
    changeStatus(t.db, draftP, "investigating", EDITOR);
    expect(alertRules(t.db).find((r) => r.rule === "Precise")).toMatchObject({ real: 3, precision: 0.75 });
    // Resolving keeps it real; noise on Precise-1 takes it out; unreviewed puts it back.
    changeStatus(t.db, draftP, "resolved", EDITOR, { times: { mitigatedAt: NOW + 3 * MIN, resolvedAt: NOW + 3 * MIN } });
    setTriage(t.db, id("Precise-1"), "noise", EDITOR);
    expect(alertRules(t.db).find((r) => r.rule === "Precise")).toMatchObject({ real: 2, precision: 0.5 });
    setTriage(t.db, id("Precise-1"), "unreviewed", EDITOR);
    expect(alertRules(t.db).find((r) => r.rule === "Precise")).toMatchObject({ real: 3 });
    // Unlinking from the real incident takes Precise-0 out.
    linkAlert(t.db, id("Precise-0"), null, EDITOR);
    expect(alertRules(t.db).find((r) => r.rule === "Precise")).toMatchObject({ real: 2 });
    expect(alertRules(t.db).map((r) => ({ rule: r.rule, alerts: r.alerts, real: r.real }))).toEqual(precisionBySql());
  });

  it("limits rules to alerts first received in a range", () => {
    fireGeneric("Daily", 2, NOW);
    fireGeneric("Daily", 1, NOW + 2 * DAY, { group: "later" }); // same fingerprints: not new alerts
    deliver("generic", generic({ name: "Daily", status: "firing", fingerprint: "late" }), NOW + 2 * DAY);
    expect(alertRules(t.db).map((r) => [r.rule, r.alerts])).toEqual([["Daily", 3]]);
    expect(alertRules(t.db, { from: NOW + DAY }).map((r) => [r.rule, r.alerts])).toEqual([["Daily", 1]]);
    expect(alertRules(t.db, { to: NOW + DAY }).map((r) => [r.rule, r.alerts])).toEqual([["Daily", 2]]);
    expect(alertRules(t.db, { from: NOW + 5 * DAY })).toEqual([]);
  });

  it("linkAlert links and unlinks, carrying the alert's model version to the incident", () => {
    deliver("generic", generic({ name: "A", status: "resolved", fingerprint: "a", labels: { model: "ranker", model_version: "7" } }));
    const alert = alertBy("a");
    expect(alert.incident_id).toBeNull();
    const incident = manualIncident();
    linkAlert(t.db, alert.id, incident, EDITOR);
    expect(alertBy("a").incident_id).toBe(incident);
    expect(all("select * from incident_models")).toEqual([{ incident_id: incident, model_version_id: alert.model_version_id, role: "affected" }]);
    expect(alertsForIncident(t.db, incident).map((a) => a.id)).toEqual([alert.id]);
    linkAlert(t.db, alert.id, incident, EDITOR); // linking twice is harmless
    expect(countOf("incident_models")).toBe(1);

    linkAlert(t.db, alert.id, null, EDITOR);
    expect(alertBy("a").incident_id).toBeNull();
    expect(alertsForIncident(t.db, incident)).toEqual([]);
    expect(all("select action, entity, entity_id, actor_label, detail from audit_log where entity = 'alert' order by id")).toEqual([
      { action: "link", entity: "alert", entity_id: String(alert.id), actor_label: EDITOR.label, detail: `{"incident":${incident}}` },
      { action: "link", entity: "alert", entity_id: String(alert.id), actor_label: EDITOR.label, detail: `{"incident":${incident}}` },
      { action: "unlink", entity: "alert", entity_id: String(alert.id), actor_label: EDITOR.label, detail: '{"incident":null}' },
    ]);
  });

  it("an alert a person unlinked stays unlinked through repeat notifications, and a new firing attaches again", () => {
    const firing = { name: "Drift", status: "firing" as const, fingerprint: "d", startsAt: iso(NOW - 60_000) };
    const draft = deliver("generic", generic(firing)).opened[0];
    linkAlert(t.db, alertBy("d").id, null, EDITOR);
    // Alertmanager re-sends a firing alert every repeat_interval (here with a changed annotation, so not a duplicate).
    deliver("generic", generic({ ...firing, annotations: { summary: "still drifting" } }), NOW + 3_600_000);
    expect(alertBy("d")).toMatchObject({ incident_id: null, delivery_count: 2, fire_count: 1 });
    expect(alertsForIncident(t.db, draft)).toEqual([]);
    // Resolved, then firing again: a new firing joins its group's open draft.
    deliver("generic", generic({ ...firing, status: "resolved" }), NOW + 7_200_000);
    deliver("generic", generic({ ...firing, startsAt: iso(NOW + 9_000_000) }), NOW + 9_000_000);
    expect(alertBy("d")).toMatchObject({ incident_id: draft, fire_count: 2 });
  });

  it("linkAlert refuses a missing incident (LinkError) or alert (404) and changes nothing", () => {
    const id = deliver("generic", generic({ name: "A", status: "firing", fingerprint: "a" })).opened[0];
    const before = dump();
    const e = thrown(() => linkAlert(t.db, alertBy("a").id, 999, EDITOR));
    expect(e).toBeInstanceOf(LinkError);
    expect((e as Error).message).toBe("There is no incident #999.");
    expect((thrown(() => linkAlert(t.db, 12345, id, EDITOR)) as Response).status).toBe(404);
    expect(dump()).toEqual(before);
  });

  it("setTriage records who triaged what, and 404s for an unknown alert", () => {
    deliver("generic", generic({ name: "A", status: "firing", fingerprint: "a" }));
    const alert = alertBy("a");
    setTriage(t.db, alert.id, "noise", EDITOR);
    expect(alertBy("a").triage).toBe("noise");
    expect(all("select action, entity, entity_id, actor_label, detail from audit_log where action = 'triage'")).toEqual([
      { action: "triage", entity: "alert", entity_id: String(alert.id), actor_label: EDITOR.label, detail: '{"triage":"noise"}' },
    ]);
    const before = dump();
    expect((thrown(() => setTriage(t.db, 999, "actionable", EDITOR)) as Response).status).toBe(404);
    expect(dump()).toEqual(before);
  });
});

describe("listAlerts", () => {
  function seed() {
    // 55 firing alerts of one rule (one incident), 3 resolved unlinked alerts, 2 from Alertmanager.
    deliver("generic", generic(...Array.from({ length: 55 }, (_, i) => ({ name: "Bulk", status: "firing" as const, fingerprint: `bulk-${i}`, labels: { model: "ranker", model_version: "1" } }))), NOW);
    deliver("generic", generic(...Array.from({ length: 3 }, (_, i) => ({ name: "Gone", status: "resolved" as const, fingerprint: `gone-${i}` }))), NOW + MIN);
    deliver("alertmanager", fixture("alertmanager-firing.json"), NOW + 2 * MIN);
  }

  it("filters by status, rule, sender, linked and triage", () => {
    seed();
    const rules = (f: Partial<AlertFilter>) => {
      const { rows, total } = listAlerts(t.db, filter(f));
      return { total, rules: [...new Set(rows.map((r) => r.ruleName))].sort() };
    };
    expect(rules({})).toEqual({ total: 60, rules: ["Bulk", "FeatureDriftHigh", "Gone"] });
    expect(rules({ status: "resolved" })).toEqual({ total: 3, rules: ["Gone"] });
    expect(rules({ status: "firing" })).toEqual({ total: 57, rules: ["Bulk", "FeatureDriftHigh"] });
    expect(rules({ rule: "FeatureDriftHigh" })).toEqual({ total: 2, rules: ["FeatureDriftHigh"] });
    expect(rules({ sender: "alertmanager" })).toEqual({ total: 2, rules: ["FeatureDriftHigh"] });
    expect(rules({ sender: "generic", status: "firing" })).toEqual({ total: 55, rules: ["Bulk"] });
    expect(rules({ linked: "no" })).toEqual({ total: 3, rules: ["Gone"] });
    expect(rules({ linked: "yes" })).toEqual({ total: 57, rules: ["Bulk", "FeatureDriftHigh"] });
    expect(rules({ triage: "noise" })).toEqual({ total: 0, rules: [] });
    setTriage(t.db, alertBy("gone-1").id, "noise", EDITOR);
    setTriage(t.db, alertBy("d5f5d768641b98d0").id, "actionable", EDITOR);
    expect(rules({ triage: "noise" })).toEqual({ total: 1, rules: ["Gone"] });
    expect(rules({ triage: "actionable", linked: "yes" })).toEqual({ total: 1, rules: ["FeatureDriftHigh"] });
    expect(rules({ triage: "unreviewed" }).total).toBe(58);
    expect(rules({ rule: "Nope" })).toEqual({ total: 0, rules: [] });
  });

  it("returns the newest first with incident and model, in pages", () => {
    seed();
    const page1 = listAlerts(t.db, filter({ rule: "Bulk" }));
    const page2 = listAlerts(t.db, filter({ rule: "Bulk", page: 2 }));
    expect(page1.total).toBe(55);
    expect(page1.rows).toHaveLength(ALERT_PAGE_SIZE);
    expect(page2.rows).toHaveLength(5);
    expect(listAlerts(t.db, filter({ rule: "Bulk", page: 3 })).rows).toEqual([]);
    const ids = [...page1.rows, ...page2.rows].map((r) => r.id);
    expect(new Set(ids).size).toBe(55);
    expect(ids).toEqual([...ids].sort((a, b) => b - a)); // same receive time: newest id first
    expect(page1.rows[0]).toMatchObject({ sender: "generic", ruleName: "Bulk", model: "ranker", modelVersion: "1", incidentTitle: "Bulk on ranker", fireCount: 1, deliveryCount: 1 });

    const everything = listAlerts(t.db, filter());
    expect(everything.rows.slice(0, 2).map((r) => r.ruleName)).toEqual(["FeatureDriftHigh", "FeatureDriftHigh"]);
    expect(everything.rows[2].ruleName).toBe("Gone");
    expect(everything.rows.find((r) => r.ruleName === "Gone")).toMatchObject({ incidentId: null, incidentTitle: null, model: null });
  });

  it("parseAlertFilter ignores values it does not know", () => {
    expect(parseAlertFilter(new URLSearchParams("status=bogus&sender=nagios&linked=maybe&triage=x&page=-3&rule=%20Bulk%20"))).toEqual({
      status: "",
      rule: "Bulk",
      sender: "",
      linked: "",
      triage: "",
      page: 1,
    });
    expect(parseAlertFilter(new URLSearchParams("status=resolved&sender=grafana&linked=no&triage=noise&page=4"))).toEqual({
      status: "resolved",
      rule: "",
      sender: "grafana",
      linked: "no",
      triage: "noise",
      page: 4,
    });
  });
});

describe("draft severity", () => {
  const fire = (fingerprint: string, severity: string) =>
    generic({ name: "ServingLatencyP99High", status: "firing", severity, fingerprint, group: "latency", startsAt: "2024-05-14T09:00:00Z" });

  it("rises to the most severe alert of the group while the incident is a draft, and never falls", () => {
    const id = deliver("generic", fire("a1", "warning")).opened[0];
    expect(all("select severity from incidents where id = ?", id)).toEqual([{ severity: "SEV3" }]);
    deliver("generic", fire("a2", "critical"), NOW + MIN);
    expect(all("select severity from incidents where id = ?", id)).toEqual([{ severity: "SEV1" }]);
    deliver("generic", fire("a3", "info"), NOW + 2 * MIN);
    expect(all("select severity from incidents where id = ?", id)).toEqual([{ severity: "SEV1" }]);
    expect(all("select action, detail from audit_log where entity = 'incident' and entity_id = ? and action = 'severity'", String(id))).toEqual([
      { action: "severity", detail: JSON.stringify({ to: "SEV1" }) },
    ]);
  });

  it("is left to people once the incident leaves draft", () => {
    const id = deliver("generic", fire("b1", "warning")).opened[0];
    changeStatus(t.db, id, "investigating", EDITOR);
    deliver("generic", fire("b2", "critical"), NOW + 2 * MIN);
    expect(all("select severity, status from incidents where id = ?", id)).toEqual([{ severity: "SEV3", status: "investigating" }]);
  });
});
