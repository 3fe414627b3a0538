import { z } from "zod";
import { alertList } from "./alertmanager";
import {
  alertStatus,
  fallbackGroupKey,
  fingerprintOf,
  link,
  modelLabelOf,
  normalizeSeverity,
  optionalAnnotations,
  optionalLabels,
  optionalTime,
  parseWith,
  shortText,
  titleFor,
  MAX_LABEL_LENGTH,
} from "./fields";
import type { AlertEvent, ParseOptions } from "./types";

const genericAlert = z.object({
  name: shortText.refine((v) => v.trim().length > 0, "must not be blank"),
  status: alertStatus,
  severity: z.string().max(MAX_LABEL_LENGTH).nullish(),
  fingerprint: z.string().max(MAX_LABEL_LENGTH).nullish(),
  labels: optionalLabels,
  annotations: optionalAnnotations,
  startsAt: optionalTime,
  endsAt: optionalTime,
  group: z.string().max(MAX_LABEL_LENGTH).nullish(),
  url: link,
});

const genericBody = z.object({ alerts: alertList(genericAlert) });

/**
 * `{ alerts: [{ name, status, severity?, fingerprint?, labels?, annotations?, startsAt?, endsAt?, group?, url? }] }`.
 * `name` is also the `alertname` label, as with Alertmanager, so the fallback fingerprint differs per rule.
 */
export function parseGeneric(body: unknown, options?: ParseOptions): AlertEvent[] {
  const modelLabel = modelLabelOf(options);
  return parseWith(genericBody, body).alerts.map((alert) => {
    const ruleName = alert.name.trim();
    const labels: Record<string, string> = { ...alert.labels, alertname: ruleName };
    const { annotations } = alert;
    const resolved = alert.status === "resolved";
    return {
      sender: "generic",
      fingerprint: fingerprintOf(alert.fingerprint?.trim(), labels),
      ruleName,
      status: alert.status,
      severity: normalizeSeverity(alert.severity) ?? normalizeSeverity(labels.severity),
      labels,
      annotations,
      startsAt: alert.startsAt,
      endsAt: resolved ? alert.endsAt : null,
      groupKey: alert.group?.trim() || fallbackGroupKey(ruleName, labels, modelLabel),
      title: titleFor(ruleName, labels, annotations, modelLabel),
      description: annotations.description ?? "",
      url: alert.url,
      deliveryId: null,
    };
  });
}
