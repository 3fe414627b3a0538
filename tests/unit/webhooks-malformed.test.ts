import { describe, expect, it } from "vitest";
import { WebhookParseError, parseAlertmanager, parseGeneric, parseGrafana, parsePagerDuty } from "~/webhooks";

const TIME = "must be an RFC 3339 time such as 2024-05-01T12:00:00Z";
const long = (n: number) => "x".repeat(n);

type Body = Record<string, any>;
type Case = [label: string, body: unknown, message: string];

function expectParseError(parse: (body: unknown) => unknown, body: unknown, message: string) {
  let error: unknown;
  try {
    parse(body);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WebhookParseError);
  expect((error as Error).message).toBe(message);
}

/** A valid body with one alert, changed by `edit`. */
const prometheusBody =
  (version: string) =>
  (edit: (body: Body, alert: Body) => void = () => {}) => {
    const alert: Body = {
      status: "firing",
      labels: { alertname: "FeatureDriftHigh", model: "fraud-scorer" },
      annotations: { summary: "drift" },
      startsAt: "2024-05-14T09:12:30Z",
      endsAt: "0001-01-01T00:00:00Z",
      fingerprint: "d5f5d768641b98d0",
    };
    const body: Body = { version, groupKey: "{}:{}", alerts: [alert] };
    edit(body, alert);
    return body;
  };

const prometheusCases = (version: string, otherVersion: string, senderName: string): Case[] => {
  const body = prometheusBody(version);
  return [
    ["a string", "not json", "body: must be a JSON object"],
    ["null", null, "body: must be a JSON object"],
    ["an array", [body()], "body: must be a JSON object"],
    ["missing alerts", body((b) => delete b.alerts), "alerts: required"],
    ["alerts not an array", body((b) => (b.alerts = { 0: b.alerts[0] })), "alerts: must be an array"],
    ["an alert not an object", body((b) => (b.alerts = [42])), "alerts.0: must be an object"],
    ["missing status", body((_, a) => delete a.status), "alerts.0.status: required"],
    ["bad status", body((_, a) => (a.status = "pending")), 'alerts.0.status: must be "firing" or "resolved"'],
    ["missing labels", body((_, a) => delete a.labels), "alerts.0.labels: required"],
    ["labels an array", body((_, a) => (a.labels = ["alertname=X"])), "alerts.0.labels: must be an object"],
    ["missing alertname", body((_, a) => delete a.labels.alertname), "alerts.0.labels.alertname: required"],
    ["blank alertname", body((_, a) => (a.labels.alertname = " ")), "alerts.0.labels.alertname: required"],
    [
      "label value an object",
      body((_, a) => (a.labels.model = { name: "x" })),
      "alerts.0.labels.model: must be a string, number or boolean",
    ],
    [
      "label value null",
      body((_, a) => (a.labels.model = null)),
      "alerts.0.labels.model: must be a string, number or boolean",
    ],
    [
      "huge label value",
      body((_, a) => (a.labels.model = long(1025))),
      "alerts.0.labels.model: is longer than 1,024 characters",
    ],
    [
      "huge label name",
      body((_, a) => (a.labels[long(1025)] = "v")),
      `alerts.0.labels: label name "${long(40)}…" is longer than 1,024 characters`,
    ],
    ["empty label name", body((_, a) => (a.labels[""] = "v")), "alerts.0.labels: label names must not be empty"],
    [
      "annotation value a list",
      body((_, a) => (a.annotations.summary = ["a"])),
      "alerts.0.annotations.summary: must be a string, number or boolean",
    ],
    [
      "huge annotation",
      body((_, a) => (a.annotations.description = long(65_537))),
      "alerts.0.annotations.description: is longer than 65,536 characters",
    ],
    ["missing startsAt", body((_, a) => delete a.startsAt), "alerts.0.startsAt: required"],
    ["bad startsAt", body((_, a) => (a.startsAt = "yesterday")), `alerts.0.startsAt: ${TIME}`],
    ["startsAt without a zone", body((_, a) => (a.startsAt = "2024-05-14T09:12:30")), `alerts.0.startsAt: ${TIME}`],
    ["startsAt as epoch seconds", body((_, a) => (a.startsAt = 1715677950)), `alerts.0.startsAt: ${TIME}`],
    ["impossible endsAt", body((_, a) => (a.endsAt = "2024-02-30T00:00:00Z")), `alerts.0.endsAt: ${TIME}`],
    ["fingerprint a number", body((_, a) => (a.fingerprint = 12345)), "alerts.0.fingerprint: must be a string"],
    ["groupKey a number", body((b) => (b.groupKey = 7)), "groupKey: must be a string"],
    [
      "another payload version",
      body((b) => (b.version = otherVersion)),
      `version: expected "${version}" (${senderName} webhook payload), got "${otherVersion}"`,
    ],
    [
      "1,001 alerts",
      body((b) => (b.alerts = Array.from({ length: 1001 }, () => b.alerts[0]))),
      "alerts: at most 1,000 alerts per request",
    ],
    [
      "1,001 junk alerts (length checked first)",
      body((b) => (b.alerts = Array(1001).fill(0))),
      "alerts: at most 1,000 alerts per request",
    ],
    [
      "a later alert bad",
      body((b) => (b.alerts = [b.alerts[0], b.alerts[0], { ...b.alerts[0], status: "ok" }])),
      'alerts.2.status: must be "firing" or "resolved"',
    ],
  ];
};

