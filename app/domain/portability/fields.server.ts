/**
 * What every import format shares: the error that names fields, zod issues turned into "<field> <problem>" (all of
 * them, not the first), and the field schemas for times and text.
 */
import { z } from "zod";
import { parseUtc } from "../../utils/dates";

export type Progress = (done: number, total: number) => void;

/** One problem of a file: the front-matter key or JSON path, and what is wrong with it. */
export type FieldProblem = { field: string | null; problem: string };

const problemText = (p: FieldProblem) => `${p.field ? `${p.field} ` : ""}${p.problem}`;

/**
 * A file or document that cannot be imported. `problems` holds every problem found (a file is checked whole, so one
 * run shows all that needs fixing); `field` and `problem` are the first.
 */
export class ImportError extends Error {
  readonly problems: FieldProblem[];

  constructor(
    readonly field: string | null,
    readonly problem: string,
    readonly source: string | null = null,
    problems: FieldProblem[] = [{ field, problem }],
  ) {
    super(`${source ? `${source}: ` : ""}${problems.map(problemText).join("; ")}`);
    this.name = "ImportError";
    this.problems = problems;
  }

  static of(problems: FieldProblem[], source: string | null): ImportError {
    return new ImportError(problems[0].field, problems[0].problem, source, problems);
  }
}

/** A short description of a value for messages: `"text"`, 42, a list, a mapping. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

/** Epoch ms from an ISO string ("2026-03-04T05:06:07Z", "2026-03-04 05:06", "2026-03-04"), or null. */
export function timeValue(v: unknown): number | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.getTime();
  if (typeof v !== "string") return null;
  const s = v
    .trim()
    .replace(/^(\d{4}-\d\d-\d\d)[ ]+(?=\d)/, "$1T")
    .replace(/\s*(UTC|GMT)$/i, "Z")
    .replace(/\s+(?=[+-]\d\d:?\d\d$)/, "");
  const ms = parseUtc(s);
  return ms === null || Number.isNaN(ms) ? null : ms;
}

const TIME_HINT = "must be a date and time like 2026-03-04T05:06:00Z";

const isBlank = (v: unknown) => v === null || v === undefined || v === "";

// `.optional()` first: zod 4 reports an absent key as an error unless the schema says it may be absent.
export const optionalTime = z.unknown().optional().transform((v, ctx): number | null => {
  if (isBlank(v)) return null;
  const ms = timeValue(v);
  if (ms === null) {
    ctx.addIssue({ code: "custom", message: `${TIME_HINT} (got ${describe(v)})` });
    return z.NEVER;
  }
  return ms;
});

export const requiredTime = z.unknown().optional().transform((v, ctx): number => {
  if (isBlank(v)) {
    ctx.addIssue({ code: "custom", message: "is required" });
    return z.NEVER;
  }
  const ms = timeValue(v);
  if (ms === null) {
    ctx.addIssue({ code: "custom", message: `${TIME_HINT} (got ${describe(v)})` });
    return z.NEVER;
  }
  return ms;
});

export function fieldPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), "");
}

function valueAt(data: unknown, p: readonly PropertyKey[]): unknown {
  let v = data;
  for (const k of p) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const TYPE_NAMES: Record<string, string> = { string: "text", number: "a number", array: "a list", object: "a mapping", boolean: "true or false" };

/** One zod issue as a field and a problem in our words. */
function issueProblem(issue: z.core.$ZodIssue, data: unknown, prefix: readonly PropertyKey[]): FieldProblem[] {
  const value = valueAt(data, issue.path);
  const field = fieldPath([...prefix, ...issue.path]) || null;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => ({ field: fieldPath([...prefix, ...issue.path, k]), problem: "is not a known key" }));
    case "invalid_type":
      return [{ field, problem: value === undefined ? "is required" : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected} (got ${describe(value)})` }];
    case "invalid_value":
      return [{ field, problem: `must be one of ${issue.values.map((v) => String(v)).join(", ")} (got ${describe(value)})` }];
    case "too_small":
      if (typeof value === "string" && !value.trim()) return [{ field, problem: "must not be empty" }];
      return [{ field, problem: issue.message.replace(/^Too small: expected string to have /, "must have ") }];
    case "too_big":
      if (typeof value === "string") return [{ field, problem: `is ${value.length} characters long: the limit is ${issue.maximum}` }];
      if (Array.isArray(value)) return [{ field, problem: `has ${value.length} entries: the limit is ${issue.maximum}` }];
      return [{ field, problem: issue.message }];
    default:
      return [{ field, problem: issue.message }];
  }
}

/** Every problem zod found, in our words, one per field and problem. */
export function issueProblems(error: z.ZodError, data: unknown, prefix: readonly PropertyKey[] = []): FieldProblem[] {
  const seen = new Set<string>();
  return error.issues
    .flatMap((issue) => issueProblem(issue, data, prefix))
    .filter((p) => {
      const key = problemText(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Validates with zod; every problem becomes part of one ImportError naming the fields. */
export function parseWith<T extends z.ZodType>(schema: T, data: unknown, source: string | null, prefix: readonly PropertyKey[] = []): z.output<T> {
  const res = schema.safeParse(data);
  if (res.success) return res.data;
  const problems = issueProblems(res.error, data, prefix);
  throw ImportError.of(problems.length ? problems : [{ field: null, problem: "is not valid" }], source);
}

export const str = z.string();
export const nullableStr = z.string().nullish().transform((v) => v ?? null);
export const textField = z.string().nullish().transform((v) => v ?? "");
export const nullableEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values).nullish().transform((v) => (v ?? null) as T[number] | null);

export const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));
}
