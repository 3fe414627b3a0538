import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM } from "~/domain/audit.server";
import {
  createIncident,
  incidentInputSchema,
  listIncidents,
  listTeams,
  parseIncidentFilter,
  PAGE_SIZE,
  updateIncident,
} from "~/domain/incidents.server";
import { savePostmortem } from "~/domain/postmortems.server";
import { makeTestDb, type TestDb } from "../helpers/db";

let t: TestDb;
const ids: Record<string, number> = {};

/** Filters exactly as the incident list page reads them from its URL. */
const list = (query: string) => listIncidents(t.db, parseIncidentFilter(new URLSearchParams(query)));
const found = (query: string) => list(query).rows.map((r) => r.id).sort((a, b) => a - b);
const named = (...keys: string[]) => keys.map((k) => ids[k]).sort((a, b) => a - b);

function add(key: string, fields: Record<string, string>, status: "draft" | "investigating" | "mitigated" | "resolved" | "closed") {
  const input = incidentInputSchema.parse({
    title: key, severity: "SEV3", team: "", summary: "", detectedAt: "", mitigatedAt: "", resolvedAt: "", ...fields,
  });
  ids[key] = createIncident(t.db, input, SYSTEM, { status });
}

beforeAll(() => {
  t = makeTestDb();
  add("Feature store served stale embeddings", {
    severity: "SEV2", team: "ranking", startedAt: "2026-03-01T10:00",
    summary: "The embeddings refresh job stalled after a schema migration.",
  }, "investigating");
  add("Checkout latency spike", { severity: "SEV1", team: "payments", startedAt: "2026-03-02T23:59" }, "resolved");
  add("Fraud model drift", {
    severity: "SEV3", team: "risk", startedAt: "2026-03-03T00:00", summary: "Approval rate dropped.",
  }, "closed");
  add("Search index lag", { severity: "SEV4", team: "ranking", startedAt: "2026-02-28T12:00" }, "draft");
  add("Label pipeline backlog", { severity: "SEV2", team: "ml-platform", startedAt: "2026-03-04T00:00" }, "mitigated");
});
afterAll(() => t.cleanup());

describe("listIncidents filters", () => {
  it("lists everything newest first without filters", () => {
    const { rows, total } = list("");
    expect(total).toBe(5);
    expect(rows.map((r) => r.title)).toEqual([
      "Label pipeline backlog",
      "Fraud model drift",
      "Checkout latency spike",
      "Feature store served stale embeddings",
      "Search index lag",
    ]);
    expect(rows[0]).toEqual({
      id: ids["Label pipeline backlog"],
      title: "Label pipeline backlog",
      status: "mitigated",
      severity: "SEV2",
      team: "ml-platform",
      startedAt: Date.UTC(2026, 2, 4),
      detectedAt: null,
      resolvedAt: null,
      source: "manual",
      primaryClassId: null,
      classStatus: null,
    });
  });

  it("by one or more statuses", () => {
    expect(found("status=resolved")).toEqual(named("Checkout latency spike"));
    expect(found("status=draft&status=investigating")).toEqual(
      named("Search index lag", "Feature store served stale embeddings"),
    );
  });

  it("by one or more severities", () => {
    expect(found("severity=SEV1&severity=SEV2")).toEqual(
      named("Checkout latency spike", "Feature store served stale embeddings", "Label pipeline backlog"),
    );
  });

  it("by team", () => {
    expect(found("team=ranking")).toEqual(named("Search index lag", "Feature store served stale embeddings"));
    expect(found("team=nobody")).toEqual([]);
    expect(listTeams(t.db)).toEqual(["ml-platform", "payments", "ranking", "risk"]);
  });

  it("by start date, both ends inclusive", () => {
    // 03-02 23:59 and 03-03 00:00 are in; 03-01 10:00 and 03-04 00:00 are out.
    expect(found("from=2026-03-02&to=2026-03-03")).toEqual(named("Checkout latency spike", "Fraud model drift"));
    expect(found("from=2026-03-03")).toEqual(named("Fraud model drift", "Label pipeline backlog"));
    expect(found("to=2026-02-28")).toEqual(named("Search index lag"));
  });

  it("combines filters", () => {
    expect(found("team=ranking&status=investigating&severity=SEV2&from=2026-03-01")).toEqual(
      named("Feature store served stale embeddings"),
    );
    expect(found("team=ranking&severity=SEV1")).toEqual([]);
  });

  it("ignores malformed filter values instead of failing", () => {
    expect(list("status=exploded&severity=SEV9&from=soon&page=-3").total).toBe(5);
  });
});