describe("parseAlertmanager refuses malformed bodies", () => {
  it("accepts the unedited base body", () => {
    expect(parseAlertmanager(prometheusBody("4")())).toHaveLength(1);
  });
  it.each(prometheusCases("4", "1", "Alertmanager"))("%s", (_, body, message) => {
    expectParseError(parseAlertmanager, body, message);
  });
});

describe("parseGrafana refuses malformed bodies", () => {
  it("accepts the unedited base body", () => {
    expect(parseGrafana(prometheusBody("1")())).toHaveLength(1);
  });
  it.each(prometheusCases("1", "4", "Grafana"))("%s", (_, body, message) => {
    expectParseError(parseGrafana, body, message);
  });
  it("refuses a legacy (pre-unified alerting) Grafana body", () => {
    expectParseError(parseGrafana, { ruleName: "CPU", state: "alerting", evalMatches: [] }, "alerts: required");
  });
});

const pdBody = (edit: (event: Body, data: Body) => void = () => {}) => {
  const data: Body = {
    id: "Q2W8LKJ5C0XHTA",
    type: "incident",
    title: "CTR drop",
    status: "triggered",
    urgency: "high",
    created_at: "2024-08-19T22:47:04Z",
    service: { id: "PK3RQ7Z", summary: "Recommendations API" },
    teams: [{ id: "PT5RECS", summary: "Recommendations" }],
    priority: { id: "PQ1PRIO", summary: "P2" },
    html_url: "https://acme-ml.pagerduty.com/incidents/Q2W8LKJ5C0XHTA",
  };
  const event: Body = {
    id: "01EZ4QH7XNW1D3M8V6B2K9TCSR",
    event_type: "incident.triggered",
    resource_type: "incident",
    occurred_at: "2024-08-19T22:47:05.318Z",
    data,
  };
  edit(event, data);
  return { event };
};

