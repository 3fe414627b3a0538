import type { LIFECYCLE_STAGES, NOTIFICATION_EVENTS, TRIGGERS } from "../../db/schema";

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
export const EVENT_LABELS: Record<(typeof NOTIFICATION_EVENTS)[number], string> = {
  draft_opened: "A draft opened by an alert",
  assigned: "Someone assigned (owner, lead, action item)",
  review_requested: "Review requested",
  review_decided: "Review approved or changes asked",
  mentioned: "Mentioned in a comment",
  action_digest: "Daily digest of action items due in 3 days or overdue",
};
