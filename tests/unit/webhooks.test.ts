import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  SENDERS,
  isSender,
  parseAlertmanager,
  parseGeneric,
  parseGrafana,
  parsePagerDuty,
  parseWebhook,
  stableFingerprint,
  type AlertEvent,
} from "~/webhooks";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}.json`, import.meta.url), "utf8"));
const at = (iso: string) => Date.parse(iso);

const AM_GROUP = '{}/{team="risk-ml"}:{alertname="FeatureDriftHigh", model="fraud-scorer"}';
const AM_URL =
  "http://prometheus-0.monitoring.svc:9090/graph?g0.expr=feature_psi%7Bmodel%3D%22fraud-scorer%22%7D+%3E+0.2&g0.tab=1";
const driftLabels = (feature: string, severity: string) => ({
  alertname: "FeatureDriftHigh",
  feature,
  job: "drift-monitor",
  model: "fraud-scorer",
  model_version: "2024.05.2",
  namespace: "ml-serving",
  severity,
  team: "risk-ml",
});
const driftAnnotations = (feature: string, psi: string) => ({
  description: `PSI for feature ${feature} is ${psi} over the last 1h (threshold 0.2) on fraud-scorer 2024.05.2.`,
  runbook_url: "https://runbooks.example.com/ml/feature-drift",
  summary: `Feature drift on fraud-scorer: ${feature}`,
});

const amFiring: AlertEvent[] = [
  {
    sender: "alertmanager",
    fingerprint: "d5f5d768641b98d0",
    ruleName: "FeatureDriftHigh",
    status: "firing",
    severity: "warning",
    labels: driftLabels("merchant_category", "warning"),
    annotations: driftAnnotations("merchant_category", "0.31"),
    startsAt: at("2024-05-14T09:12:30.512Z"),
    endsAt: null,
    groupKey: AM_GROUP,
    title: "Feature drift on fraud-scorer: merchant_category",
    description:
      "PSI for feature merchant_category is 0.31 over the last 1h (threshold 0.2) on fraud-scorer 2024.05.2.",
    url: AM_URL,
    deliveryId: null,
  },
  {
    sender: "alertmanager",
    fingerprint: "5295f3fded687b36",
    ruleName: "FeatureDriftHigh",
    status: "firing",
    severity: "critical",
    labels: driftLabels("txn_amount_usd", "critical"),
    annotations: driftAnnotations("txn_amount_usd", "0.58"),
    startsAt: at("2024-05-14T09:13:00.500Z"),
    endsAt: null,
    groupKey: AM_GROUP,
    title: "Feature drift on fraud-scorer: txn_amount_usd",
    description: "PSI for feature txn_amount_usd is 0.58 over the last 1h (threshold 0.2) on fraud-scorer 2024.05.2.",
    url: AM_URL,
    deliveryId: null,
  },
];

describe("parseAlertmanager", () => {
  it("reads a firing group of two alerts", () => {
    expect(parseAlertmanager(fixture("alertmanager-firing"))).toStrictEqual(amFiring);
  });

  it("reads the same group resolved: same fingerprints and group, endsAt set", () => {
    expect(parseAlertmanager(fixture("alertmanager-resolved"))).toStrictEqual([
      { ...amFiring[0], status: "resolved", endsAt: at("2024-05-14T10:02:30.512Z") },
      { ...amFiring[1], status: "resolved", endsAt: at("2024-05-14T09:58:00.500Z") },
    ]);
  });

  it("ignores fields it does not know (notification_reason, silencedBy, …)", () => {
    expect(parseAlertmanager(fixture("alertmanager-unknown-fields"))).toStrictEqual([
      {
        sender: "alertmanager",
        fingerprint: "7eeccce258ab222f",
        ruleName: "TrainingPipelineStalled",
        status: "firing",
        severity: "warning",
        labels: {
          alertname: "TrainingPipelineStalled",
          model: "churn-predictor",
          pipeline: "nightly-retrain",
          severity: "warning",
          team: "growth-ml",
        },
        annotations: { summary: "nightly-retrain for churn-predictor has not finished in 6h" },
        startsAt: at("2024-06-02T04:30:00Z"),
        endsAt: null,
        groupKey: '{}:{alertname="TrainingPipelineStalled"}',
        title: "nightly-retrain for churn-predictor has not finished in 6h",
        description: "",
        url: "http://prometheus-0.monitoring.svc:9090/graph?g0.expr=time%28%29+-+pipeline_last_success_timestamp_seconds+%3E+21600&g0.tab=1",
        deliveryId: null,
      },
    ]);
  });

  it("accepts an empty alerts array and a missing version", () => {
    expect(parseAlertmanager({ version: "4", alerts: [] })).toEqual([]);
    expect(parseAlertmanager({ alerts: [] })).toEqual([]);
  });

  it("treats a firing alert's endsAt as unknown even when it is a real time", () => {
    const body = fixture("alertmanager-firing") as { alerts: { endsAt: string }[] };
    body.alerts[0].endsAt = "2024-05-14T09:20:30Z";
    expect(parseAlertmanager(body)[0].endsAt).toBeNull();
  });

  it("gives a resolved alert without endsAt a null end", () => {
    const events = parseAlertmanager({
      alerts: [{ status: "resolved", labels: { alertname: "X" }, startsAt: "2024-01-01T00:00:00Z" }],
    });
    expect(events[0]).toMatchObject({ status: "resolved", endsAt: null, annotations: {}, url: null });
  });

  it("falls back to a stable fingerprint of the labels, independent of label order", () => {
    const alert = (labels: Record<string, string>, fingerprint?: string) => ({
      alerts: [{ status: "firing", labels, startsAt: "2024-01-01T00:00:00Z", fingerprint }],
    });
    const a = parseAlertmanager(alert({ alertname: "X", model: "m", team: "t" }))[0].fingerprint;
    const b = parseAlertmanager(alert({ team: "t", model: "m", alertname: "X" }))[0].fingerprint;
    const c = parseAlertmanager(alert({ alertname: "X", model: "m2", team: "t" }))[0].fingerprint;
    const empty = parseAlertmanager(alert({ alertname: "X", model: "m", team: "t" }, ""))[0].fingerprint;
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(a).toBe(stableFingerprint({ alertname: "X", model: "m", team: "t" }));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(empty).toBe(a);
  });

  it("groups by rule and model when the body has no groupKey", () => {
    const labels = { alertname: "AccuracyDrop", model: "fraud-scorer" };
    const [withModel, withoutModel] = parseAlertmanager({
      alerts: [
        { status: "firing", labels, startsAt: "2024-01-01T00:00:00Z" },
        { status: "firing", labels: { alertname: "AccuracyDrop" }, startsAt: "2024-01-01T00:00:00Z" },
      ],
    });
    expect(withModel.groupKey).toBe("AccuracyDrop|fraud-scorer");
    expect(withModel.title).toBe("AccuracyDrop on fraud-scorer");
    expect(withoutModel.groupKey).toBe("AccuracyDrop|");
    expect(withoutModel.title).toBe("AccuracyDrop");
  });

  it("uses the configured model label", () => {
    const [event] = parseAlertmanager(
      {
        alerts: [
          { status: "firing", labels: { alertname: "A", ml_model: "ranker" }, startsAt: "2024-01-01T00:00:00Z" },
        ],
      },
      { modelLabel: "ml_model" },
    );
    expect(event).toMatchObject({ groupKey: "A|ranker", title: "A on ranker" });
  });

  it("coerces number and boolean label values to strings", () => {
    const [event] = parseAlertmanager({
      alerts: [
        {
          status: "firing",
          labels: { alertname: "A", shard: 3, canary: true, ratio: 0.25 },
          startsAt: "2024-01-01T00:00:00Z",
        },
      ],
    });
    expect(event.labels).toStrictEqual({ alertname: "A", shard: "3", canary: "true", ratio: "0.25" });
  });

  it("accepts exactly 1,000 alerts", () => {
    const alert = { status: "firing", labels: { alertname: "A" }, startsAt: "2024-01-01T00:00:00Z" };
    expect(parseAlertmanager({ alerts: Array.from({ length: 1000 }, () => alert) })).toHaveLength(1000);
  });

  it("does not let a __proto__ label reach the prototype", () => {
    const body = JSON.parse(
      '{"alerts":[{"status":"firing","startsAt":"2024-01-01T00:00:00Z","labels":{"alertname":"A","__proto__":{"polluted":"yes"}},"annotations":{"__proto__":"x"}}]}',
    );
    const [event] = parseAlertmanager(body);
    expect(Object.getPrototypeOf(event.labels)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(event.annotations)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps only http(s) links", () => {
    const withUrl = (generatorURL: unknown) =>
      parseAlertmanager({
        alerts: [{ status: "firing", labels: { alertname: "A" }, startsAt: "2024-01-01T00:00:00Z", generatorURL }],
      })[0].url;
    expect(withUrl("https://prom.example.com/graph?g0.expr=up")).toBe("https://prom.example.com/graph?g0.expr=up");
    expect(withUrl("javascript:alert(document.cookie)")).toBeNull();
    expect(withUrl("data:text/html,<script>alert(1)</script>")).toBeNull();
    expect(withUrl("/graph?g0.expr=up")).toBeNull();
    expect(withUrl("")).toBeNull();
    expect(withUrl(42)).toBeNull();
    expect(withUrl(`https://prom.example.com/${"a".repeat(5000)}`)).toBeNull();
  });

  it("makes a one-line title of at most 200 characters", () => {
    const summary = `Drift\n  on   fraud-scorer ${"x".repeat(300)}`;
    const [event] = parseAlertmanager({
      alerts: [
        { status: "firing", labels: { alertname: "A" }, annotations: { summary }, startsAt: "2024-01-01T00:00:00Z" },
      ],
    });
    expect(event.title).toHaveLength(200);
    expect(event.title.startsWith("Drift on fraud-scorer xxx")).toBe(true);
    expect(event.title.endsWith("…")).toBe(true);
  });
});

