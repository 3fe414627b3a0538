import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureClasses, incidentClasses, incidentModels, incidents, modelVersions, models, users } from "../../db/schema";
import { actionInputSchema, addActionItem, setActionStatus } from "~/domain/actions.server";
import { listAudit, SYSTEM, type Actor } from "~/domain/audit.server";
import {
  ClassificationError,
  REPEAT_WINDOW_DAYS,
  classificationSchema,
  classifyIncident,
  findRepeats,
  incidentClassification,
  similarIncidents,
  similarityQuery,
} from "~/domain/classification.server";
import { createIncident, incidentInputSchema } from "~/domain/incidents.server";
import {
  classCounts,
  classIncidents,
  classTrend,
  familyShare,
  loadTaxonomy,
  syncTaxonomy,
  type TaxonomyEntry,
} from "~/domain/taxonomy.server";
import type { Db } from "~/utils/db.server";
import { makeTestDb, type TestDb } from "../helpers/db";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

let taxonomy: TaxonomyEntry[];
const dbs: TestDb[] = [];

/** A fresh migrated database with the real taxonomy from content/ synced in. */
function freshDb(): Db {
  const t = makeTestDb();
  dbs.push(t);
  syncTaxonomy(t.db, taxonomy);
  return t.db;
}

beforeAll(() => {
  taxonomy = loadTaxonomy();
});
afterAll(() => dbs.forEach((t) => t.cleanup()));

/** "2026-03-01T10:00"-style UTC datetime string for a millisecond time. */
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

function newIncident(db: Db, actor: Actor, patch: Record<string, unknown> = {}): number {
  return createIncident(
    db,
    incidentInputSchema.parse({
      title: "Ranking model served stale features",
      severity: "SEV2",
      team: "ranking",
      summary: "",
      impact: "",
      detectionSource: "alert",
      startedAt: "2026-03-01T10:00",
      detectedAt: "",
      mitigatedAt: "",
      resolvedAt: "",
      ...patch,
    }),
    actor,
  );
}

/** classificationSchema.parse with defaults, the way the route calls it. */
function cls(input: Record<string, unknown>) {
  return classificationSchema.parse(input);
}

function classRows(db: Db, incidentId: number) {
  return db
    .select({ classId: incidentClasses.classId, role: incidentClasses.role })
    .from(incidentClasses)
    .where(eq(incidentClasses.incidentId, incidentId))
    .all()
    .sort((a, b) => a.classId.localeCompare(b.classId));
}

function incidentRow(db: Db, id: number) {
  return db.select().from(incidents).where(eq(incidents.id, id)).get()!;
}

function classifyAudits(db: Db, id: number) {
  return listAudit(db, { entity: "incident", entityId: id })
    .filter((a) => a.action === "classify")
    .map((a) => ({ ...a, detail: JSON.parse(a.detail) }));
}

