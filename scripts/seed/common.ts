// Units, the incident vocabulary types and small text helpers every part of the demo seed shares.
import crypto from "node:crypto";
import type { LIFECYCLE_STAGES, SEVERITIES, TRIGGERS } from "../../db/schema";

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const WINDOW = 548 * DAY; // 18 months

export type Trigger = (typeof TRIGGERS)[number];
export type Stage = (typeof LIFECYCLE_STAGES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type Status = "draft" | "investigating" | "mitigated" | "resolved" | "in_review" | "closed";
export type Detection = "alert" | "user_report" | "dashboard" | "test" | "other";

export const STATUS_RANK: Record<Status, number> = { draft: 0, investigating: 1, mitigated: 2, resolved: 3, in_review: 4, closed: 5 };

/** Fills `{name}` placeholders; unknown names stay as written. */
export function fmt(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
export const iso = (ms: number) => new Date(ms).toISOString();
export const utcMinute = (ms: number) => iso(ms).slice(0, 16).replace("T", " ");

/** Rows written per table, for the summary. */
export type SeedCounts = {
  incidents: number;
  classes: number;
  links: number;
  events: number;
  actions: number;
  revisions: number;
  alerts: number;
  deliveries: number;
};
