import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkAlert, modelLabels, receiveDelivery } from "~/domain/alerts.server";
import type { Actor } from "~/domain/audit.server";
import { REPEAT_WINDOW_DAYS, classificationSchema, classifyIncident, findRepeats } from "~/domain/classification.server";
import { createIncident, updateIncident, type IncidentInput } from "~/domain/incidents.server";
import { changeStatus } from "~/domain/lifecycle.server";
import { linkVersion, registerVersion, unlinkVersion, versionInputSchema } from "~/domain/models.server";
import { recomputeAllRepeats, syncIncidentClassColumns } from "~/domain/repeats.server";
import { loadTaxonomy, syncTaxonomy, type TaxonomyEntry } from "~/domain/taxonomy.server";
import type { Db } from "~/utils/db.server";
import { parseWebhook } from "~/webhooks/index";
import { makeTestDb, type TestDb } from "../helpers/db";

const ACTOR: Actor = { id: null, label: "repeats-test" };
const BOT: Actor = { id: null, label: "token:alerts" };
const DAY = 24 * 60 * 60_000;
const WINDOW = REPEAT_WINDOW_DAYS * DAY;
const t = (s: string) => Date.parse(`${s}Z`);

// Three primary classes: two subclasses of the same top-level class (the rule compares primary classes) and one more.
const X = "data.corruption";
const Y = "data.natural-drift";
const Z = "compat.train-serve-skew";

let taxonomy: TaxonomyEntry[];
const dbs: TestDb[] = [];
function freshDb(): Db {
  const tdb = makeTestDb();
  dbs.push(tdb);
  syncTaxonomy(tdb.db, taxonomy);
  return tdb.db;
}
beforeAll(() => {
  taxonomy = loadTaxonomy();
});
afterAll(() => dbs.forEach((d) => d.cleanup()));

// ---------- helpers ----------

function add(db: Db, title: string, team: string, startedAt: number): number {
  return createIncident(
    db,
    { title, severity: "SEV2", team, summary: "", impact: "", detectionSource: "alert", startedAt, detectedAt: null, mitigatedAt: null, resolvedAt: null },
    ACTOR,
  );
}

function classify(db: Db, id: number, primary: string) {
  classifyIncident(db, id, classificationSchema.parse({ primary }), ACTOR);
}

/** Saves an incident's form with some fields changed, the way the edit page does. */
function update(db: Db, id: number, patch: Partial<IncidentInput>) {
  const cur = db.$client.prepare("select * from incidents where id = ?").get(id) as Record<string, unknown>;
  const input: IncidentInput = {
    title: cur.title as string,
    severity: cur.severity as IncidentInput["severity"],
    team: cur.team as string,
    summary: cur.summary as string,
    impact: cur.impact as string,
    detectionSource: cur.detection_source as IncidentInput["detectionSource"],
    startedAt: cur.started_at as number,
    detectedAt: cur.detected_at as number | null,
    mitigatedAt: cur.mitigated_at as number | null,
    resolvedAt: cur.resolved_at as number | null,
    ...patch,
  };
  const result = updateIncident(db, id, cur.version as number, input, ACTOR);
  expect(result.ok).toBe(true);
}

function version(db: Db, model: string, v: string): number {
  return registerVersion(db, model, versionInputSchema.parse({ version: v, status: "canary" }), ACTOR, t("2023-01-01T00:00")).versionId;
}

function deliver(db: Db, now: number, alert: Record<string, unknown>) {
  const body = JSON.stringify({ alerts: [alert] });
  const events = parseWebhook("generic", JSON.parse(body), { modelLabel: modelLabels().model });
  return receiveDelivery(db, { sender: "generic", headers: { "content-type": "application/json" }, body, tokenId: null }, events, BOT, now);
}

type Flag = { id: number; is_repeat: number };
const flags = (db: Db) => db.$client.prepare("select id, is_repeat from incidents order by id").all() as Flag[];

