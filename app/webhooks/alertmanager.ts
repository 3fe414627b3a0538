import { z } from "zod";
import {
  MAX_ALERTS,
  alertStatus,
  fallbackGroupKey,
  fingerprintOf,
  labelMap,
  link,
  modelLabelOf,
  normalizeSeverity,
  optionalAnnotations,
  optionalTime,
  parseWith,
  time,
  titleFor,
  MAX_LABEL_LENGTH,
} from "./fields";
import type { AlertEvent, ParseOptions, Sender } from "./types";

/** One alert as Alertmanager (and Grafana, which copies its shape) sends it. Unknown fields are dropped. */
export const prometheusAlert = z
  .object({
    status: alertStatus,
    labels: labelMap,
    annotations: optionalAnnotations,
    startsAt: time,
    endsAt: optionalTime,
    generatorURL: link,
    fingerprint: z.string().max(MAX_LABEL_LENGTH).optional(),
  })
  .superRefine((alert, ctx) => {
    if (!alert.labels.alertname?.trim())
      ctx.addIssue({ code: "custom", path: ["labels", "alertname"], message: "required" });
  });

/** `alerts` is checked for length before its items are parsed, so a huge body fails fast. */
export const alertList = <T extends z.ZodType>(alert: T) =>
  z
    .array(z.unknown())
    .max(MAX_ALERTS, `at most ${MAX_ALERTS.toLocaleString("en-US")} alerts per request`)
    .pipe(z.array(alert));

/** Refuses a payload of another version, e.g. a Grafana body posted to the Alertmanager endpoint. */
export const payloadVersion = (expected: string, senderName: string) =>
  z
    .unknown()
    .optional()
    .superRefine((version, ctx) => {
      if (version !== undefined && version !== expected) {
        ctx.addIssue({
          code: "custom",
          message: `expected "${expected}" (${senderName} webhook payload), got ${JSON.stringify(version)}`,
        });
      }
    });

export const groupKeyField = z.string().optional();

type PrometheusAlert = z.output<typeof prometheusAlert>;

export function eventFromPrometheusAlert(
  sender: Sender,
  alert: PrometheusAlert,
  groupKey: string | undefined,
  options: ParseOptions | undefined,
  extra: { url?: string | null; description?: string } = {},
): AlertEvent {
  const modelLabel = modelLabelOf(options);
  const { labels, annotations } = alert;
  const ruleName = labels.alertname.trim();
  const resolved = alert.status === "resolved";
  return {
    sender,
    fingerprint: fingerprintOf(alert.fingerprint?.trim(), labels),
    ruleName,
    status: alert.status,
    severity: normalizeSeverity(labels.severity),
    labels,
    annotations,
    startsAt: alert.startsAt,
    // A firing alert's endsAt is the zero time or a guess at expiry: only a resolve has a real end.
    endsAt: resolved ? alert.endsAt : null,
    groupKey: groupKey?.trim() || fallbackGroupKey(ruleName, labels, modelLabel),
    title: titleFor(ruleName, labels, annotations, modelLabel),
    description: annotations.description || extra.description || "",
    url: extra.url !== undefined ? extra.url : alert.generatorURL,
    deliveryId: null,
  };
}

const alertmanagerBody = z.object({
  version: payloadVersion("4", "Alertmanager"),
  groupKey: groupKeyField,
  alerts: alertList(prometheusAlert),
});

/** Alertmanager webhook_config payload (version "4") -> one event per alert. */
export function parseAlertmanager(body: unknown, options?: ParseOptions): AlertEvent[] {
  const payload = parseWith(alertmanagerBody, body);
  return payload.alerts.map((alert) => eventFromPrometheusAlert("alertmanager", alert, payload.groupKey, options));
}
