import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classChanges, incidentClasses, incidents } from "../../db/schema";
import { listAudit, SYSTEM } from "~/domain/audit.server";
import { classifyIncident, confirmPrimaryClass, incidentClassification } from "~/domain/classification.server";
import { createIncident, incidentInputSchema } from "~/domain/incidents.server";
import { suggestForIncidents, suggestForText, suggester } from "~/domain/suggestions.server";
import { classChangeCounts, classCounts, classIncidents, classTrend, familyShare, loadTaxonomy, suggestedCounts, syncTaxonomy } from "~/domain/taxonomy.server";
import { confirmClasses, suggestUnclassified, triageQueue } from "~/domain/triage.server";
import type { Db } from "~/utils/db.server";
import { makeTestDb, type TestDb } from "../helpers/db";

const dbs: TestDb[] = [];
afterAll(() => dbs.forEach((t) => t.cleanup()));

function freshDb(): Db {
  const t = makeTestDb();
  dbs.push(t);
  syncTaxonomy(t.db, loadTaxonomy());
  return t.db;
}

const ANA = { id: null, label: "ana" };

function newIncident(db: Db, title: string, summary = "", startedAt = "2026-03-01T10:00"): number {
  return createIncident(
    db,
    incidentInputSchema.parse({ title, severity: "SEV3", team: "ranking", summary, impact: "", detectionSource: "alert", startedAt, detectedAt: "", mitigatedAt: "", resolvedAt: "" }),
    SYSTEM,
  );
}

const classify = (db: Db, id: number, primary: string) =>
  classifyIncident(db, id, { primary, contributing: [], factors: [], trigger: null, lifecycleStage: null }, ANA);

const status = (db: Db, id: number) => db.select({ s: incidents.classStatus, p: incidents.primaryClassId }).from(incidents).where(eq(incidents.id, id)).get();
const settle = () => new Promise((r) => setImmediate(r));

describe("suggestions for stored incidents and text", () => {
  let db: Db;
  let nulls: number;
  let query: number;
  beforeAll(async () => {
    db = freshDb();
    nulls = newIncident(db, "Null incomes in the credit features", "Half the feature partition was written with null values.");
    classify(db, nulls, "data.corruption");
    classify(db, newIncident(db, "Flag pushed to all regions", "A config flag went to every region at once."), "change.config-push");
    query = newIncident(db, "Feature table rows arrive null", "Rows of the feature partition were null after a partial write.");
    await (await suggester(db)).warm;
  });

  it("ranks data first with its subclass, the words that drove it and the similar confirmed incident (never itself)", async () => {
    const [first, ...rest] = (await suggestForIncidents(db, [query])).get(query)!;
    expect(first).toMatchObject({ classId: "data", subclassId: "data.corruption" });
    expect(first.reasons.words).toEqual(expect.arrayContaining(["null"]));
    expect(first.reasons.similarIncidents).toEqual([{ id: nulls, title: "Null incomes in the credit features" }]);
    expect(rest).toHaveLength(2);
    expect(first.score).toBeGreaterThan(rest[0].score);
    const own = (await suggestForIncidents(db, [nulls])).get(nulls)!;
    expect(own[0].reasons.similarIncidents.map((s) => s.id)).not.toContain(nulls);
  });

  it("learns a confirmation at once: a team's own word then points to the class it was confirmed in", async () => {
    const text = "zorbly zorbly";
    expect((await suggestForText(db, text))[0]?.score ?? 0).toBe(0);
    classify(db, newIncident(db, "zorbly backfill ran twice", "The scheduler started the zorbly backfill twice."), "orchestration.scheduler-error");
    await settle();
    const [top] = await suggestForText(db, text);
    expect(top).toMatchObject({ classId: "orchestration", subclassId: "orchestration.scheduler-error" });
    expect(top.reasons.words).toContain("zorbly");
  });

  it("a correction moves the incident's words to its new class", async () => {
    const id = newIncident(db, "quibbit model drifted", "quibbit quibbit");
    classify(db, id, "data.natural-drift");
    await settle();
    expect((await suggestForText(db, "quibbit"))[0].classId).toBe("data");
    classify(db, id, "quality.accuracy-regression");
    await settle();
    expect((await suggestForText(db, "quibbit"))[0].classId).toBe("quality");
  });
});