/** What recomputeAllRepeats makes of the same database, inside a transaction that is rolled back. */
function recomputed(db: Db): Flag[] {
  db.$client.exec("begin");
  try {
    recomputeAllRepeats(db);
    return flags(db);
  } finally {
    db.$client.exec("rollback");
  }
}

/** The rule, computed in plain code from the raw tables: for each incident, the earlier incidents it repeats. */
function oracle(db: Db): Map<number, number[]> {
  const rows = db.$client
    .prepare("select i.id, i.started_at as s, i.team, ic.class_id as c from incidents i left join incident_classes ic on ic.incident_id = i.id and ic.role = 'primary'")
    .all() as { id: number; s: number; team: string; c: string | null }[];
  const links = db.$client
    .prepare("select im.incident_id as i, mv.model_id as m from incident_models im join model_versions mv on mv.id = im.model_version_id")
    .all() as { i: number; m: number }[];
  const modelsOf = new Map<number, Set<number>>();
  for (const l of links) modelsOf.set(l.i, (modelsOf.get(l.i) ?? new Set()).add(l.m));
  const shareModel = (a: number, b: number) => [...(modelsOf.get(a) ?? [])].some((m) => modelsOf.get(b)?.has(m));
  const out = new Map<number, number[]>();
  for (const x of rows) {
    const earlier =
      x.c === null
        ? []
        : rows.filter((e) => e.id !== x.id && e.c === x.c && e.s < x.s && e.s >= x.s - WINDOW && ((x.team !== "" && e.team === x.team) || shareModel(x.id, e.id)));
    out.set(x.id, earlier.map((e) => e.id).sort((a, b) => a - b));
  }
  return out;
}

/**
 * The incrementally kept flags equal a full recompute and the rule computed in code; the incident page's
 * findRepeats lists exactly the earlier incidents the rule names; and the repeats are `expected`.
 */
function expectConsistent(db: Db, step: string, expected: number[]) {
  const current = flags(db);
  expect(current, `${step}: is_repeat vs recomputeAllRepeats`).toEqual(recomputed(db));
  const rule = oracle(db);
  expect(
    current.map((f) => ({ id: f.id, is_repeat: f.is_repeat })),
    `${step}: is_repeat vs the rule`,
  ).toEqual(current.map((f) => ({ id: f.id, is_repeat: rule.get(f.id)!.length > 0 ? 1 : 0 })));
  for (const f of current) {
    const found = findRepeats(db, f.id).map((r) => r.id).sort((a, b) => a - b);
    expect(found, `${step}: findRepeats(${f.id})`).toEqual(rule.get(f.id));
    expect(found.length > 0, `${step}: findRepeats(${f.id}) vs is_repeat`).toBe(f.is_repeat === 1);
  }
  expect(current.filter((f) => f.is_repeat).map((f) => f.id), `${step}: repeats`).toEqual([...expected].sort((a, b) => a - b));
}

// ---------- the scripted sequence ----------

