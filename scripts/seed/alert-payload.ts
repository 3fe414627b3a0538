// The raw webhook body a stored delivery keeps: shaped as Alertmanager, Grafana or a generic sender would send it.
import { iso } from "./common";
import type { Rule } from "./rules";

export type Sender = "alertmanager" | "grafana" | "generic";

export const SENDER_HEADERS: Record<Sender, string> = {
  alertmanager: JSON.stringify({ "content-type": "application/json", "user-agent": "Alertmanager/0.27.0" }),
  grafana: JSON.stringify({ "content-type": "application/json", "user-agent": "Grafana" }),
  generic: JSON.stringify({ "content-type": "application/json", "user-agent": "curl/8.5.0" }),
};

export type DeliveredAlert = {
  sender: Sender;
  rule: Rule;
  firing: boolean;
  labels: Record<string, string>;
  annotations: { summary: string; runbook_url: string };
  starts: number;
  ends: number | null;
  fingerprint: string;
  /** The model the alert names, if any (it goes into the group key). */
  modelName: string | null;
};

/** The JSON text of a one-alert delivery. */
export function deliveryBody(a: DeliveredAlert): string {
  const { sender, rule, firing, labels, annotations, starts, ends, fingerprint } = a;
  const status = firing ? "firing" : "resolved";
  const alertJson = {
    status,
    labels,
    annotations,
    startsAt: iso(starts),
    endsAt: ends === null ? "0001-01-01T00:00:00Z" : iso(ends),
    generatorURL: `https://prometheus.example.com/graph?g0.expr=${encodeURIComponent(rule.name)}`,
    fingerprint,
  };
  const groupKey = `{}:{alertname="${rule.name}"${a.modelName ? `, model="${a.modelName}"` : ""}}`;
  let body: unknown;
  if (sender === "generic") {
    body = { alerts: [{ name: rule.name, status, severity: rule.severity, fingerprint, labels, annotations, startsAt: alertJson.startsAt, ...(ends === null ? {} : { endsAt: alertJson.endsAt }) }] };
  } else {
    body = {
      version: sender === "grafana" ? "1" : "4",
      groupKey,
      truncatedAlerts: 0,
      status,
      receiver: "faultline",
      groupLabels: { alertname: rule.name },
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: sender === "grafana" ? "https://grafana.example.com/" : "https://alertmanager.example.com",
      alerts: [alertJson],
      ...(sender === "grafana" ? { orgId: 1, title: `[${status.toUpperCase()}:1] ${rule.name}`, state: firing ? "alerting" : "ok", message: annotations.summary } : {}),
    };
  }
  return JSON.stringify(body);
}