const GRAFANA_GROUP =
  '{}/{__grafana_autogenerated__="true"}/{__grafana_receiver__="faultline"}:{alertname="InferenceLatencyP95High", grafana_folder="ML Serving"}';
const GRAFANA_RULE_URL = "https://grafana.example.com/alerting/grafana/be7k2s1q0v4zkd/view?orgId=1";
const latencyLabels = (modelVersion: string, severity: string) => ({
  alertname: "InferenceLatencyP95High",
  grafana_folder: "ML Serving",
  model: "search-ranker",
  model_version: modelVersion,
  severity,
  team: "search-ml",
});

const grafanaFiring: AlertEvent[] = [
  {
    sender: "grafana",
    fingerprint: "e1370c854484fa6c",
    ruleName: "InferenceLatencyP95High",
    status: "firing",
    severity: "critical",
    labels: latencyLabels("7.2.0", "Critical"),
    annotations: {
      description: "p95 inference latency of search-ranker 7.2.0 is 412 ms (SLO 250 ms) for 10 minutes.",
      runbook_url: "https://runbooks.example.com/ml/inference-latency",
      summary: "search-ranker p95 latency above SLO",
    },
    startsAt: at("2024-07-03T12:05:10.123Z"),
    endsAt: null,
    groupKey: GRAFANA_GROUP,
    title: "search-ranker p95 latency above SLO",
    description: "p95 inference latency of search-ranker 7.2.0 is 412 ms (SLO 250 ms) for 10 minutes.",
    url: "https://grafana.example.com/d/ml-serving-latency?orgId=1&viewPanel=4",
    deliveryId: null,
  },
  {
    sender: "grafana",
    fingerprint: "db95e29249e9a275",
    ruleName: "InferenceLatencyP95High",
    status: "firing",
    severity: "warning",
    labels: latencyLabels("7.3.0-canary", "warning"),
    annotations: {
      description: "p95 inference latency of search-ranker 7.3.0-canary is 301 ms (SLO 250 ms) for 10 minutes.",
      runbook_url: "https://runbooks.example.com/ml/inference-latency",
    },
    startsAt: at("2024-07-03T12:06:10.123Z"),
    endsAt: null,
    groupKey: GRAFANA_GROUP,
    title: "InferenceLatencyP95High on search-ranker",
    description: "p95 inference latency of search-ranker 7.3.0-canary is 301 ms (SLO 250 ms) for 10 minutes.",
    // No dashboard linked (empty panelURL and dashboardURL): the rule's own page.
    url: GRAFANA_RULE_URL,
    deliveryId: null,
  },
];

