import type { LIFECYCLE_STAGES, TRIGGERS } from "../../db/schema";

export const TRIGGER_LABELS: Record<(typeof TRIGGERS)[number], string> = {
  binary_push: "Binary push",
  config_push: "Config push",
  user_behaviour: "User behaviour change",
  pipeline: "Pipeline",
  provider_change: "Provider change",
  performance_decay: "Performance decay",
  capacity: "Capacity",
  hardware: "Hardware",
};

export const STAGE_LABELS: Record<(typeof LIFECYCLE_STAGES)[number], string> = {
  data_collection: "Data collection",
  experimentation: "Experimentation",
  evaluation_deployment: "Evaluation & deployment",
  monitoring_response: "Monitoring & response",
};

export function familyLabel(family: string | null | undefined): string {
  return family === "ml" ? "ML-specific" : family === "non-ml" ? "non-ML" : "";
}

/** "in review" for in_review: how statuses read in pages and timeline entries. */
export function statusLabel(status: string): string {
  return status.replace("_", " ");
}