describe("is_repeat kept incrementally equals a full recompute", () => {
  let db: Db;
  const id: Record<string, number> = {};
  const v: Record<string, number> = {};

  beforeAll(() => {
    db = freshDb();
    id.A = add(db, "A", "ranking", t("2024-01-10T00:00"));
    id.B = add(db, "B", "ranking", t("2024-02-10T00:00"));
    id.C = add(db, "C", "search", t("2024-03-10T00:00"));
    id.D = add(db, "D", "search", t("2024-04-10T00:00"));
    id.E = add(db, "E", "ranking", t("2024-01-05T00:00"));
    id.F = add(db, "F", "", t("2024-05-01T00:00"));
    v.ranker1 = version(db, "ranker", "v1");
    v.ranker2 = version(db, "ranker", "v2");
  });

  it("starts with nothing classified and nothing repeated", () => {
    expectConsistent(db, "start", []);
  });

  it("classify: the second incident of a class on a team repeats the first", () => {
    classify(db, id.A, X);
    expectConsistent(db, "A classified", []);
    classify(db, id.B, X);
    expectConsistent(db, "B classified", [id.B]);
  });

  it("reclassify to another class (same top-level class) and back", () => {
    classify(db, id.A, Y);
    expectConsistent(db, "A -> Y", []);
    classify(db, id.B, Y);
    expectConsistent(db, "B -> Y", [id.B]);
    classify(db, id.B, X);
    expectConsistent(db, "B -> X", []);
    classify(db, id.A, X);
    expectConsistent(db, "A -> X", [id.B]);
  });

  it("change team via updateIncident", () => {
    update(db, id.B, { team: "search" });
    expectConsistent(db, "B to search", []);
    classify(db, id.C, X);
    expectConsistent(db, "C classified (B is earlier on search)", [id.C]);
    update(db, id.A, { team: "search" });
    expectConsistent(db, "A to search", [id.B, id.C]);
    update(db, id.A, { team: "ranking" });
    expectConsistent(db, "A back to ranking", [id.C]);
  });

  it("change started_at via updateIncident", () => {
    update(db, id.B, { startedAt: t("2024-03-20T00:00") });
    expectConsistent(db, "B moved after C", [id.B]);
    update(db, id.B, { startedAt: t("2024-02-10T00:00") });
    expectConsistent(db, "B moved back", [id.C]);
    update(db, id.B, { startedAt: t("2024-03-20T00:00") });
    expectConsistent(db, "B after C again", [id.B]);
  });

  it("link and unlink model versions (any version of the same model counts)", () => {
    classify(db, id.D, Z);
    linkVersion(db, id.D, v.ranker1, "suspected_cause", ACTOR);
    expectConsistent(db, "D classified, linked to ranker v1", [id.B]);
    classify(db, id.F, Z);
    expectConsistent(db, "F classified, no team, no model", [id.B]);
    linkVersion(db, id.F, v.ranker2, "affected", ACTOR);
    expectConsistent(db, "F linked to ranker v2", [id.B, id.F]);
    unlinkVersion(db, id.D, v.ranker1, "suspected_cause", ACTOR);
    expectConsistent(db, "earlier D unlinked", [id.B]);
    linkVersion(db, id.D, v.ranker1, "rolled_back_from", ACTOR);
    expectConsistent(db, "earlier D linked again", [id.B, id.F]);
    unlinkVersion(db, id.F, v.ranker2, "affected", ACTOR);
    expectConsistent(db, "F unlinked", [id.B]);
    linkVersion(db, id.F, v.ranker2, "affected", ACTOR);
    expectConsistent(db, "F linked again", [id.B, id.F]);
  });

  it("an alert carrying model labels onto a classified incident", () => {
    const first = deliver(db, t("2024-05-03T10:00"), { name: "AucDrop", status: "firing", fingerprint: "m1", group: "gm", startsAt: "2024-05-03T09:00:00Z" });
    id.G = first.opened[0];
    classify(db, id.G, Z);
    expectConsistent(db, "alert draft G classified (no team, no model)", [id.B, id.F]);
    const again = deliver(db, t("2024-05-03T10:05"), {
      name: "AucDrop",
      status: "firing",
      fingerprint: "m1",
      group: "gm",
      startsAt: "2024-05-03T09:00:00Z",
      labels: { model: "ranker", model_version: "v3" },
    });
    expect(again.opened).toEqual([]);
    expect(db.$client.prepare("select count(*) as n from incident_models where incident_id = ?").get(id.G)).toEqual({ n: 1 });
    expectConsistent(db, "G linked to ranker v3 by the alert", [id.B, id.F, id.G]);
  });

  it("classify an EARLIER incident afterwards: the later one becomes a repeat", () => {
    classify(db, id.E, X);
    expectConsistent(db, "E (Jan 5) classified", [id.A, id.B, id.F, id.G]);
    update(db, id.E, { startedAt: t("2023-06-01T00:00") });
    expectConsistent(db, "E moved out of A's window", [id.B, id.F, id.G]);
    update(db, id.E, { startedAt: t("2024-01-05T00:00") });
    expectConsistent(db, "E moved back", [id.A, id.B, id.F, id.G]);
    update(db, id.E, { team: "" });
    expectConsistent(db, "E's team cleared (an empty team matches nothing)", [id.B, id.F, id.G]);
    update(db, id.A, { team: "" });
    expectConsistent(db, "A's team cleared too", [id.B, id.F, id.G]);
    update(db, id.A, { team: "ranking" });
    update(db, id.E, { team: "ranking" });
    expectConsistent(db, "both back on ranking", [id.A, id.B, id.F, id.G]);
    classify(db, id.E, Z);
    expectConsistent(db, "E reclassified", [id.B, id.F, id.G]);
    classify(db, id.E, X);
    expectConsistent(db, "E back to X", [id.A, id.B, id.F, id.G]);
  });

  it("180-day boundary: exactly 180 days earlier counts, 180 days + 1 ms does not", () => {
    const base = t("2024-06-01T00:00");
    id.J = add(db, "J", "edge1", base + WINDOW);
    id.K = add(db, "K", "edge2", base + WINDOW + 1);
    classify(db, id.J, X);
    classify(db, id.K, X);
    expectConsistent(db, "J, K alone", [id.A, id.B, id.F, id.G]);
    id.H1 = add(db, "H1", "edge1", base);
    id.H2 = add(db, "H2", "edge2", base);
    classify(db, id.H1, X);
    expectConsistent(db, "H1 exactly 180 days before J", [id.A, id.B, id.F, id.G, id.J]);
    classify(db, id.H2, X);
    expectConsistent(db, "H2 180 days + 1 ms before K", [id.A, id.B, id.F, id.G, id.J]);
    update(db, id.K, { startedAt: base + WINDOW });
    expectConsistent(db, "K moved to exactly 180 days", [id.A, id.B, id.F, id.G, id.J, id.K]);
    update(db, id.H2, { startedAt: base - 1 });
    expectConsistent(db, "H2 moved 1 ms earlier", [id.A, id.B, id.F, id.G, id.J]);
    update(db, id.H2, { startedAt: base });
    expectConsistent(db, "H2 moved back", [id.A, id.B, id.F, id.G, id.J, id.K]);
    update(db, id.K, { startedAt: base + WINDOW + 1 });
    expectConsistent(db, "K back to 180 days + 1 ms", [id.A, id.B, id.F, id.G, id.J]);

    // The same boundary through a model.
    const scorer = version(db, "scorer", "v1");
    id.M1 = add(db, "M1", "", base);
    id.M2 = add(db, "M2", "", base + WINDOW);
    classify(db, id.M2, Y);
    linkVersion(db, id.M2, scorer, "affected", ACTOR);
    classify(db, id.M1, Y);
    expectConsistent(db, "M1 classified, not yet on the model", [id.A, id.B, id.F, id.G, id.J]);
    linkVersion(db, id.M1, scorer, "affected", ACTOR);
    expectConsistent(db, "M1 linked: M2 exactly 180 days later", [id.A, id.B, id.F, id.G, id.J, id.M2]);
    update(db, id.M1, { startedAt: base - 1 });
    expectConsistent(db, "M1 1 ms earlier", [id.A, id.B, id.F, id.G, id.J]);
  });

  it("the same started_at does not count", () => {
    const at = t("2024-02-01T00:00");
    const shared = version(db, "shared", "v1");
    id.S1 = add(db, "S1", "same", at);
    id.S2 = add(db, "S2", "same", at);
    classify(db, id.S1, Y);
    classify(db, id.S2, Y);
    linkVersion(db, id.S1, shared, "affected", ACTOR);
    linkVersion(db, id.S2, shared, "affected", ACTOR);
    const before = [id.A, id.B, id.F, id.G, id.J];
    expectConsistent(db, "S1, S2 at the same time", before);
    id.S3 = add(db, "S3", "same", at + 1);
    classify(db, id.S3, Y);
    expectConsistent(db, "S3 one ms later", [...before, id.S3]);
    update(db, id.S3, { startedAt: at });
    expectConsistent(db, "S3 at the same time", before);
  });

  it("status changes leave the flags alone, and a committed full recompute changes nothing", () => {
    changeStatus(db, id.B, "resolved", ACTOR, { times: { detectedAt: t("2024-06-01T00:00"), mitigatedAt: t("2024-06-01T00:00"), resolvedAt: t("2024-06-01T00:00") } });
    changeStatus(db, id.G, "investigating", ACTOR, { times: { detectedAt: t("2024-06-01T00:00") } });
    const before = flags(db);
    expectConsistent(db, "after status changes", [id.A, id.B, id.F, id.G, id.J]);
    recomputeAllRepeats(db);
    expect(flags(db)).toEqual(before);
  });
});

