import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../db/client";
import { failureClasses, incidentClasses, incidents } from "../../db/schema";
import { ContentError } from "../../app/utils/content.server";
import {
  classCounts,
  classDefinitions,
  familyShare,
  getClass,
  loadTaxonomy,
  syncTaxonomy,
  taxonomyTree,
} from "../../app/domain/taxonomy.server";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-taxonomy-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Files = Record<string, string | null>;

function md(front: Record<string, unknown>, body = "Definition."): string {
  const lines = Object.entries(front).map(([k, v]) => `${k}: ${v}`);
  return `---\n${lines.join("\n")}\n---\n\n${body}\n`;
}

// A small valid content tree; cases override or delete (null) single files.
const BASE: Files = {
  "taxonomy/data.md": md({ id: "data", family: "ml", name: "Data quality", order: 2 }),
  "taxonomy/data/drift.md": md({ id: "data.drift", parent: "data", family: "ml", name: "Drift", order: 2 }),
  "taxonomy/data/corruption.md": md({ id: "data.corruption", parent: "data", family: "ml", name: "Corruption", order: 1 }),
  "taxonomy/change.md": md({ id: "change", family: "non-ml", name: "Change", order: 1 }),
  "taxonomy/change/binary-push.md": md({ id: "change.binary-push", parent: "change", family: "non-ml", name: "Binary push" }),
  "factors/missing-canary.md": md({ id: "factor.missing-canary", name: "Missing canary" }),
};