describe("listIncidents search", () => {
  it("finds a word in the title or the summary, by prefix and in any case", () => {
    expect(found("q=checkout")).toEqual(named("Checkout latency spike"));
    expect(found("q=MIGRATION")).toEqual(named("Feature store served stale embeddings"));
    expect(found("q=embed")).toEqual(named("Feature store served stale embeddings"));
    expect(found("q=stalled+refresh")).toEqual(named("Feature store served stale embeddings"));
    expect(found("q=stalled+checkout")).toEqual([]);
  });

  it("combines search with filters and counts the matches", () => {
    expect(list("q=stale&team=ranking").total).toBe(1);
    expect(list("q=stale&team=payments").total).toBe(0);
  });

  it("follows edits to the summary", () => {
    const id = ids["Fraud model drift"];
    expect(found("q=approval")).toEqual([id]);
    const input = incidentInputSchema.parse({
      title: "Fraud model drift", severity: "SEV3", team: "risk", startedAt: "2026-03-03T00:00", detectedAt: "",
      mitigatedAt: "", resolvedAt: "",
      summary: "Chargebacks rose after a vendor feed changed units.",
    });
    expect(updateIncident(t.db, id, 1, input, SYSTEM).ok).toBe(true);
    expect(found("q=approval")).toEqual([]);
    expect(found("q=chargebacks")).toEqual([id]);
  });

  it("finds words in the postmortem once it is saved, and follows later revisions", () => {
    const id = ids["Checkout latency spike"];
    expect(found("q=hikaricp")).toEqual([]);
    expect(savePostmortem(t.db, id, 0, "## Root cause\n\nThe HikariCP pool was exhausted.", SYSTEM).ok).toBe(true);
    expect(found("q=hikaricp")).toEqual([id]);
    expect(savePostmortem(t.db, id, 1, "## Root cause\n\nA retry storm from the mobile client.", SYSTEM).ok).toBe(true);
    expect(found("q=hikaricp")).toEqual([]);
    expect(found("q=retry+storm")).toEqual([id]);
  });

  const lag = ["Search index lag"];
  it.each([
    ['"foo" OR (', []],
    ["NEAR(lag, 2)", []],
    ["lag NOT drift", []],
    ["title:lag", []],
    ["{title}:lag", []],
    ["lag)", lag],
    ["-lag", lag],
    ["^lag", lag],
    ['"lag"', lag],
    ["lag*", lag],
    ["  LAG  ", lag],
  ])("treats FTS syntax in %j as plain words", (q, keys) => {
    expect(found(`q=${encodeURIComponent(q)}`)).toEqual(named(...keys));
  });

  it.each(["*", "-", "()", "')--", '"""', "^", ":", "\u0000"])("ignores input %j that has no words", (q) => {
    expect(list(`q=${encodeURIComponent(q)}`).total).toBe(list("").total);
  });

  it("does not throw on a lone underscore", () => {
    expect(list("q=_").total).toBe(0);
  });
});

describe("listIncidents paging", () => {
  beforeAll(() => {
    for (let i = 0; i < PAGE_SIZE * 2 + 7; i++) {
      const at = new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString();
      add(`Bulk ${i}`, { team: "bulk", startedAt: at }, "closed");
    }
  });

  it("returns pages of PAGE_SIZE, newest first, with the full total", () => {
    const pages = [1, 2, 3, 4].map((p) => list(`team=bulk&page=${p}`));
    expect(pages.map((p) => p.rows.length)).toEqual([PAGE_SIZE, PAGE_SIZE, 7, 0]);
    expect(pages.every((p) => p.total === PAGE_SIZE * 2 + 7)).toBe(true);
    const titles = pages.flatMap((p) => p.rows.map((r) => r.title));
    expect(titles[0]).toBe(`Bulk ${PAGE_SIZE * 2 + 6}`);
    expect(titles.at(-1)).toBe("Bulk 0");
    expect(new Set(titles).size).toBe(PAGE_SIZE * 2 + 7);
  });
});