describe("linkAlert carrying a model version onto a classified incident", () => {
  it("makes the incident a repeat of an earlier one on that model", () => {
    const db = freshDb();
    const fraud = version(db, "fraud", "v1");
    const p = add(db, "P", "p-team", t("2024-06-01T00:00"));
    classify(db, p, Z);
    linkVersion(db, p, fraud, "suspected_cause", ACTOR);
    const r = add(db, "R", "r-team", t("2024-06-10T00:00"));
    classify(db, r, Z);
    expectConsistent(db, "before", []);

    // An alert on fraud v1 opens its own draft; an editor then links the alert to R.
    const q = deliver(db, t("2024-06-15T10:00"), { name: "FraudRate", status: "firing", fingerprint: "q1", group: "gq", labels: { model: "fraud", model_version: "v1" } }).opened[0];
    expectConsistent(db, "alert received", []);
    const alert = (db.$client.prepare("select id, model_version_id from alerts where fingerprint = 'q1'").get() as { id: number; model_version_id: number });
    expect(alert.model_version_id).toBe(fraud);
    linkAlert(db, alert.id, r, ACTOR);
    expect(db.$client.prepare("select incident_id from incident_models where model_version_id = ? order by 1").all(fraud)).toEqual([
      { incident_id: p },
      { incident_id: r },
      { incident_id: q },
    ]);
    expectConsistent(db, "alert linked to R", [r]);
  });
});

