import { z } from "zod";
import {
  MAX_LABEL_LENGTH,
  link,
  normalizeSeverity,
  oneLineTitle,
  optionalTime,
  parseWith,
  shortText,
} from "./fields";
import { WebhookParseError, type AlertEvent } from "./types";

const summaryRef = z.object({ summary: z.string().max(MAX_LABEL_LENGTH).optional() }).nullish();
const optionalText = z.string().max(MAX_LABEL_LENGTH).nullish();

const envelope = z.object({
  event: z.object({
    id: shortText,
    event_type: shortText,
    resource_type: shortText,
    occurred_at: optionalTime,
    data: z.record(z.string(), z.unknown()),
  }),
});

/** data of incident.triggered, .acknowledged, .resolved, .reopened, .priority_updated, … */
const incident = z.object({
  type: z.literal("incident"),
  id: shortText,
  title: optionalText,
  status: z.string().nullish(),
  urgency: optionalText,
  priority: summaryRef,
  service: summaryRef,
  teams: z.array(summaryRef).nullish(),
  incident_key: optionalText,
  html_url: link,
  created_at: optionalTime,
});

function labelsOf(data: z.output<typeof incident>): Record<string, string> {
  const teams = (data.teams ?? [])
    .map((team) => team?.summary)
    .filter(Boolean)
    .join(", ");
  if (teams.length > MAX_LABEL_LENGTH) {
    throw new WebhookParseError(
      `event.data.teams: team names are longer than ${MAX_LABEL_LENGTH.toLocaleString("en-US")} characters together`,
    );
  }
  const entries: [string, string | null | undefined][] = [
    ["service", data.service?.summary],
    ["urgency", data.urgency],
    ["priority", data.priority?.summary],
    ["incident_key", data.incident_key],
    ["teams", teams],
  ];
  return Object.fromEntries(entries.filter((e): e is [string, string] => Boolean(e[1])));
}

/**
 * PagerDuty V3 webhook (one event per request) -> zero or one event. Events that are not about an incident's state
 * (service.*, pings, notes, status updates, responder requests) give [].
 * The PagerDuty incident is the alert: fingerprint = incident id, group = `pagerduty:<id>`, delivery = event id.
 */
export function parsePagerDuty(body: unknown): AlertEvent[] {
  const { event } = parseWith(envelope, body);
  if (event.resource_type !== "incident" || !event.event_type.startsWith("incident.")) return [];
  const dataPath = ["event", "data"];
  const base = { sender: "pagerduty" as const, deliveryId: event.id };

  if (event.data.type === "incident") {
    const data = parseWith(incident, event.data, dataPath);
    // The incident's own status wins: e.g. a priority change on a resolved incident must not re-fire it.
    const resolved = event.event_type === "incident.resolved" || data.status === "resolved";
    const ruleName = data.title?.trim() || `PagerDuty incident ${data.id}`;
    const labels = labelsOf(data);
    return [
      {
        ...base,
        fingerprint: data.id,
        ruleName,
        status: resolved ? "resolved" : "firing",
        severity: normalizeSeverity(data.priority?.summary) ?? normalizeSeverity(data.urgency),
        labels,
        annotations: { event_type: event.event_type },
        startsAt: data.created_at,
        endsAt: resolved ? event.occurred_at : null,
        groupKey: `pagerduty:${data.id}`,
        title: oneLineTitle(ruleName),
        description: "",
        url: data.html_url,
      },
    ];
  }

  // Notes, status updates and responder requests only reference the incident: they carry no status, labels or
  // times, so they change no alert state (the stored delivery keeps them).
  return [];
}
