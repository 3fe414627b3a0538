export const SENDERS = ["alertmanager", "grafana", "pagerduty", "generic"] as const;
export type Sender = (typeof SENDERS)[number];

/** One alert from any sender, normalized; what the alerts domain upserts by (sender, fingerprint). */
export type AlertEvent = {
  sender: Sender;
  /** Stable per alert and sender: the sender's own fingerprint, the PagerDuty incident id, else stableFingerprint(labels). */
  fingerprint: string;
  ruleName: string;
  status: "firing" | "resolved";
  /** Lowercased; null when the sender gives none. */
  severity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Epoch ms; null when absent or Go's zero time. */
  startsAt: number | null;
  /** Epoch ms, only for resolved alerts. */
  endsAt: number | null;
  /** Alerts with the same group key attach to the same open draft incident. */
  groupKey: string;
  /** Title for a new draft incident (at most 200 characters, one line). */
  title: string;
  description: string;
  /** http(s) link back to the sender; anything else is dropped so it can never become a javascript: href. */
  url: string | null;
  /** Sender's id of this delivery, the same on its retries (PagerDuty only). */
  deliveryId: string | null;
};

export type ParseOptions = {
  /** Label naming the ML model (env MODEL_LABEL); used in titles and fallback group keys. Default "model". */
  modelLabel?: string;
};

/** The body is not a valid payload for its sender; the message names the first bad field. Answer 400 with it. */
export class WebhookParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookParseError";
  }
}