describe("parseGrafana", () => {
  it("reads a firing group: offsets and microseconds, severity lowercased, panel link preferred", () => {
    expect(parseGrafana(fixture("grafana-firing"))).toStrictEqual(grafanaFiring);
  });

  it("reads the resolved group with the same fingerprints", () => {
    expect(parseGrafana(fixture("grafana-resolved"))).toStrictEqual([
      { ...grafanaFiring[0], status: "resolved", endsAt: at("2024-07-03T12:41:10.123Z") },
      { ...grafanaFiring[1], status: "resolved", endsAt: at("2024-07-03T12:37:10.123Z") },
    ]);
  });

  it("falls back to the dashboard link, then the rule link", () => {
    const body = fixture("grafana-firing") as { alerts: Record<string, unknown>[] };
    body.alerts[0].panelURL = "";
    expect(parseGrafana(body)[0].url).toBe("https://grafana.example.com/d/ml-serving-latency?orgId=1");
    delete body.alerts[0].dashboardURL;
    expect(parseGrafana(body)[0].url).toBe(GRAFANA_RULE_URL);
  });

  it("uses the notification message when an alert has no description", () => {
    const [event] = parseGrafana({
      version: "1",
      message: "  **Firing**\nValue: A=3  ",
      alerts: [{ status: "firing", labels: { alertname: "A" }, startsAt: "2024-01-01T00:00:00Z" }],
    });
    expect(event.description).toBe("**Firing**\nValue: A=3");
  });

  it("falls back to a label fingerprint when Grafana sends none", () => {
    const labels = { alertname: "A", model: "m" };
    const [event] = parseGrafana({ alerts: [{ status: "firing", labels, startsAt: "2024-01-01T00:00:00Z" }] });
    expect(event.fingerprint).toBe(stableFingerprint(labels));
  });
});