let dirCount = 0;
/** Writes BASE plus overrides into a fresh folder (fresh paths, so content.server's mtime cache never hides a change). */
function contentDir(overrides: Files = {}): string {
  const root = path.join(tmp, `content-${++dirCount}`);
  for (const [rel, text] of Object.entries({ ...BASE, ...overrides })) {
    if (text === null) continue;
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

function loadError(root: string): ContentError {
  try {
    loadTaxonomy(root);
  } catch (e) {
    expect(e).toBeInstanceOf(ContentError);
    return e as ContentError;
  }
  throw new Error("expected loadTaxonomy to throw");
}

const TOP_LEVEL: Record<string, "ml" | "non-ml"> = {
  orchestration: "non-ml",
  capacity: "non-ml",
  change: "non-ml",
  dependency: "non-ml",
  software: "non-ml",
  data: "ml",
  labels: "ml",
  training: "ml",
  compat: "ml",
  quality: "ml",
  feedback: "ml",
};

describe("shipped content", () => {
  it("has the reference's 11 top-level classes with their families, and 5 factors", () => {
    const entries = loadTaxonomy();
    const tops = entries.filter((e) => e.kind === "class" && e.parentId === null);
    expect(Object.fromEntries(tops.map((e) => [e.id, e.family]))).toEqual(TOP_LEVEL);
    for (const top of tops) expect(entries.filter((e) => e.parentId === top.id).length).toBeGreaterThan(0);
    const factors = entries.filter((e) => e.kind === "factor");
    expect(factors).toHaveLength(5);
    for (const f of factors) {
      expect(f.id).toMatch(/^factor\./);
      expect(f.family).toBeNull();
    }
  });

  it("renders a definition for every entry", () => {
    const defs = classDefinitions();
    expect(defs.size).toBe(loadTaxonomy().length);
    expect(defs.get("data")).toMatch(/<h2|<p>/);
    expect(defs.get("data")).not.toMatch(/<script/i);
  });
});

describe("malformed content", () => {
  const cases: { what: string; file: string; text: string | null; extra?: Files; problem: RegExp }[] = [
    {
      what: "a missing front-matter key",
      file: "taxonomy/change.md",
      text: md({ id: "change", family: "non-ml" }),
      problem: /missing front-matter key "name"/,
    },
    {
      what: "an unknown front-matter key",
      file: "taxonomy/data/drift.md",
      text: md({ id: "data.drift", parent: "data", family: "ml", name: "Drift", severity: "high" }),
      problem: /unknown front-matter key "severity"/,
    },
    {
      what: "an id with capitals",
      file: "taxonomy/data/drift.md",
      text: md({ id: "data.Drift", parent: "data", family: "ml", name: "Drift" }),
      problem: /id must be lowercase/,
    },
    {
      what: "an id with an empty segment",
      file: "taxonomy/data/drift.md",
      text: md({ id: "data..drift", parent: "data", family: "ml", name: "Drift" }),
      problem: /id must be lowercase, dot-separated/,
    },
    {
      what: "a top-level id with a dot",
      file: "taxonomy/change.md",
      text: md({ id: "change.all", family: "non-ml", name: "Change" }),
      problem: /must not contain a dot/,
    },
    {
      what: "a family other than ml/non-ml",
      file: "taxonomy/change.md",
      text: md({ id: "change", family: "infra", name: "Change" }),
      problem: /family must be ml or non-ml/,
    },
    {
      what: "an order that is not an integer",
      file: "taxonomy/change.md",
      text: md({ id: "change", family: "non-ml", name: "Change", order: 1.5 }),
      problem: /order must be an integer/,
    },
    {
      what: "a parent with no class file",
      file: "taxonomy/labels/delay.md",
      text: md({ id: "labels.delay", parent: "labels", family: "ml", name: "Label delay" }),
      problem: /parent "labels" does not exist/,
    },
    {
      what: "a parent that is itself a subclass",
      file: "taxonomy/data.drift/sudden.md",
      text: md({ id: "data.drift.sudden", parent: "data.drift", family: "ml", name: "Sudden drift" }),
      problem: /parent "data.drift" is not a top-level class/,
    },
    {
      what: "a subclass family differing from its parent",
      file: "taxonomy/data/drift.md",
      text: md({ id: "data.drift", parent: "data", family: "non-ml", name: "Drift" }),
      problem: /family is "non-ml" but its parent "data" is "ml"/,
    },
    {
      what: "a subclass id not under its parent",
      file: "taxonomy/data/drift.md",
      text: md({ id: "change.drift", parent: "data", family: "ml", name: "Drift" }),
      problem: /subclass id "change.drift" must be "data.<slug>"/,
    },
    {
      what: "a subclass id equal to its parent",
      file: "taxonomy/data/drift.md",
      text: md({ id: "data", parent: "data", family: "ml", name: "Drift" }),
      problem: /must be "data.<slug>"/,
    },
    {
      what: "a subclass in another class's folder",
      file: "taxonomy/data/rollback.md",
      text: md({ id: "change.rollback", parent: "change", family: "non-ml", name: "Rollback" }),
      problem: /parent is "change" but the file is in taxonomy\/data\//,
    },
    {
      what: "a subclass at the top level",
      file: "taxonomy/rollback.md",
      text: md({ id: "change.rollback", parent: "change", family: "non-ml", name: "Rollback" }),
      problem: /declares parent "change" but is not in the folder taxonomy\/change\//,
    },
    {
      what: "a subclass file without a parent key",
      file: "taxonomy/data/skew.md",
      text: md({ id: "data.skew", family: "ml", name: "Skew" }),
      problem: /missing front-matter key "parent"/,
    },
    {
      what: "a file nested too deep",
      file: "taxonomy/data/drift/sudden.md",
      text: md({ id: "data.sudden", parent: "data", family: "ml", name: "Sudden" }),
      problem: /too deeply nested/,
    },
    {
      what: "a factor id without the factor. prefix",
      file: "factors/alert-fatigue.md",
      text: md({ id: "alert-fatigue", name: "Alert fatigue" }),
      problem: /factor id "alert-fatigue" must be "factor.<slug>"/,
    },
    {
      what: "a factor with a family",
      file: "factors/alert-fatigue.md",
      text: md({ id: "factor.alert-fatigue", family: "ml", name: "Alert fatigue" }),
      problem: /unknown front-matter key "family"/,
    },
    {
      what: "a file without front matter",
      file: "taxonomy/quality.md",
      text: "# Quality\n",
      problem: /missing front matter/,
    },
  ];

  it.each(cases)("$what names the file and the problem", ({ file, text, extra, problem }) => {
    const root = contentDir({ ...extra, [file]: text });
    const err = loadError(root);
    expect(err.file).toBe(path.join(root, file));
    expect(err.message).toContain(path.join(`content-${dirCount}`, file));
    expect(err.message).toMatch(problem);
  });

  it("a duplicate id names both files", () => {
    const root = contentDir({
      "taxonomy/data/drift-again.md": md({ id: "data.drift", parent: "data", family: "ml", name: "Drift again" }),
    });
    const err = loadError(root);
    // Files load in path order, so the second one is reported and the first is named beside it.
    expect(err.file).toBe(path.join(root, "taxonomy/data/drift.md"));
    expect(err.message).toMatch(/duplicate id "data.drift"/);
    expect(err.message).toContain(path.join(`content-${dirCount}`, "taxonomy/data/drift-again.md"));
  });

  it("an empty taxonomy is refused rather than retiring every class", () => {
    const root = path.join(tmp, "empty");
    fs.mkdirSync(path.join(root, "taxonomy"), { recursive: true });
    expect(loadError(root).message).toMatch(/no failure classes found/);
  });
});

describe("sync and queries", () => {
  let db: Db;
  const root = contentDir();

  beforeAll(() => {
    db = openDatabase(path.join(tmp, "sync.db"));
  });
  afterAll(() => db.$client.close());

  const row = (id: string) => db.select().from(failureClasses).where(eq(failureClasses.id, id)).get();

  function incident(title: string, classes: [string, "primary" | "contributing" | "factor"][] = []): number {
    const { id } = db.insert(incidents).values({ title, severity: "SEV2", startedAt: Date.UTC(2025, 0, 1) }).returning({ id: incidents.id }).get();
    for (const [classId, role] of classes) db.insert(incidentClasses).values({ incidentId: id, classId, role }).run();
    return id;
  }

  it("inserts every entry, then re-syncing changes nothing", () => {
    const entries = loadTaxonomy(root);
    expect(syncTaxonomy(db, entries)).toEqual({ added: 6, updated: 0, retired: 0 });
    expect(row("data.drift")).toEqual({
      id: "data.drift",
      parentId: "data",
      family: "ml",
      kind: "class",
      name: "Drift",
      position: 2,
      status: "active",
    });
    expect(row("factor.missing-canary")).toMatchObject({ kind: "factor", family: null, parentId: null });
    expect(syncTaxonomy(db, loadTaxonomy(root))).toEqual({ added: 0, updated: 0, retired: 0 });
  });

  it("updates a changed name or position", () => {
    const entries = loadTaxonomy(root).map((e) => (e.id === "change" ? { ...e, name: "Change & deploy", position: 5 } : e));
    expect(syncTaxonomy(db, entries)).toEqual({ added: 0, updated: 1, retired: 0 });
    expect(row("change")).toMatchObject({ name: "Change & deploy", position: 5 });
    expect(syncTaxonomy(db, loadTaxonomy(root))).toEqual({ added: 0, updated: 1, retired: 0 });
    expect(row("change")).toMatchObject({ name: "Change", position: 1 });
  });

  it("counts primary incidents per class, rolled up, and by family", () => {
    incident("drift 1", [["data.drift", "primary"]]);
    incident("drift 2", [["data.drift", "primary"], ["factor.missing-canary", "factor"]]);
    incident("data, no subclass", [["data", "primary"]]);
    incident("bad push", [["change.binary-push", "primary"], ["data.drift", "contributing"]]);
    incident("change", [["change", "primary"]]);
    incident("only contributing", [["data.corruption", "contributing"]]);
    incident("unclassified");

    expect(classCounts(db)).toEqual({
      direct: { "data.drift": 2, data: 1, "change.binary-push": 1, change: 1 },
      rolledUp: { data: 3, change: 2 },
    });
    expect(familyShare(db)).toEqual({ ml: 3, nonMl: 2 });
  });

  it("builds the tree ordered by position then id, with factors apart", () => {
    const tree = taxonomyTree(db);
    expect(tree.classes.map((c) => c.id)).toEqual(["change", "data"]);
    expect(tree.classes[1].children.map((c) => c.id)).toEqual(["data.corruption", "data.drift"]);
    expect(tree.classes[0].children.map((c) => c.id)).toEqual(["change.binary-push"]);
    expect(tree.factors.map((f) => f.id)).toEqual(["factor.missing-canary"]);
  });

  it("gets one class with its parent and children", () => {
    expect(getClass(db, "data")).toMatchObject({ id: "data", parent: null, children: [{ id: "data.corruption" }, { id: "data.drift" }] });
    expect(getClass(db, "data.drift")).toMatchObject({ id: "data.drift", parent: { id: "data" }, children: [] });
    expect(getClass(db, "nope")).toBeNull();
  });

  it("retires a removed class, keeps its incidents' labels, and reactivates it when it returns", () => {
    const drift = path.join(root, "taxonomy/data/drift.md");
    const text = fs.readFileSync(drift, "utf8");
    fs.rmSync(drift);
    expect(syncTaxonomy(db, loadTaxonomy(root))).toEqual({ added: 0, updated: 0, retired: 1 });
    expect(row("data.drift")?.status).toBe("retired");
    expect(syncTaxonomy(db, loadTaxonomy(root))).toEqual({ added: 0, updated: 0, retired: 0 });

    const labelled = db.select().from(incidentClasses).where(eq(incidentClasses.classId, "data.drift")).all();
    expect(labelled).toHaveLength(3);
    expect(db.$client.pragma("foreign_key_check")).toEqual([]);
    expect(classCounts(db).rolledUp).toEqual({ data: 3, change: 2 });
    const data = taxonomyTree(db).classes.find((c) => c.id === "data")!;
    expect(data.children.map((c) => [c.id, c.status])).toEqual([
      ["data.corruption", "active"],
      ["data.drift", "retired"],
    ]);
    expect(classDefinitions(root).has("data.drift")).toBe(false);

    fs.writeFileSync(drift, text);
    expect(syncTaxonomy(db, loadTaxonomy(root))).toEqual({ added: 0, updated: 1, retired: 0 });
    expect(row("data.drift")?.status).toBe("active");
  });

  it("retires a whole class folder with its subclasses", () => {
    const partial = contentDir({ "taxonomy/change.md": null, "taxonomy/change/binary-push.md": null });
    expect(syncTaxonomy(db, loadTaxonomy(partial))).toEqual({ added: 0, updated: 0, retired: 2 });
    expect(getClass(db, "change")).toMatchObject({ status: "retired", children: [{ id: "change.binary-push", status: "retired" }] });
    expect(familyShare(db)).toEqual({ ml: 3, nonMl: 2 });
    expect(syncTaxonomy(db, loadTaxonomy(root))).toEqual({ added: 0, updated: 2, retired: 0 });
  });
});

describe("classDefinitions", () => {
  it("renders sanitized HTML and follows edits to a file", () => {
    const root = contentDir({
      "taxonomy/change.md": md({ id: "change", family: "non-ml", name: "Change" }, "A **bad** push.<script>alert(1)</script>"),
    });
    const html = classDefinitions(root).get("change")!;
    expect(html).toContain("<strong>bad</strong>");
    expect(html).not.toContain("<script");

    const file = path.join(root, "taxonomy/change.md");
    fs.writeFileSync(file, md({ id: "change", family: "non-ml", name: "Change" }, "Now _different_."));
    // A distinct mtime, so the change is seen however coarse the file system's clock is.
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(file, later, later);
    expect(classDefinitions(root).get("change")).toContain("<em>different</em>");
  });
});
