// Shared zod pieces and helpers for the sender parsers: limits, label maps, times, links, error messages.
import { z } from "zod";
import { stableFingerprint } from "./fingerprint";
import { WebhookParseError, type ParseOptions } from "./types";

export const MAX_ALERTS = 1_000;
export const MAX_LABEL_LENGTH = 1_024;
// Annotations carry runbook text and descriptions, so they get more room than labels.
export const MAX_ANNOTATION_LENGTH = 65_536;
export const MAX_TITLE_LENGTH = 200;
const MAX_URL_LENGTH = 4_096;

const count = (n: number) => n.toLocaleString("en-US");
const clip = (s: string, n = 40) => (s.length > n ? `${s.slice(0, n)}…` : s);

export const TIME_HINT = "must be an RFC 3339 time such as 2024-05-01T12:00:00Z";

const EXPECTED: Record<string, string> = {
  object: "an object",
  record: "an object",
  array: "an array",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

/** Messages for issues whose schema did not set its own. */
function defaultMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "required";
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}`;
    case "too_big":
      return issue.origin === "string" ? `must be at most ${count(Number(issue.maximum))} characters` : "too big";
    case "too_small":
      return issue.origin === "string" && Number(issue.minimum) === 1 ? "must not be empty" : "too small";
    case "invalid_value":
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    default:
      return "is invalid";
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "body";
  return path.map((part) => clip(String(part))).join(".");
}

/** Parses with a schema or throws a WebhookParseError naming the first problem, e.g. `alerts.0.labels.alertname: required`. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix: readonly PropertyKey[] = [],
): z.output<T> {
  const result = schema.safeParse(value, { error: defaultMessage });
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const path = [...prefix, ...issue.path];
  const message = path.length === 0 && issue.code === "invalid_type" ? "must be a JSON object" : issue.message;
  throw new WebhookParseError(`${formatPath(path)}: ${message}`);
}

/**
 * Label or annotation map: string values; numbers and booleans become strings; anything else is refused. Checked in
 * one pass over the parsed object, which is kept as it is when every value is a string already (the usual case).
 */
function stringMap(kind: "label" | "annotation", maxValue: number) {
  return z.unknown().transform((input, ctx): Record<string, string> => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: "invalid_type", expected: "record", input });
      return z.NEVER;
    }
    let converted = false;
    const entries: [string, string][] = [];
    for (const [key, raw] of Object.entries(input)) {
      // Dropped, as zod's own record schema does: no sender means a label by that name.
      if (key === "__proto__") {
        converted = true;
        continue;
      }
      if (key.length === 0) {
        ctx.addIssue({ code: "custom", message: `${kind} names must not be empty` });
        return z.NEVER;
      }
      if (key.length > MAX_LABEL_LENGTH) {
        ctx.addIssue({
          code: "custom",
          message: `${kind} name "${clip(key)}" is longer than ${count(MAX_LABEL_LENGTH)} characters`,
        });
        return z.NEVER;
      }
      const value =
        typeof raw === "string" ? raw : typeof raw === "number" || typeof raw === "boolean" ? String(raw) : null;
      if (value === null) {
        ctx.addIssue({ code: "custom", path: [key], message: "must be a string, number or boolean" });
        return z.NEVER;
      }
      if (value.length > maxValue) {
        ctx.addIssue({ code: "custom", path: [key], message: `is longer than ${count(maxValue)} characters` });
        return z.NEVER;
      }
      converted ||= value !== raw;
      entries.push([key, value]);
    }
    // fromEntries defines own properties: nothing reaches the prototype.
    return converted ? (Object.fromEntries(entries) as Record<string, string>) : (input as Record<string, string>);
  });
}

export const labelMap = stringMap("label", MAX_LABEL_LENGTH);
export const annotationMap = stringMap("annotation", MAX_ANNOTATION_LENGTH);
export const optionalLabels = labelMap.optional().transform((v): Record<string, string> => v ?? {});
export const optionalAnnotations = annotationMap.optional().transform((v): Record<string, string> => v ?? {});

export const alertStatus = z.enum(["firing", "resolved"], {
  error: (issue) => (issue.input === undefined ? "required" : 'must be "firing" or "resolved"'),
});

/** A short identifier-like string (names, fingerprints, ids). */
export const shortText = z
  .string()
  .min(1)
  .max(MAX_LABEL_LENGTH, `must be at most ${count(MAX_LABEL_LENGTH)} characters`);

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
const GO_ZERO_TIME = /^0001-01-01T00:00:00(?:\.0+)?(?:Z|[+-]00:?00)$/i;

// The alerts of one group mostly share their times too: each distinct text is parsed once (a memo bounded in
// entries and in their length; an RFC 3339 time with nanoseconds and an offset is 35 characters).
const parsedTimes = new Map<string, number | null | undefined>();

/** RFC 3339 text to epoch ms; null for Go's zero time (Alertmanager's "no end yet"); undefined when invalid. */
export function parseTime(text: string): number | null | undefined {
  if (parsedTimes.has(text)) return parsedTimes.get(text);
  const ms = parseTimeText(text);
  if (text.length > 40) return ms;
  if (parsedTimes.size >= 1_000) parsedTimes.clear();
  parsedTimes.set(text, ms);
  return ms;
}

function parseTimeText(text: string): number | null | undefined {
  const value = text.trim();
  if (GO_ZERO_TIME.test(value)) return null;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] ? Number(m[6]) : 0;
  // Go sends nanoseconds; keep milliseconds.
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const offset = m[8] ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (hour > 23 || minute > 59 || second > 59 || Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which maps years 0-99 to 1900-1999
  date.setUTCHours(hour, minute, second, millis);
  // Refuse impossible days instead of rolling them over (Feb 30 -> Mar 2).
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return date.getTime() - offset * 60_000;
}

const timeText = z.string({ error: (issue) => (issue.input === undefined ? "required" : TIME_HINT) });

/** Required RFC 3339 time; the zero time becomes null. */
export const time = timeText.transform((text, ctx) => {
  const ms = parseTime(text);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: TIME_HINT });
    return z.NEVER;
  }
  return ms;
});

/** Optional RFC 3339 time: absent, null, "" and the zero time become null. */
export const optionalTime = z
  .union([time, z.null(), z.literal("")], { error: TIME_HINT })
  .optional()
  .transform((ms) => (typeof ms === "number" ? ms : null));

// The alerts of one group mostly share their links: each distinct one is parsed once (a bounded memo).
const checkedLinks = new Map<string, boolean>();

/** An http(s) link or null; never fails, since a bad link is no reason to lose an alert. */
export const link = z
  .unknown()
  .optional()
  .transform((value): string | null => {
    if (typeof value !== "string") return null;
    const text = value.trim();
    if (!text || text.length > MAX_URL_LENGTH) return null;
    let allowed = checkedLinks.get(text);
    if (allowed === undefined) {
      try {
        const { protocol } = new URL(text);
        allowed = protocol === "http:" || protocol === "https:";
      } catch {
        allowed = false;
      }
      if (checkedLinks.size >= 1_000) checkedLinks.clear();
      checkedLinks.set(text, allowed);
    }
    return allowed ? text : null;
  });

export const modelLabelOf = (options: ParseOptions | undefined) => options?.modelLabel || "model";

/** Lowercased, trimmed, null when blank. */
export function normalizeSeverity(value: string | null | undefined): string | null {
  const text = value?.trim().toLowerCase();
  return text ? text : null;
}

/** One line of at most 200 characters, for a draft incident's title. */
export function oneLineTitle(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > MAX_TITLE_LENGTH ? `${line.slice(0, MAX_TITLE_LENGTH - 1).trimEnd()}…` : line;
}

/** annotations.summary, else the rule name plus the model when the alert names one. */
export function titleFor(
  ruleName: string,
  labels: Record<string, string>,
  annotations: Record<string, string>,
  modelLabel: string,
): string {
  const summary = oneLineTitle(annotations.summary ?? "");
  if (summary) return summary;
  const model = labels[modelLabel];
  return oneLineTitle(model ? `${ruleName} on ${model}` : ruleName);
}

/** Group key when the sender gives none: rule name and model, so one rule firing on one model is one incident. */
export const fallbackGroupKey = (ruleName: string, labels: Record<string, string>, modelLabel: string) =>
  `${ruleName}|${labels[modelLabel] ?? ""}`;

export const fingerprintOf = (given: string | undefined, labels: Record<string, string>) =>
  given ? given : stableFingerprint(labels);