const PD_INCIDENT = "Q2W8LKJ5C0XHTA";
const PD_TITLE = "recs-ranker CTR dropped 38% below 7-day baseline";
const pdTriggered: AlertEvent = {
  sender: "pagerduty",
  fingerprint: PD_INCIDENT,
  ruleName: PD_TITLE,
  status: "firing",
  severity: "p2",
  labels: {
    service: "Recommendations API",
    urgency: "high",
    priority: "P2",
    incident_key: "3f9c1b7e2a6d4c0e8b5f7a1d9e2c4b6a",
    teams: "Recommendations, ML Platform",
  },
  annotations: { event_type: "incident.triggered" },
  startsAt: at("2024-08-19T22:47:04Z"),
  endsAt: null,
  groupKey: `pagerduty:${PD_INCIDENT}`,
  title: PD_TITLE,
  description: "",
  url: `https://acme-ml.pagerduty.com/incidents/${PD_INCIDENT}`,
  deliveryId: "01EZ4QH7XNW1D3M8V6B2K9TCSR",
};

describe("parsePagerDuty", () => {
  it("reads incident.triggered: the incident is the alert", () => {
    expect(parsePagerDuty(fixture("pagerduty-triggered"))).toStrictEqual([pdTriggered]);
  });

  it("reads incident.resolved: same fingerprint and group, endsAt when it happened", () => {
    expect(parsePagerDuty(fixture("pagerduty-resolved"))).toStrictEqual([
      {
        ...pdTriggered,
        status: "resolved",
        annotations: { event_type: "incident.resolved" },
        endsAt: at("2024-08-19T23:31:42.907Z"),
        deliveryId: "01EZ4T0A8GQ6YV2P3N7H5RJD1M",
      },
    ]);
  });

  it("ignores incident.annotated: a note changes no alert state", () => {
    expect(parsePagerDuty(fixture("pagerduty-annotated"))).toStrictEqual([]);
  });

  it.each(["incident.acknowledged", "incident.reopened", "incident.escalated", "incident.priority_updated"])(
    "maps %s to firing",
    (eventType) => {
      const body = fixture("pagerduty-triggered") as { event: { event_type: string } };
      body.event.event_type = eventType;
      expect(parsePagerDuty(body)[0]).toMatchObject({ status: "firing", endsAt: null, fingerprint: PD_INCIDENT });
    },
  );

  it("keeps a resolved incident resolved when another event (priority change) arrives for it", () => {
    const body = fixture("pagerduty-resolved") as { event: { event_type: string } };
    body.event.event_type = "incident.priority_updated";
    expect(parsePagerDuty(body)[0]).toMatchObject({ status: "resolved", endsAt: at("2024-08-19T23:31:42.907Z") });
  });

  it("uses urgency as severity when the incident has no priority", () => {
    const body = fixture("pagerduty-triggered") as { event: { data: Record<string, unknown> } };
    body.event.data.priority = null;
    body.event.data.teams = [];
    const [event] = parsePagerDuty(body);
    expect(event.severity).toBe("high");
    expect(event.labels).toStrictEqual({
      service: "Recommendations API",
      urgency: "high",
      incident_key: "3f9c1b7e2a6d4c0e8b5f7a1d9e2c4b6a",
    });
  });

  it("ignores events that are not about incidents", () => {
    expect(
      parsePagerDuty({
        event: {
          id: "01BRB6ZP4M6T8ZG4X6BP63ZB9O",
          event_type: "service.updated",
          resource_type: "service",
          data: { id: "PF9KMXH", type: "service" },
        },
      }),
    ).toEqual([]);
    expect(
      parsePagerDuty({
        event: { id: "e1", event_type: "pagey.ping", resource_type: "pagey", occurred_at: null, data: {} },
      }),
    ).toEqual([]);
  });
});

