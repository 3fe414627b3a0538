// All times are shown and entered in UTC: incidents span teams and time zones, and pages render on the server.

/** "2026-03-04 05:06 UTC" */
export function formatUtc(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return "—";
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDate(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  return new Date(value).toISOString().slice(0, 10);
}

/**
 * Value for an <input type="datetime-local" step="1"> holding a UTC time: to the minute, or to the second when it
 * has seconds (an alert's start), so confirming a form unchanged keeps the time it shows.
 */
export function toDateTimeInput(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  return new Date(ms).toISOString().slice(0, ms % 60_000 >= 1000 ? 19 : 16);
}

/** Parses "YYYY-MM-DDTHH:mm[:ss]" (as UTC) or a full ISO string; null for empty, NaN for garbage. */
export function parseUtc(value: string): number | null {
  const v = value.trim();
  if (!v) return null;
  const date = /^(\d{4})-(\d\d)-(\d\d)/.exec(v);
  if (!date) return Number.NaN;
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(v);
  const ms = Date.parse(v.length === 10 ? `${v}T00:00Z` : hasZone ? v : `${v}Z`);
  // Date.parse rolls impossible days over (Feb 30 -> Mar 2); refuse them instead.
  const [, y, m, d] = date.map(Number);
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return Number.NaN;
  return ms;
}

/** "3d 4h", "2h 05m", "45m", "30s" — durations between incident timestamps. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "—";
  if (ms < 0) return "—";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

export const DAY_MS = 24 * 3600 * 1000;

/** An epoch-ms time as an ISO string, keeping null (what APIs and exports write). */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