describe("suggested vs confirmed, and changes after first classification", () => {
  let db: Db;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    db = freshDb();
    ids.confirmed = newIncident(db, "Bad router config push", "A configuration push without canary broke routing.", "2026-01-01T00:00");
    classify(db, ids.confirmed, "change.config-push");
    ids.a = newIncident(db, "Feature partition half written", "Null values in half the rows of the feature table.", "2026-02-01T00:00");
    ids.b = newIncident(db, "GPU ECC errors stall training", "Faulty GPUs with ECC errors interrupted the pretraining job.", "2026-03-01T00:00");
    ids.nothing = newIncident(db, "zzqx", "", "2026-04-01T00:00");
    await (await suggester(db)).warm;
  });

  it("suggestUnclassified records the top class as suggested, never confirmed, and leaves classified or wordless incidents alone", async () => {
    expect(await suggestUnclassified(db, [ids.confirmed, ids.a, ids.b, ids.nothing], SYSTEM)).toEqual({ suggested: 2 });
    expect(status(db, ids.a)).toEqual({ s: "suggested", p: "data.corruption" });
    expect(status(db, ids.b)).toEqual({ s: "suggested", p: "capacity.accelerator-fault" });
    expect(status(db, ids.nothing)).toEqual({ s: null, p: null });
    expect(status(db, ids.confirmed)).toEqual({ s: "confirmed", p: "change.config-push" });
    expect(listAudit(db, { entity: "incident", entityId: ids.a }).map((a) => a.action)).toContain("suggest-class");
    // Running it again changes nothing: they have a primary class now.
    expect(await suggestUnclassified(db, [ids.a, ids.b], SYSTEM)).toEqual({ suggested: 0 });
  });

  it("counts confirmed only by default, suggested apart or included on request", () => {
    expect(classCounts(db)).toEqual({ direct: { "change.config-push": 1 }, rolledUp: { change: 1 } });
    expect(suggestedCounts(db).rolledUp).toEqual({ data: 1, capacity: 1 });
    expect(classCounts(db, { suggested: true }).rolledUp).toEqual({ change: 1, data: 1, capacity: 1 });
    expect(familyShare(db)).toEqual({ ml: 0, nonMl: 1 });
    expect(familyShare(db, { suggested: true })).toEqual({ ml: 1, nonMl: 2 });
    // A class's own page: its incidents and monthly trend, confirmed only unless asked.
    expect(classIncidents(db, "data")).toEqual([]);
    expect(classIncidents(db, "data", 100, { suggested: true }).map((i) => [i.id, i.classStatus])).toEqual([[ids.a, "suggested"]]);
    const feb = (opts = {}) => classTrend(db, "capacity", 3, Date.UTC(2026, 2, 15), opts).map((m) => m.count);
    expect(feb()).toEqual([0, 0, 0]);
    expect(feb({ suggested: true })).toEqual([0, 0, 1]);
  });

  it("the triage queue lists unclassified and suggested incidents, newest first, with suggestions", async () => {
    const q = await triageQueue(db, 1);
    expect(q.total).toBe(3);
    expect(q.items.map((i) => [i.id, i.classStatus])).toEqual([
      [ids.nothing, null],
      [ids.b, "suggested"],
      [ids.a, "suggested"],
    ]);
    expect(q.items[1].suggestions[0]).toMatchObject({ classId: "capacity" });
  });

  it("confirming a suggestion as it is records no change; confirming another class records one from 'suggested'", () => {
    confirmPrimaryClass(db, ids.a, "data.corruption", ANA);
    expect(status(db, ids.a)).toEqual({ s: "confirmed", p: "data.corruption" });
    confirmClasses(db, [{ incidentId: ids.b, classId: "orchestration.work-assignment" }], ANA);
    expect(status(db, ids.b)).toEqual({ s: "confirmed", p: "orchestration.work-assignment" });
    const rows = db.select().from(classChanges).all();
    expect(rows.map((r) => [r.incidentId, r.fromClassId, r.fromStatus, r.toClassId, r.actorLabel])).toEqual([
      [ids.b, "capacity.accelerator-fault", "suggested", "orchestration.work-assignment", "ana"],
    ]);
  });

  it("a person's correction is recorded in the same transaction, keeping contributing classes; re-saving the same class is not", () => {
    classifyIncident(db, ids.confirmed, { primary: "change.config-push", contributing: ["data.corruption"], factors: ["factor.missing-canary"], trigger: "config_push", lifecycleStage: null }, ANA);
    expect(db.select().from(classChanges).where(eq(classChanges.incidentId, ids.confirmed)).all()).toEqual([]);
    confirmPrimaryClass(db, ids.confirmed, "change.env-mismatch", ANA);
    const c = incidentClassification(db, ids.confirmed);
    expect([c.primary?.id, c.contributing.map((x) => x.id), c.factors.map((x) => x.id)]).toEqual(["change.env-mismatch", ["data.corruption"], ["factor.missing-canary"]]);
    expect(db.select({ f: classChanges.fromClassId, s: classChanges.fromStatus }).from(classChanges).where(eq(classChanges.incidentId, ids.confirmed)).all()).toEqual([
      { f: "change.config-push", s: "confirmed" },
    ]);
    expect(classChangeCounts(db)).toEqual({ corrected: { change: 1 }, overridden: { capacity: 1 } });
  });

  it("a failed classification records no change", () => {
    const before = db.select().from(classChanges).all().length;
    expect(() => confirmPrimaryClass(db, ids.a, "no.such-class", ANA)).toThrow(/Unknown failure class/);
    expect(db.select().from(classChanges).all()).toHaveLength(before);
    expect(db.select().from(incidentClasses).where(eq(incidentClasses.incidentId, ids.a)).all()).toHaveLength(1);
  });
});
