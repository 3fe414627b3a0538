import { formatCount, formatMs } from "~/components/charts/format";

/**
 * The one source of a chart's numbers: a table of plain values. The chart draws its marks, tooltips and
 * aria-label from these rows, the page shows them as a table, the CSV route writes them, so the three agree.
 */

/** How a column's values read: counts, percentages (0–100, rounded), minutes or days (durations), or text. */
export type Unit = "text" | "count" | "percent" | "minutes" | "days";
export type Column = { key: string; label: string; unit: Unit };
export type Cell = string | number | null;
export type DataRow = Record<string, Cell>;
export type Dataset = { columns: Column[]; rows: DataRow[] };

/** A value as the table, the tooltips and the aria-label show it ("–" for none). */
export function formatCell(value: Cell | undefined, unit: Unit): string {
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value === "string") return value;
  switch (unit) {
    case "count":
      return formatCount(value);
    case "percent":
      return `${formatCount(value)}%`;
    case "minutes":
      return formatMs(value * 60_000);
    case "days":
      return `${formatCount(value)} d`;
    default:
      return String(value);
  }
}

/** A row's cell by column key, formatted. */
export function cellText(data: Dataset, row: DataRow, key: string): string {
  const column = data.columns.find((c) => c.key === key);
  return formatCell(row[key], column?.unit ?? "text");
}

/** A number cell (0 for a missing or non-numeric one): what the marks are drawn from. */
export function num(row: DataRow, key: string): number {
  const v = row[key];
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** The total of a number column over all rows. */
export function sum(data: Dataset, key: string): number {
  return data.rows.reduce((s, r) => s + num(r, key), 0);
}

/** Rounds to `digits` decimals: stored values are already what the table shows, so nothing is re-rounded later. */
export function round(n: number, digits = 1): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

/** A share as a rounded percentage, or null when there is nothing to share. */
export function percent(part: number, of: number): number | null {
  return of > 0 ? round((100 * part) / of) : null;
}

/** A dataset as CSV: labels as the header, raw values (RFC 4180 quoting; text a spreadsheet would run as a formula gets a leading '). */
export function toCsv(data: Dataset): string {
  const cell = (v: Cell | undefined) => {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return String(v);
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  const lines = [data.columns.map((c) => cell(c.label)), ...data.rows.map((r) => data.columns.map((c) => cell(r[c.key])))];
  return lines.map((l) => l.join(",")).join("\r\n") + "\r\n";
}

/** The position of a column (what the CSV header and table columns are ordered by); marks carry it as data-col. */
export function colIndex(data: Dataset, key: string): number {
  return data.columns.findIndex((c) => c.key === key);
}