/** The value `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

function classificationError(fn: () => unknown): ClassificationError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(ClassificationError);
  return e as ClassificationError;
}

describe("classificationSchema", () => {
  it("trims, defaults the lists and turns empty trigger / stage into null", () => {
    expect(cls({ primary: "  data.corruption ", trigger: "", lifecycleStage: "" })).toEqual({
      primary: "data.corruption",
      contributing: [],
      factors: [],
      trigger: null,
      lifecycleStage: null,
    });
    expect(cls({ primary: "data.corruption" })).toEqual({
      primary: "data.corruption",
      contributing: [],
      factors: [],
      trigger: null,
      lifecycleStage: null,
    });
    expect(
      cls({
        primary: "data.corruption",
        contributing: [" change.binary-push "],
        factors: ["factor.missing-canary"],
        trigger: "pipeline",
        lifecycleStage: "data_collection",
      }),
    ).toEqual({
      primary: "data.corruption",
      contributing: ["change.binary-push"],
      factors: ["factor.missing-canary"],
      trigger: "pipeline",
      lifecycleStage: "data_collection",
    });
  });

  // BUG (app/domain/classification.server.ts:22-24): under zod 4 the enum's custom message is lost inside
  // z.union, so an unknown trigger / stage reports "Invalid input" instead of "Unknown trigger." / "Unknown lifecycle stage.".
  it("rejects an empty primary and unknown trigger / stage with their messages", () => {
    const res = classificationSchema.safeParse({ primary: "  ", trigger: "gremlins", lifecycleStage: "someday" });
    expect(res.success).toBe(false);
    const byField = Object.fromEntries(res.error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(byField).toEqual({
      primary: "Pick the primary class: the one root cause.",
      trigger: "Unknown trigger.",
      lifecycleStage: "Unknown lifecycle stage.",
    });
  });
});

describe("classifyIncident", () => {
  let db: Db;
  let actor: Actor;

  beforeAll(() => {
    db = freshDb();
    const u = db.insert(users).values({ email: "alice@example.com", name: "Alice", role: "editor", passwordHash: "x" }).returning().get();
    actor = { id: u.id, label: u.email };
  });

  it("stores exactly one primary, contributing classes and factors with their roles, trigger and stage", () => {
    const id = newIncident(db, actor);
    expect(incidentRow(db, id).classStatus).toBeNull();
    classifyIncident(
      db,
      id,
      cls({
        primary: "data.natural-drift",
        contributing: ["data.corruption", "change.binary-push"],
        factors: ["factor.missing-canary", "factor.alert-fatigue"],
        trigger: "user_behaviour",
        lifecycleStage: "monitoring_response",
      }),
      actor,
    );
    expect(classRows(db, id)).toEqual([
      { classId: "change.binary-push", role: "contributing" },
      { classId: "data.corruption", role: "contributing" },
      { classId: "data.natural-drift", role: "primary" },
      { classId: "factor.alert-fatigue", role: "factor" },
      { classId: "factor.missing-canary", role: "factor" },
    ]);
    expect(classRows(db, id).filter((r) => r.role === "primary")).toHaveLength(1);
    expect(incidentRow(db, id)).toMatchObject({ trigger: "user_behaviour", lifecycleStage: "monitoring_response", classStatus: "confirmed" });
  });

  it("drops the primary from contributing and collapses duplicates", () => {
    const id = newIncident(db, actor);
    classifyIncident(
      db,
      id,
      cls({
        primary: "data.corruption",
        contributing: ["data.corruption", "change.binary-push", "change.binary-push"],
        factors: ["factor.missing-canary", "factor.missing-canary"],
      }),
      actor,
    );
    expect(classRows(db, id)).toEqual([
      { classId: "change.binary-push", role: "contributing" },
      { classId: "data.corruption", role: "primary" },
      { classId: "factor.missing-canary", role: "factor" },
    ]);
    const [audit] = classifyAudits(db, id);
    expect(audit.detail.after).toEqual({
      primary: "data.corruption",
      contributing: ["change.binary-push"],
      factors: ["factor.missing-canary"],
      trigger: null,
      lifecycleStage: null,
    });
  });

  it("re-classifying replaces everything and audits before/after", () => {
    const id = newIncident(db, actor);
    classifyIncident(
      db,
      id,
      cls({
        primary: "data.natural-drift",
        contributing: ["data.corruption"],
        factors: ["factor.alert-fatigue"],
        trigger: "pipeline",
        lifecycleStage: "data_collection",
      }),
      actor,
    );
    classifyIncident(
      db,
      id,
      cls({ primary: "change.binary-push", contributing: [], factors: ["factor.missing-canary"], trigger: "", lifecycleStage: "" }),
      SYSTEM,
    );
    expect(classRows(db, id)).toEqual([
      { classId: "change.binary-push", role: "primary" },
      { classId: "factor.missing-canary", role: "factor" },
    ]);
    expect(incidentRow(db, id)).toMatchObject({ trigger: null, lifecycleStage: null });

    const audits = classifyAudits(db, id); // newest first
    expect(audits).toHaveLength(2);
    expect(audits[1]).toMatchObject({ actor: "alice@example.com", actorEmail: "alice@example.com" });
    expect(audits[1].detail).toEqual({
      before: { classes: [], trigger: null, lifecycleStage: null },
      after: {
        primary: "data.natural-drift",
        contributing: ["data.corruption"],
        factors: ["factor.alert-fatigue"],
        trigger: "pipeline",
        lifecycleStage: "data_collection",
      },
    });
    expect(audits[0]).toMatchObject({ actor: "system", actorEmail: null });
    const { before, after } = audits[0].detail;
    expect(before.trigger).toBe("pipeline");
    expect(before.lifecycleStage).toBe("data_collection");
    expect([...before.classes].sort((a: { classId: string }, b: { classId: string }) => a.classId.localeCompare(b.classId))).toEqual([
      { classId: "data.corruption", role: "contributing" },
      { classId: "data.natural-drift", role: "primary" },
      { classId: "factor.alert-fatigue", role: "factor" },
    ]);
    expect(after).toEqual({
      primary: "change.binary-push",
      contributing: [],
      factors: ["factor.missing-canary"],
      trigger: null,
      lifecycleStage: null,
    });
  });

  it("rejects unknown ids and wrong kinds with the offending field, writing nothing", () => {
    const id = newIncident(db, actor);
    classifyIncident(
      db,
      id,
      cls({ primary: "data.corruption", contributing: ["change.binary-push"], factors: ["factor.missing-canary"], trigger: "pipeline" }),
      actor,
    );
    const rowsBefore = classRows(db, id);
    const incidentBefore = incidentRow(db, id);
    const auditsBefore = classifyAudits(db, id).length;

    const cases: [Record<string, unknown>, ClassificationError["field"], string][] = [
      [{ primary: "data.nope" }, "primary", 'Unknown failure class "data.nope".'],
      [{ primary: "factor.missing-canary" }, "primary", 'Unknown failure class "factor.missing-canary".'],
      [{ primary: "data.corruption", contributing: ["nope"] }, "contributing", 'Unknown failure class "nope".'],
      [{ primary: "data.corruption", contributing: ["factor.alert-fatigue"] }, "contributing", 'Unknown failure class "factor.alert-fatigue".'],
      [{ primary: "data.corruption", factors: ["factor.nope"] }, "factors", 'Unknown contributing factor "factor.nope".'],
      [{ primary: "data.corruption", factors: ["data.natural-drift"] }, "factors", 'Unknown contributing factor "data.natural-drift".'],
      // The primary is checked first.
      [{ primary: "nope", contributing: ["nope2"], factors: ["nope3"] }, "primary", 'Unknown failure class "nope".'],
      // A valid change of everything else does not slip through when one factor is bad.
      [
        { primary: "change.binary-push", contributing: ["data.natural-drift"], factors: ["factor.alert-fatigue", "change.config-push"], trigger: "hardware" },
        "factors",
        'Unknown contributing factor "change.config-push".',
      ],
    ];
    for (const [input, field, message] of cases) {
      const e = classificationError(() => classifyIncident(db, id, cls(input), actor));
      expect({ field: e.field, message: e.message }).toEqual({ field, message });
    }

    expect(classRows(db, id)).toEqual(rowsBefore);
    expect(classRows(db, id)).toEqual([
      { classId: "change.binary-push", role: "contributing" },
      { classId: "data.corruption", role: "primary" },
      { classId: "factor.missing-canary", role: "factor" },
    ]);
    const incidentAfter = incidentRow(db, id);
    expect(incidentAfter.trigger).toBe("pipeline");
    expect(incidentAfter.updatedAt).toBe(incidentBefore.updatedAt);
    expect(classifyAudits(db, id)).toHaveLength(auditsBefore);
  });

  it("throws a 404 Response for an unknown incident", () => {
    const e = thrown(() => classifyIncident(db, 999_999, cls({ primary: "data.corruption" }), actor));
    expect(e).toBeInstanceOf(Response);
    expect((e as Response).status).toBe(404);
    expect(classRows(db, 999_999)).toEqual([]);
  });

  it("refuses a retired class for new use but keeps it on an incident already labelled with it", () => {
    const labelled = newIncident(db, actor);
    classifyIncident(db, labelled, cls({ primary: "data.unnatural-drift", contributing: ["data.edge-cases"], factors: ["factor.no-fallback"] }), actor);

    const kept = ["data.unnatural-drift", "data.edge-cases", "factor.no-fallback"];
    expect(syncTaxonomy(db, taxonomy.filter((e) => !kept.includes(e.id)))).toEqual({ added: 0, updated: 0, retired: 3 });
    try {
      expect(db.select({ status: failureClasses.status }).from(failureClasses).where(eq(failureClasses.id, "data.unnatural-drift")).get()).toEqual({
        status: "retired",
      });

      // Re-saving the labelled incident keeps all three retired labels.
      classifyIncident(
        db,
        labelled,
        cls({ primary: "data.unnatural-drift", contributing: ["data.edge-cases"], factors: ["factor.no-fallback"], trigger: "pipeline" }),
        actor,
      );
      expect(classRows(db, labelled)).toEqual([
        { classId: "data.edge-cases", role: "contributing" },
        { classId: "data.unnatural-drift", role: "primary" },
        { classId: "factor.no-fallback", role: "factor" },
      ]);
      expect(incidentRow(db, labelled).trigger).toBe("pipeline");
      expect(incidentClassification(db, labelled).primary).toMatchObject({ id: "data.unnatural-drift", status: "retired" });

      // A different incident cannot newly pick any of them.
      const other = newIncident(db, actor);
      classifyIncident(db, other, cls({ primary: "data.corruption" }), actor);
      const attempts: [Record<string, unknown>, ClassificationError["field"], string][] = [
        [{ primary: "data.unnatural-drift" }, "primary", '"Unnatural drift" is retired; pick a current class.'],
        [{ primary: "data.corruption", contributing: ["data.edge-cases"] }, "contributing", '"Edge cases and outliers" is retired; pick a current class.'],
        [{ primary: "data.corruption", factors: ["factor.no-fallback"] }, "factors", '"No fallback model" is retired; pick a current class.'],
      ];
      for (const [input, field, message] of attempts) {
        const e = classificationError(() => classifyIncident(db, other, cls(input), actor));
        expect({ field: e.field, message: e.message }).toEqual({ field, message });
      }
      expect(classRows(db, other)).toEqual([{ classId: "data.corruption", role: "primary" }]);

      // Once the labelled incident drops the retired class, it cannot pick it back up.
      classifyIncident(db, labelled, cls({ primary: "data.corruption" }), actor);
      const e = classificationError(() => classifyIncident(db, labelled, cls({ primary: "data.unnatural-drift" }), actor));
      expect(e.field).toBe("primary");
      expect(classRows(db, labelled)).toEqual([{ classId: "data.corruption", role: "primary" }]);
    } finally {
      expect(syncTaxonomy(db, taxonomy)).toEqual({ added: 0, updated: 3, retired: 0 });
    }
  });

  it("the partial unique index forbids a second primary row for one incident", () => {
    const id = newIncident(db, actor);
    classifyIncident(db, id, cls({ primary: "data.corruption" }), actor);
    expect(() => db.insert(incidentClasses).values({ incidentId: id, classId: "change.binary-push", role: "primary" }).run()).toThrow(
      /UNIQUE constraint failed/,
    );
    // Other roles are not limited by it.
    db.insert(incidentClasses).values({ incidentId: id, classId: "change.binary-push", role: "contributing" }).run();
    expect(classRows(db, id)).toEqual([
      { classId: "change.binary-push", role: "contributing" },
      { classId: "data.corruption", role: "primary" },
    ]);
  });
});

describe("incidentClassification", () => {
  let db: Db;
  beforeAll(() => {
    db = freshDb();
  });

  it("returns primary with family and parent name, contributing and factors ordered by position then id", () => {
    const id = newIncident(db, SYSTEM);
    classifyIncident(
      db,
      id,
      cls({
        primary: "data.natural-drift",
        contributing: ["data.corruption", "change.binary-push", "capacity"],
        factors: ["factor.missing-canary", "factor.alert-fatigue"],
      }),
      SYSTEM,
    );
    expect(incidentClassification(db, id)).toEqual({
      primary: {
        id: "data.natural-drift",
        name: "Natural drift",
        family: "ml",
        parentName: "Data quality & distribution shift",
        status: "active",
      },
      contributing: [
        { id: "change.binary-push", name: "Binary push", family: "non-ml", parentName: "Change & deployment", status: "active" },
        { id: "data.corruption", name: "Data corruption", family: "ml", parentName: "Data quality & distribution shift", status: "active" },
        { id: "capacity", name: "Capacity, resources & hardware", family: "non-ml", parentName: null, status: "active" },
      ],
      factors: [
        { id: "factor.alert-fatigue", name: "Noisy alerts / alert fatigue", family: null, parentName: null, status: "active" },
        { id: "factor.missing-canary", name: "Missing validation or canary", family: null, parentName: null, status: "active" },
      ],
    });
  });

  it("a top-level primary has no parent; an unclassified incident has nothing", () => {
    const id = newIncident(db, SYSTEM);
    classifyIncident(db, id, cls({ primary: "data" }), SYSTEM);
    expect(incidentClassification(db, id)).toEqual({
      primary: { id: "data", name: "Data quality & distribution shift", family: "ml", parentName: null, status: "active" },
      contributing: [],
      factors: [],
    });
    expect(incidentClassification(db, newIncident(db, SYSTEM))).toEqual({ primary: null, contributing: [], factors: [] });
  });
});

describe("findRepeats", () => {
  let db: Db;
  const X_START = Date.UTC(2026, 8, 1, 10); // 2026-09-01T10:00Z
  const ids = {} as Record<
    "x" | "recent" | "edge" | "old" | "otherTeam" | "otherModel" | "sharedModel" | "later" | "diffClass" | "contribOnly" | "unclassified",
    number
  >;
  const actionIds = {} as Record<"open" | "done" | "wontDo" | "open2", number>;

  function make(title: string, startedAt: number, team: string, primary: string | null, contributing: string[] = []): number {
    const id = newIncident(db, SYSTEM, { title, team, startedAt: iso(startedAt) });
    if (primary) classifyIncident(db, id, cls({ primary, contributing }), SYSTEM);
    return id;
  }

  function linkModel(incidentId: number, modelVersionId: number, role: (typeof incidentModels.$inferInsert)["role"]) {
    db.insert(incidentModels).values({ incidentId, modelVersionId, role }).run();
  }

  beforeAll(() => {
    db = freshDb();
    const ranker = db.insert(models).values({ name: "ranker", team: "ranking" }).returning().get();
    const v1 = db.insert(modelVersions).values({ modelId: ranker.id, version: "v1" }).returning().get();
    const v2 = db.insert(modelVersions).values({ modelId: ranker.id, version: "v2" }).returning().get();
    const other = db.insert(models).values({ name: "search-embedder", team: "search" }).returning().get();
    const o1 = db.insert(modelVersions).values({ modelId: other.id, version: "v1" }).returning().get();

    const drift = "data.natural-drift";
    ids.x = make("Ranking drift after holiday", X_START, "ranking", drift);
    ids.recent = make("Drift 30 days before", X_START - 30 * DAY, "ranking", drift);
    ids.edge = make("Drift exactly 180 days before", X_START - 180 * DAY, "ranking", drift);
    ids.old = make("Drift 181 days before", X_START - 181 * DAY, "ranking", drift);
    ids.otherTeam = make("Drift on search, no model", X_START - 20 * DAY, "search", drift);
    ids.otherModel = make("Drift on search, another model", X_START - 25 * DAY, "search", drift);
    ids.sharedModel = make("Drift on search, same model", X_START - 60 * DAY, "search", drift);
    ids.later = make("Drift 19 days after", X_START + 19 * DAY, "ranking", drift);
    ids.diffClass = make("Corruption on ranking", X_START - 10 * DAY, "ranking", "data.corruption");
    ids.contribOnly = make("Corruption with drift contributing", X_START - 11 * DAY, "ranking", "data.corruption", [drift]);
    ids.unclassified = make("Not yet classified", X_START - 5 * DAY, "ranking", null);

    linkModel(ids.x, v2.id, "affected");
    linkModel(ids.x, v1.id, "rolled_back_to");
    linkModel(ids.sharedModel, v1.id, "suspected_cause");
    linkModel(ids.otherModel, o1.id, "suspected_cause");

    const action = (title: string, patch: Record<string, unknown> = {}) =>
      actionInputSchema.parse({ title, owner: "kim", dueAt: "2026-10-01T00:00", kind: "detect", ...patch });
    actionIds.open = addActionItem(db, ids.recent, action("Add a drift monitor"), SYSTEM);
    actionIds.done = addActionItem(db, ids.recent, action("Backfill features"), SYSTEM);
    actionIds.wontDo = addActionItem(db, ids.recent, action("Rewrite the pipeline", { kind: "prevent" }), SYSTEM);
    actionIds.open2 = addActionItem(db, ids.sharedModel, action("Canary the ranker", { owner: "", dueAt: "", kind: "prevent" }), SYSTEM);
    addActionItem(db, ids.sharedModel, action("Page the owner"), SYSTEM);
    setActionStatus(db, ids.recent, actionIds.done, "done", SYSTEM);
    setActionStatus(db, ids.recent, actionIds.wontDo, "wont_do", SYSTEM);
  });

  it("uses a 180-day window", () => {
    expect(REPEAT_WINDOW_DAYS).toBe(180);
  });

  it("lists earlier same-class incidents on the same team or sharing a model, newest first, with open actions only", () => {
    expect(db.select().from(incidentModels).all()).toHaveLength(4);
    const sharedOpen = findRepeats(db, ids.x).find((r) => r.id === ids.sharedModel)!.openActions;
    expect(findRepeats(db, ids.x)).toEqual([
      {
        id: ids.recent,
        title: "Drift 30 days before",
        startedAt: X_START - 30 * DAY,
        status: "investigating",
        sameTeam: true,
        sameModel: false,
        openActions: [
          { id: actionIds.open, incidentId: ids.recent, title: "Add a drift monitor", owner: "kim", dueAt: Date.UTC(2026, 9, 1) },
        ],
      },
      {
        id: ids.sharedModel,
        title: "Drift on search, same model",
        startedAt: X_START - 60 * DAY,
        status: "investigating",
        sameTeam: false,
        sameModel: true,
        openActions: sharedOpen,
      },
      {
        id: ids.edge,
        title: "Drift exactly 180 days before",
        startedAt: X_START - 180 * DAY,
        status: "investigating",
        sameTeam: true,
        sameModel: false,
        openActions: [],
      },
    ]);
    expect(sharedOpen.map((a) => a.title).sort()).toEqual(["Canary the ranker", "Page the owner"]);
    expect(sharedOpen.find((a) => a.id === actionIds.open2)).toEqual({
      id: actionIds.open2,
      incidentId: ids.sharedModel,
      title: "Canary the ranker",
      owner: "",
      dueAt: null,
    });
  });

  it("excludes 181 days back, other teams without a shared model, other classes and contributing-only matches", () => {
    const got = findRepeats(db, ids.x).map((r) => r.id);
    for (const id of [ids.old, ids.otherTeam, ids.otherModel, ids.diffClass, ids.contribOnly, ids.unclassified, ids.later, ids.x]) {
      expect(got).not.toContain(id);
    }
  });

  it("is asymmetric: a later incident is not a repeat of an earlier one", () => {
    // From the later incident, X (and the 30-days-before one, 49 days back) are repeats ...
    expect(findRepeats(db, ids.later).map((r) => [r.id, r.sameTeam, r.sameModel])).toEqual([
      [ids.x, true, false],
      [ids.recent, true, false],
    ]);
    // ... but from X's earlier neighbour, neither X nor the later one is (only ones before it: edge 150 days, old 151 days back).
    expect(findRepeats(db, ids.recent).map((r) => r.id)).toEqual([ids.edge, ids.old]);
    expect(findRepeats(db, ids.edge).map((r) => r.id)).toEqual([ids.old]);
    expect(findRepeats(db, ids.old)).toEqual([]);
  });

  it("the shared-model link works from the other side too", () => {
    expect(findRepeats(db, ids.sharedModel)).toEqual([]); // nothing earlier within the window shares team or model
    const id = make("Search drift again, ranker suspected", X_START + 5 * DAY, "search", "data.natural-drift");
    const v2 = db.select().from(modelVersions).where(eq(modelVersions.version, "v2")).get()!;
    linkModel(id, v2.id, "suspected_cause");
    expect(findRepeats(db, id).map((r) => [r.id, r.sameTeam, r.sameModel])).toEqual([
      [ids.x, false, true],
      [ids.otherTeam, true, false],
      [ids.otherModel, true, false],
      [ids.sharedModel, true, true],
    ]);
  });

  it("an unclassified or unknown incident has no repeats", () => {
    expect(findRepeats(db, ids.unclassified)).toEqual([]);
    expect(findRepeats(db, 999_999)).toEqual([]);
  });

  it("a different class on the same team is not a repeat", () => {
    // diffClass (data.corruption) sees only the earlier data.corruption incident on its team, none of the drift ones.
    expect(findRepeats(db, ids.diffClass).map((r) => [r.id, r.sameTeam, r.sameModel])).toEqual([[ids.contribOnly, true, false]]);
    expect(findRepeats(db, ids.x).map((r) => r.id)).not.toContain(ids.diffClass);
  });
});

describe("similarityQuery", () => {
  it("quotes every term, drops short words and stopwords, dedupes and lowercases", () => {
    expect(similarityQuery("The model drifted after the holiday and with over 40% traffic Model")).toBe(
      '"model" OR "drifted" OR "holiday" OR "traffic"',
    );
    expect(similarityQuery('"foo" OR (bar NEAR')).toBe('"near"');
    expect(similarityQuery("a an to of the and was")).toBeNull();
    expect(similarityQuery("")).toBeNull();
  });

  it("never returns an unquoted word and caps at 16 terms", () => {
    const text = Array.from({ length: 30 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}${i}`).join(" ");
    const q = similarityQuery(`${text} "quoted" AND (NEAR* OR) title:col ^start -minus`)!;
    const terms = q.split(" OR ");
    expect(terms).toHaveLength(16);
    for (const t of terms) expect(t).toMatch(/^"[\p{L}\p{N}_]{4,}"$/u);
    for (const hostile of ['He said "drop table" NEAR(a b) OR NOT x*', "col:value ^abc {a b}: -- AND OR NOT"]) {
      const q2 = similarityQuery(hostile);
      for (const t of q2!.split(" OR ")) expect(t).toMatch(/^"[\p{L}\p{N}_]{4,}"$/u);
    }
  });
});

describe("similarIncidents over many incidents", () => {
  it("leaves out words most incidents share: they neither pick nor crowd out the similar ones", () => {
    const db = freshDb();
    // 2,100 incidents (over the bar of 2,000 and a tenth of all) share "pipeline"; two share the rare "quokka".
    const insert = db.$client.prepare("insert into incidents (title, summary, severity, started_at) values (?, ?, 'SEV3', ?)");
    db.$client.transaction(() => {
      for (let i = 0; i < 2_100; i++) insert.run(`Pipeline stalled ${i}`, "The pipeline stopped", Date.UTC(2026, 0, 1) + i * 60_000);
    })();
    const me = newIncident(db, SYSTEM, { title: "Quokka pipeline stalled", summary: "The pipeline stopped", team: "", startedAt: "2026-03-01T10:00" });
    const alike = [
      newIncident(db, SYSTEM, { title: "Quokka feature missing", summary: "", team: "", startedAt: "2026-02-01T10:00" }),
      newIncident(db, SYSTEM, { title: "Quokka labels late", summary: "", team: "", startedAt: "2026-02-02T10:00" }),
    ];
    const got = similarIncidents(db, me, null);
    expect(got.map((r) => r.id).sort()).toEqual(alike.sort());
    expect(got.every((r) => r.reasons.join() === "similar text")).toBe(true);
  });
});

describe("similarIncidents", () => {
  let db: Db;
  const id = {} as Record<"me" | "text" | "cls" | "team" | "hostile" | "model", number>;

  beforeAll(() => {
    db = freshDb();
    const mk = (title: string, summary: string, team: string, startedAt: string) =>
      newIncident(db, SYSTEM, { title, summary, team, startedAt });
    id.me = mk("Embedding drift broke recommendations", "Holiday traffic shifted the embedding distribution", "recs", "2026-03-10T10:00");
    id.text = mk("Recommendations embedding distribution shifted", "", "search", "2026-02-01T10:00");
    id.cls = mk("GPU node failure", "Accelerator memory errors", "infra", "2026-01-01T10:00");
    id.team = mk("Quota exceeded", "Storage bucket full", "recs", "2026-01-15T10:00");
    id.hostile = mk('"foo" OR (bar NEAR', "", "", "2026-01-20T10:00");
    classifyIncident(db, id.me, cls({ primary: "data.natural-drift" }), SYSTEM);
    classifyIncident(db, id.cls, cls({ primary: "data.natural-drift" }), SYSTEM);
    classifyIncident(db, id.text, cls({ primary: "data.corruption" }), SYSTEM);
  });

  it("ranks same class, similar text and same team, with reasons, excluding itself", () => {
    const got = similarIncidents(db, id.me, "data.natural-drift");
    expect(got.map((r) => r.id)).not.toContain(id.me);
    expect(got).toEqual([
      { id: id.cls, title: "GPU node failure", startedAt: Date.UTC(2026, 0, 1, 10), severity: "SEV2", team: "infra", reasons: ["same class"] },
      {
        id: id.text,
        title: "Recommendations embedding distribution shifted",
        startedAt: Date.UTC(2026, 1, 1, 10),
        severity: "SEV2",
        team: "search",
        reasons: ["similar text"],
      },
      { id: id.team, title: "Quota exceeded", startedAt: Date.UTC(2026, 0, 15, 10), severity: "SEV2", team: "recs", reasons: ["same team"] },
    ]);
  });

  it("without a class there is no 'same class' reason", () => {
    expect(similarIncidents(db, id.me, null).map((r) => [r.id, r.reasons])).toEqual([
      [id.text, ["similar text"]],
      [id.team, ["same team"]],
    ]);
  });

  it("respects the limit", () => {
    expect(similarIncidents(db, id.me, "data.natural-drift", 2).map((r) => r.id)).toEqual([id.cls, id.text]);
    expect(similarIncidents(db, id.me, "data.natural-drift", 1).map((r) => r.id)).toEqual([id.cls]);
  });

  it("combines reasons for one incident and counts a shared model", () => {
    const m = db.insert(models).values({ name: "recommender" }).returning().get();
    const v = db.insert(modelVersions).values({ modelId: m.id, version: "2026.1" }).returning().get();
    id.model = newIncident(db, SYSTEM, {
      title: "Recommendations embedding went stale",
      summary: "",
      team: "recs",
      startedAt: "2026-02-20T10:00",
    });
    try {
      db.insert(incidentModels).values([
        { incidentId: id.me, modelVersionId: v.id, role: "affected" },
        { incidentId: id.model, modelVersionId: v.id, role: "suspected_cause" },
      ]).run();
      const got = similarIncidents(db, id.me, "data.natural-drift");
      const hit = got.find((r) => r.id === id.model)!;
      expect(hit.reasons).toEqual(["similar text", "same team", "same model"]);
      expect(got[0].id).toBe(id.model); // >= 0 text + 1 team + 2 model beats 3 same class
    } finally {
      db.delete(incidentModels).run();
      db.delete(incidents).where(eq(incidents.id, id.model)).run();
    }
  });

  it("hostile FTS syntax in titles and summaries does not throw", () => {
    expect(() => similarIncidents(db, id.hostile, null)).not.toThrow();
    expect(similarIncidents(db, id.hostile, null)).toEqual([]);
    const nasty = newIncident(db, SYSTEM, {
      title: 'recommendations" OR (embedding NEAR drift*',
      summary: 'col:holiday ^traffic -x "unterminated AND NOT) {a b}',
      team: "",
      startedAt: "2026-03-11T10:00",
    });
    try {
      const got = similarIncidents(db, nasty, null);
      // Quoted "near" matches the other hostile title literally; no team, so only text reasons.
      expect(got.map((r) => r.id).sort((a, b) => a - b)).toEqual([id.me, id.text, id.hostile].sort((a, b) => a - b));
      for (const r of got) expect(r.reasons).toEqual(["similar text"]);
    } finally {
      db.delete(incidents).where(eq(incidents.id, nasty)).run();
    }
  });

  it("an unknown incident gives []", () => {
    expect(similarIncidents(db, 999_999, "data.natural-drift")).toEqual([]);
  });
});

describe("classCounts, familyShare, classIncidents, classTrend", () => {
  let db: Db;
  const id = {} as Record<string, number>;
  const NOW = Date.UTC(2026, 2, 15, 12); // 2026-03-15

  beforeAll(() => {
    db = freshDb();
    const mk = (key: string, startedAt: string, primary: string | null, contributing: string[] = [], team = "ranking") => {
      id[key] = newIncident(db, SYSTEM, { title: `Incident ${key}`, startedAt, team });
      if (primary) classifyIncident(db, id[key], cls({ primary, contributing, factors: ["factor.alert-fatigue"] }), SYSTEM);
    };
    mk("corruptionJan", "2026-01-01T00:00", "data.corruption");
    mk("corruptionMar", "2026-03-05T10:00", "data.corruption");
    mk("driftDec", "2025-12-31T23:59", "data.natural-drift");
    mk("dataMar", "2026-03-01T00:00", "data");
    mk("pushFeb", "2026-02-14T10:00", "change.binary-push", ["data.corruption"]);
    mk("acceleratorOct", "2025-10-01T10:00", "capacity.accelerator-fault");
    mk("unclassified", "2026-03-02T10:00", null);
    mk("pushMar", "2026-03-10T10:00", "change.binary-push", ["data.natural-drift"]);
    mk("corruptionApr", "2026-04-02T10:00", "data.corruption");
  });

  it("classCounts: direct primary counts and roll-ups to top-level classes", () => {
    expect(classCounts(db)).toEqual({
      direct: {
        "data.corruption": 3,
        "data.natural-drift": 1,
        data: 1,
        "change.binary-push": 2,
        "capacity.accelerator-fault": 1,
      },
      rolledUp: { data: 5, change: 2, capacity: 1 },
    });
  });

  it("familyShare counts incidents by their primary's family", () => {
    expect(familyShare(db)).toEqual({ ml: 5, nonMl: 3 });
  });

  it("classIncidents: a class and its subclasses as primary only, newest first, limited", () => {
    const titles = (rows: { title: string }[]) => rows.map((r) => r.title);
    expect(titles(classIncidents(db, "data"))).toEqual([
      "Incident corruptionApr",
      "Incident corruptionMar",
      "Incident dataMar",
      "Incident corruptionJan",
      "Incident driftDec",
    ]);
    expect(titles(classIncidents(db, "data", 2))).toEqual(["Incident corruptionApr", "Incident corruptionMar"]);
    expect(titles(classIncidents(db, "data.corruption"))).toEqual([
      "Incident corruptionApr",
      "Incident corruptionMar",
      "Incident corruptionJan",
    ]);
    expect(titles(classIncidents(db, "change"))).toEqual(["Incident pushMar", "Incident pushFeb"]);
    expect(classIncidents(db, "labels")).toEqual([]);
    expect(classIncidents(db, "data.corruption")[0]).toEqual({
      id: id.corruptionApr,
      title: "Incident corruptionApr",
      severity: "SEV2",
      status: "investigating",
      team: "ranking",
      startedAt: Date.UTC(2026, 3, 2, 10),
      classStatus: "confirmed",
    });
  });

  it("classTrend: months up to now's, zero-filled, subclasses counted for a top-level class", () => {
    expect(classTrend(db, "data", 4, NOW)).toEqual([
      { month: "2025-12", count: 1 },
      { month: "2026-01", count: 1 },
      { month: "2026-02", count: 0 },
      { month: "2026-03", count: 2 },
    ]);
    expect(classTrend(db, "data.corruption", 4, NOW)).toEqual([
      { month: "2025-12", count: 0 },
      { month: "2026-01", count: 1 },
      { month: "2026-02", count: 0 },
      { month: "2026-03", count: 1 },
    ]);
    expect(classTrend(db, "change", 2, NOW)).toEqual([
      { month: "2026-02", count: 1 },
      { month: "2026-03", count: 1 },
    ]);
    expect(classTrend(db, "data", 2, Date.UTC(2026, 3, 30, 23, 59))).toEqual([
      { month: "2026-03", count: 2 },
      { month: "2026-04", count: 1 },
    ]);
    // Older than the window: not counted.
    expect(classTrend(db, "capacity", 3, NOW)).toEqual([
      { month: "2026-01", count: 0 },
      { month: "2026-02", count: 0 },
      { month: "2026-03", count: 0 },
    ]);
    expect(classTrend(db, "capacity", 6, NOW)).toEqual([
      { month: "2025-10", count: 1 },
      { month: "2025-11", count: 0 },
      { month: "2025-12", count: 0 },
      { month: "2026-01", count: 0 },
      { month: "2026-02", count: 0 },
      { month: "2026-03", count: 0 },
    ]);
  });

  it("classTrend defaults to 12 'YYYY-MM' months ending with now's month", () => {
    const trend = classTrend(db, "data", undefined, NOW);
    expect(trend.map((m) => m.month)).toEqual([
      "2025-04",
      "2025-05",
      "2025-06",
      "2025-07",
      "2025-08",
      "2025-09",
      "2025-10",
      "2025-11",
      "2025-12",
      "2026-01",
      "2026-02",
      "2026-03",
    ]);
    expect(trend.reduce((n, m) => n + m.count, 0)).toBe(4);
  });
});
