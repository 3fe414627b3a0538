import client from "prom-client";
import { processWide } from "./process-wide";

export type RefusalReason = "method" | "unknown_sender" | "unauthorized" | "too_large" | "invalid" | "failed";

function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "faultline_" });
  return {
    registry,
    received: new client.Counter({
      name: "faultline_webhook_deliveries_received_total",
      help: "Webhook deliveries received, by sender (refused ones included).",
      labelNames: ["sender"],
      registers: [registry],
    }),
    refused: new client.Counter({
      name: "faultline_webhook_deliveries_refused_total",
      help: "Webhook deliveries answered with an error, by sender and reason.",
      labelNames: ["sender", "reason"],
      registers: [registry],
    }),
    applied: new client.Counter({
      name: "faultline_webhook_deliveries_applied_total",
      help: "Webhook deliveries stored and applied (duplicates of an applied body excluded), by sender.",
      labelNames: ["sender"],
      registers: [registry],
    }),
    ingestSeconds: new client.Histogram({
      name: "faultline_webhook_ingest_duration_seconds",
      help: "Time from a delivery's arrival to its answer (stored, applied and committed), by sender.",
      labelNames: ["sender"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    incidents: new client.Gauge({ name: "faultline_incidents", help: "Incidents by status.", labelNames: ["status"], registers: [registry] }),
    actionItemsOpen: new client.Gauge({ name: "faultline_action_items_open", help: "Open action items.", registers: [registry] }),
    actionItemsOverdue: new client.Gauge({ name: "faultline_action_items_overdue", help: "Open action items past their due time.", registers: [registry] }),
  };
}

/** The process's metrics: the server script (webhooks) and the Remix build (the /metrics route) count into one registry. */
export const metrics = processWide("metrics", createMetrics);
