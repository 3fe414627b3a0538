import { z } from "zod";
import { parseUtc } from "./dates";

/** Field errors keyed by field name, the shape every action returns with status 400. */
export type FieldErrors = Record<string, string>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    out[key] ??= issue.message;
  }
  return out;
}

/** An optional UTC time from a form or JSON: "" -> null, ISO/datetime-local -> ms. */
export const utcTime = z
  .string()
  .nullish()
  .transform((v, ctx) => {
    if (v === null || v === undefined) return null;
    const ms = parseUtc(v);
    if (ms !== null && Number.isNaN(ms)) {
      ctx.addIssue({ code: "custom", message: "Use a date and time like 2026-03-04T05:06." });
      return z.NEVER;
    }
    return ms;
  });

export const requiredUtcTime = utcTime.refine((v) => v !== null, "Enter a date and time.").transform((v) => v!);

/** A list page number from the URL; anything malformed is page 1. */
export const pageNumber = z.coerce.number().int().min(1).max(100_000).catch(1);

/** Trimmed text with a length limit; empty allowed. */
export const text = (max: number) => z.string().trim().max(max, `Keep it under ${max} characters.`).default("");

/** "1 incident", "42 incidents", "10,000+ incidents" for a count capped at `cap`. */
export function countLabel(total: number, cap: number, noun: string): string {
  const n = total > cap ? `${cap.toLocaleString("en-US")}+` : total.toLocaleString("en-US");
  return `${n} ${noun}${total === 1 ? "" : "s"}`;
}

export function formObject(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === "string") out[k] = v;
  return out;
}