describe("parsePagerDuty refuses malformed bodies", () => {
  it("accepts the unedited base body", () => {
    expect(parsePagerDuty(pdBody())).toHaveLength(1);
  });

  it.each<Case>([
    ["a number", 42, "body: must be a JSON object"],
    ["an array of events", [pdBody().event], "body: must be a JSON object"],
    ["missing event", { messages: [] }, "event: required"],
    ["event not an object", { event: "incident.triggered" }, "event: must be an object"],
    ["missing event id", pdBody((e) => delete e.id), "event.id: required"],
    ["empty event id", pdBody((e) => (e.id = "")), "event.id: must not be empty"],
    ["missing event_type", pdBody((e) => delete e.event_type), "event.event_type: required"],
    ["resource_type a number", pdBody((e) => (e.resource_type = 1)), "event.resource_type: must be a string"],
    ["bad occurred_at", pdBody((e) => (e.occurred_at = "2024-08-19 22:47")), `event.occurred_at: ${TIME}`],
    ["missing data", pdBody((e) => delete e.data), "event.data: required"],
    ["data a list", pdBody((e) => (e.data = [])), "event.data: must be an object"],
    ["missing incident id", pdBody((_, d) => delete d.id), "event.data.id: required"],
    ["bad created_at", pdBody((_, d) => (d.created_at = "last tuesday")), `event.data.created_at: ${TIME}`],
    ["teams not a list", pdBody((_, d) => (d.teams = "Recommendations")), "event.data.teams: must be an array"],
    [
      "service summary a number",
      pdBody((_, d) => (d.service = { summary: 5 })),
      "event.data.service.summary: must be a string",
    ],
    ["huge title", pdBody((_, d) => (d.title = long(1025))), "event.data.title: must be at most 1,024 characters"],
    [
      "teams too long together",
      pdBody((_, d) => (d.teams = Array.from({ length: 30 }, (_, i) => ({ summary: `team-${i}-${long(40)}` })))),
      "event.data.teams: team names are longer than 1,024 characters together",
    ],
  ])("%s", (_, body, message) => {
    expectParseError(parsePagerDuty, body, message);
  });
});

const genericBody = (edit: (body: Body, alert: Body) => void = () => {}) => {
  const alert: Body = {
    name: "OfflineEvalRegression",
    status: "firing",
    severity: "high",
    labels: { model: "churn-predictor" },
    annotations: { summary: "AUC fell" },
    startsAt: "2024-09-02T03:15:00Z",
  };
  const body: Body = { alerts: [alert] };
  edit(body, alert);
  return body;
};

describe("parseGeneric refuses malformed bodies", () => {
  it("accepts the unedited base body", () => {
    expect(parseGeneric(genericBody())).toHaveLength(1);
  });

  it.each<Case>([
    ["a string", "OfflineEvalRegression firing", "body: must be a JSON object"],
    ["a bare list of alerts", genericBody().alerts, "body: must be a JSON object"],
    ["missing alerts", { alert: genericBody().alerts[0] }, "alerts: required"],
    ["alerts not an array", { alerts: genericBody().alerts[0] }, "alerts: must be an array"],
    ["missing name", genericBody((_, a) => delete a.name), "alerts.0.name: required"],
    ["empty name", genericBody((_, a) => (a.name = "")), "alerts.0.name: must not be empty"],
    ["huge name", genericBody((_, a) => (a.name = long(1025))), "alerts.0.name: must be at most 1,024 characters"],
    ["missing status", genericBody((_, a) => delete a.status), "alerts.0.status: required"],
    ["bad status", genericBody((_, a) => (a.status = "critical")), 'alerts.0.status: must be "firing" or "resolved"'],
    ["severity a number", genericBody((_, a) => (a.severity = 2)), "alerts.0.severity: must be a string"],
    ["bad startsAt", genericBody((_, a) => (a.startsAt = "2024-09-02")), `alerts.0.startsAt: ${TIME}`],
    ["startsAt in ms", genericBody((_, a) => (a.startsAt = 1725246900000)), `alerts.0.startsAt: ${TIME}`],
    ["bad endsAt", genericBody((_, a) => (a.endsAt = "2024-09-02T25:00:00Z")), `alerts.0.endsAt: ${TIME}`],
    ["labels a string", genericBody((_, a) => (a.labels = "model=churn")), "alerts.0.labels: must be an object"],
    [
      "label value an object",
      genericBody((_, a) => (a.labels.model = { id: 1 })),
      "alerts.0.labels.model: must be a string, number or boolean",
    ],
    [
      "huge label",
      genericBody((_, a) => (a.labels.model = long(2000))),
      "alerts.0.labels.model: is longer than 1,024 characters",
    ],
    ["group a list", genericBody((_, a) => (a.group = ["a"])), "alerts.0.group: must be a string"],
    [
      "1,001 alerts",
      genericBody((b) => (b.alerts = Array.from({ length: 1001 }, () => b.alerts[0]))),
      "alerts: at most 1,000 alerts per request",
    ],
  ])("%s", (_, body, message) => {
    expectParseError(parseGeneric, body, message);
  });
});
