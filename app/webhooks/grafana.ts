import { z } from "zod";
import { alertList, eventFromPrometheusAlert, groupKeyField, payloadVersion, prometheusAlert } from "./alertmanager";
import { link, parseWith } from "./fields";
import type { AlertEvent, ParseOptions } from "./types";

// values/valueString/silenceURL/imageURL are not kept: the stored delivery has them if a postmortem needs them.
const grafanaAlert = prometheusAlert.safeExtend({
  panelURL: link,
  dashboardURL: link,
});

const grafanaBody = z.object({
  version: payloadVersion("1", "Grafana"),
  groupKey: groupKeyField,
  message: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === "string" ? v : undefined)),
  alerts: alertList(grafanaAlert),
});

/** Grafana unified alerting webhook contact point (version "1") -> one event per alert. */
export function parseGrafana(body: unknown, options?: ParseOptions): AlertEvent[] {
  const payload = parseWith(grafanaBody, body);
  return payload.alerts.map((alert) =>
    eventFromPrometheusAlert("grafana", alert, payload.groupKey, options, {
      url: alert.panelURL ?? alert.dashboardURL ?? alert.generatorURL,
      description: payload.message?.trim(),
    }),
  );
}