describe("syncIncidentClassColumns", () => {
  it("re-derives the class copies from incident_classes and the taxonomy", () => {
    const db = freshDb();
    const a = add(db, "a", "t", t("2024-01-01T00:00"));
    const b = add(db, "b", "t", t("2024-01-02T00:00"));
    const c = add(db, "c", "t", t("2024-01-03T00:00"));
    classify(db, a, X);
    classify(db, b, "capacity");
    const columns = () => db.$client.prepare("select id, primary_class_id, top_class_id, family from incidents order by id").all();
    const good = columns();
    expect(good).toEqual([
      { id: a, primary_class_id: X, top_class_id: "data", family: "ml" },
      { id: b, primary_class_id: "capacity", top_class_id: "capacity", family: "non-ml" },
      { id: c, primary_class_id: null, top_class_id: null, family: null },
    ]);
    expect(syncIncidentClassColumns(db)).toBe(0);
    // As a bulk load could leave them.
    db.$client.prepare("update incidents set primary_class_id = 'x', top_class_id = null, family = 'non-ml' where id = ?").run(a);
    db.$client.prepare("update incidents set family = null where id = ?").run(b);
    db.$client.prepare("update incidents set primary_class_id = ?, top_class_id = 'data', family = 'ml' where id = ?").run(X, c);
    expect(syncIncidentClassColumns(db)).toBe(3);
    expect(columns()).toEqual(good);
    expect(syncIncidentClassColumns(db)).toBe(0);
  });
});
