import { describe, expect, it } from "vitest";
import { INCIDENT_STATUSES, type IncidentStatus } from "../../db/schema";
import { durations, ftsQuery, incidentInputSchema } from "~/domain/incidents.server";
import { canTransition } from "~/domain/lifecycle.server";
import { fieldErrors } from "~/utils/forms";

describe("canTransition", () => {
  // Forward moves (skipping is fine); back only to investigating; staying put is not a transition.
  const allowed: Record<IncidentStatus, IncidentStatus[]> = {
    draft: ["investigating", "mitigated", "resolved", "in_review", "closed"],
    investigating: ["mitigated", "resolved", "in_review", "closed"],
    mitigated: ["investigating", "resolved", "in_review", "closed"],
    resolved: ["investigating", "in_review", "closed"],
    in_review: ["investigating", "closed"],
    closed: ["investigating"],
  };
  const matrix = INCIDENT_STATUSES.flatMap((from) =>
    INCIDENT_STATUSES.map((to) => [from, to, allowed[from].includes(to)] as const),
  );

  it.each(matrix)("%s -> %s is %s", (from, to, ok) => {
    expect(canTransition(from, to)).toBe(ok);
  });
});

describe("ftsQuery", () => {
  it("is null when there is nothing to search for", () => {
    expect(ftsQuery("")).toBeNull();
    expect(ftsQuery("  \"*()-:^ ")).toBeNull();
  });

  it("turns words into lowercase quoted terms, the last one a prefix", () => {
    expect(ftsQuery("Feature Store drift")).toBe('"feature" "store" "drift"*');
    expect(ftsQuery("Überlast café")).toBe('"überlast" "café"*');
  });

  it.each([
    ['"foo" OR (', '"foo" "or"*'],
    ["a AND b NOT c", '"a" "and" "b" "not" "c"*'],
    ["NEAR(model drift, 3)", '"near" "model" "drift" "3"*'],
    ["title:secret", '"title" "secret"*'],
    ["-excluded +required", '"excluded" "required"*'],
    ["pref* ^start", '"pref" "start"*'],
    ['{title summary}: "x" ', '"title" "summary" "x"*'],
    ['say ""hi"" \' ; drop table', '"say" "hi" "drop" "table"*'],
  ])("neutralises %j", (input, expected) => {
    const q = ftsQuery(input)!;
    expect(q).toBe(expected);
    expect(q).toMatch(/^("[\p{L}\p{N}_]+" )*"[\p{L}\p{N}_]+"\*$/u);
  });

  it("keeps at most 12 terms", () => {
    const q = ftsQuery(Array.from({ length: 20 }, (_, i) => `w${i}`).join(" "))!;
    expect(q.split(" ")).toHaveLength(12);
    expect(q.endsWith('"w11"*')).toBe(true);
  });
});

describe("durations", () => {
  const start = Date.UTC(2026, 2, 1, 10);
  it("measures each milestone from the start", () => {
    expect(
      durations({ startedAt: start, detectedAt: start + 60_000, mitigatedAt: start + 3_600_000, resolvedAt: start + 7_200_000 }),
    ).toEqual({ toDetect: 60_000, toMitigate: 3_600_000, toResolve: 7_200_000 });
  });

  it("is null for milestones not reached", () => {
    expect(durations({ startedAt: start, detectedAt: start, mitigatedAt: null, resolvedAt: null })).toEqual({
      toDetect: 0,
      toMitigate: null,
      toResolve: null,
    });
  });
});

describe("incidentInputSchema", () => {
  const base = {
    title: "Ranking model served stale features",
    severity: "SEV2",
    team: "ranking",
    summary: "",
    impact: "",
    detectionSource: "",
    startedAt: "2026-03-01T10:00",
    detectedAt: "2026-03-01T10:20",
    mitigatedAt: "2026-03-01T11:00",
    resolvedAt: "2026-03-01T12:00",
  };
  const errorsFor = (patch: Partial<Record<keyof typeof base, unknown>>) => {
    const r = incidentInputSchema.safeParse({ ...base, ...patch });
    return r.success ? {} : fieldErrors(r.error);
  };

  it("parses a valid form into typed values", () => {
    expect(incidentInputSchema.parse({ ...base, title: "  Stale features  ", detectionSource: "alert" })).toEqual({
      title: "Stale features",
      severity: "SEV2",
      team: "ranking",
      summary: "",
      impact: "",
      detectionSource: "alert",
      startedAt: Date.UTC(2026, 2, 1, 10),
      detectedAt: Date.UTC(2026, 2, 1, 10, 20),
      mitigatedAt: Date.UTC(2026, 2, 1, 11),
      resolvedAt: Date.UTC(2026, 2, 1, 12),
    });
  });

  it("fills defaults: empty detection source is null, later milestones may be empty", () => {
    const v = incidentInputSchema.parse({ title: "abc", severity: "SEV4", startedAt: "2026-03-01", detectedAt: "", mitigatedAt: "", resolvedAt: "" });
    expect(v).toMatchObject({ team: "", summary: "", detectionSource: null, detectedAt: null, mitigatedAt: null, resolvedAt: null });
  });

  it("allows milestones at the same instant", () => {
    const t = "2026-03-01T10:00";
    expect(errorsFor({ detectedAt: t, mitigatedAt: t, resolvedAt: t })).toEqual({});
  });

  it.each([
    ["detected before started", { detectedAt: "2026-03-01T09:59" }, { detectedAt: "Must not be before the start." }],
    ["mitigated before detected", { mitigatedAt: "2026-03-01T10:10" }, { mitigatedAt: "Must not be before detected time." }],
    ["resolved before mitigated", { resolvedAt: "2026-03-01T10:59" }, { resolvedAt: "Must not be before mitigated time." }],
    [
      "mitigated before started, detected empty",
      { detectedAt: "", mitigatedAt: "2026-03-01T09:00", resolvedAt: "" },
      { mitigatedAt: "Must not be before the start." },
    ],
    [
      "resolved before detected, mitigated empty",
      { mitigatedAt: "", resolvedAt: "2026-03-01T10:15" },
      { resolvedAt: "Must not be before detected time." },
    ],
  ])("puts %s on the right field", (_, patch, expected) => {
    expect(errorsFor(patch)).toEqual(expected);
  });

  it.each([
    [{ startedAt: "" }, { startedAt: "Enter a date and time." }],
    [{ startedAt: "yesterday" }, { startedAt: "Use a date and time like 2026-03-04T05:06." }],
    [{ resolvedAt: "2026-99-01T00:00" }, { resolvedAt: "Use a date and time like 2026-03-04T05:06." }],
    [{ title: " ab " }, { title: "Give the incident a title (3+ characters)." }],
    [{ severity: "SEV5" }, { severity: "Pick a severity (SEV1–SEV4)." }],
    [{ severity: undefined }, { severity: "Pick a severity (SEV1–SEV4)." }],
    [{ team: "x".repeat(101) }, { team: "Keep it under 100 characters." }],
  ])("rejects %j", (patch, expected) => {
    expect(errorsFor(patch)).toEqual(expected);
  });

  it("rejects an unknown detection source", () => {
    expect(Object.keys(errorsFor({ detectionSource: "psychic" }))).toEqual(["detectionSource"]);
  });
});