describe("parseGeneric", () => {
  it("reads scripts' alerts: name becomes alertname, times and severity normalized", () => {
    const labels1 = {
      model: "churn-predictor",
      model_version: "2024-09-01.4",
      dataset: "holdout-2024q3",
      metric: "auc",
      team: "growth-ml",
      alertname: "OfflineEvalRegression",
    };
    expect(parseGeneric(fixture("generic"))).toStrictEqual([
      {
        sender: "generic",
        fingerprint: stableFingerprint(labels1),
        ruleName: "OfflineEvalRegression",
        status: "firing",
        severity: "high",
        labels: labels1,
        annotations: {
          summary: "churn-predictor 2024-09-01.4 AUC fell 0.041 on holdout-2024q3",
          description: "Nightly eval: AUC 0.812 vs 0.853 for the serving version. Promotion blocked.",
        },
        startsAt: at("2024-09-02T03:15:00Z"),
        endsAt: null,
        groupKey: "OfflineEvalRegression|churn-predictor",
        title: "churn-predictor 2024-09-01.4 AUC fell 0.041 on holdout-2024q3",
        description: "Nightly eval: AUC 0.812 vs 0.853 for the serving version. Promotion blocked.",
        url: "https://mlflow.example.com/#/experiments/17/runs/9b2f0c4e",
        deliveryId: null,
      },
      {
        sender: "generic",
        fingerprint: "label-delay/churn-labels",
        ruleName: "LabelDelayHigh",
        status: "resolved",
        severity: "warning",
        labels: { pipeline: "churn-labels", severity: "Warning", delay_hours: "30", alertname: "LabelDelayHigh" },
        annotations: {},
        startsAt: at("2024-09-01T06:00:00Z"),
        endsAt: at("2024-09-02T01:30:00Z"),
        groupKey: "churn-data-quality",
        title: "LabelDelayHigh",
        description: "",
        url: null,
        deliveryId: null,
      },
    ]);
  });

  it("gives alerts of different names different fallback fingerprints even without labels", () => {
    const [a, b, a2] = parseGeneric({
      alerts: [
        { name: "A", status: "firing" },
        { name: "B", status: "firing" },
        { name: "A", status: "resolved", startsAt: null, endsAt: "" },
      ],
    });
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(a2.fingerprint).toBe(a.fingerprint);
    expect(a).toMatchObject({
      startsAt: null,
      endsAt: null,
      severity: null,
      groupKey: "A|",
      labels: { alertname: "A" },
    });
    expect(a2.endsAt).toBeNull();
  });
});

describe("parseWebhook", () => {
  it("dispatches by sender", () => {
    expect(parseWebhook("alertmanager", fixture("alertmanager-firing"))).toStrictEqual(amFiring);
    expect(parseWebhook("grafana", fixture("grafana-firing"))).toStrictEqual(grafanaFiring);
    expect(parseWebhook("pagerduty", fixture("pagerduty-triggered"))).toStrictEqual([pdTriggered]);
    expect(parseWebhook("generic", fixture("generic"))).toHaveLength(2);
    expect(
      parseWebhook(
        "generic",
        { alerts: [{ name: "A", status: "firing", labels: { ml_model: "m" } }] },
        { modelLabel: "ml_model" },
      )[0].groupKey,
    ).toBe("A|m");
  });

  it("tells senders from other path segments", () => {
    for (const sender of SENDERS) expect(isSender(sender)).toBe(true);
    for (const other of ["", "prometheus", "Alertmanager", "toString", "__proto__", "generic "])
      expect(isSender(other)).toBe(false);
  });
});
