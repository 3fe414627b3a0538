// Public postmortems: labels mapped by content, the primary chosen by rule, identity and provenance on re-import.
// Fixtures in tests/fixtures/corpora are invented, shaped like the public corpora (see about.txt there).
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidentClasses, incidentSourceLabels, incidents } from "../../db/schema";
import { classificationSchema, classifyIncident } from "~/domain/classification.server";
import { updateIncident } from "~/domain/incidents.server";
import { importMarkdownFiles, readMarkdownFolder, type MarkdownFile } from "~/domain/portability/folder.server";
import { importPublicPostmortem, severityFromText } from "~/domain/portability/public-markdown.server";
import { classifyLabels, loadLabelMappings, activeClasses } from "~/domain/source-labels.server";
import { loadTaxonomy } from "~/domain/taxonomy.server";
import { ContentError } from "~/utils/content.server";
import { FIXTURES, IMPORTER, cleanupAll, freshDb, tableCounts, tmpDir } from "../helpers/portability";
import type { TestDb } from "../helpers/db";

const CORPORA = path.resolve("tests/fixtures/corpora");

afterAll(() => cleanupAll());

function classesOf(t: TestDb, id: number) {
  return t.db
    .select({ id: incidentClasses.classId, role: incidentClasses.role })
    .from(incidentClasses)
    .where(eq(incidentClasses.incidentId, id))
    .all()
    .sort((a, b) => a.role.localeCompare(b.role) || a.id.localeCompare(b.id));
}

const byTitle = (t: TestDb, prefix: string) => t.db.select().from(incidents).all().find((i) => i.title.startsWith(prefix))!;
const read = (sub: string) => readMarkdownFolder(path.join(CORPORA, sub));
const fixture = (sub: string, name: string) => fs.readFileSync(path.join(CORPORA, sub, name), "utf8");

describe("label mappings in content", () => {
  it("map every label onto an existing class, ids onto themselves, and set triggers only from mapping files", () => {
    const taxonomy = loadTaxonomy();
    const classes = new Set(taxonomy.filter((e) => e.kind === "class").map((e) => e.id));
    const m = loadLabelMappings(taxonomy);
    for (const [label, target] of m.classes) expect(classes.has(target.classId), label).toBe(true);
    for (const id of classes) expect(m.classes.get(id)).toMatchObject({ classId: id, strength: "strong" });
    expect(m.classes.get("cloud")).toMatchObject({ classId: "dependency", strength: "weak" });
    expect(m.classes.get("automation")).toMatchObject({ classId: "orchestration", strength: "weak" });
    expect(m.classes.get("distributional-shift")).toMatchObject({ classId: "data.natural-drift", strength: "strong" });
    expect(m.triggers.get("config-change")?.trigger).toBe("config_push");
  });

  it("choose the primary by strength, then specificity, never by the order labels are written in", () => {
    const t = freshDb();
    const m = loadLabelMappings();
    const active = activeClasses(t.db);
    const alphabetical = classifyLabels(["automation", "cloud", "config-change"], m, active);
    expect(alphabetical).toMatchObject({ primary: "change.config-push", contributing: ["dependency", "orchestration"], trigger: "config_push" });
    expect(classifyLabels(["config-change", "cloud", "automation"], m, active)).toEqual({ ...alphabetical, labels: expect.any(Array) });
    // A strong top-level id beats a weak subclass; among equals the more specific class wins; the primary's parent is implied.
    expect(classifyLabels(["cascading-failure", "data"], m, active)).toMatchObject({ primary: "data", contributing: ["capacity.overloaded-backend"] });
    expect(classifyLabels(["data", "data-drift"], m, active)).toMatchObject({ primary: "data.natural-drift", contributing: [] });
    // Equal evidence: the class more labels point at, then the id that sorts first.
    expect(classifyLabels(["hallucination", "jailbreak", "bias"], m, active)).toMatchObject({ primary: "quality.unsafe-output", contributing: ["quality.bias"] });
    expect(classifyLabels(["Generalization Failure", "Distributional shift"], m, active).primary).toBe("data.natural-drift");
    // Two labels implying different triggers are not a trigger.
    expect(classifyLabels(["config-change", "deploy"], m, active).trigger).toBeNull();
    expect(classifyLabels(["Security", "  security "], m, active).labels).toEqual([{ label: "Security", key: "security", classId: null, strength: null }]);
  });

  it("read a team's own mapping file without code changes, and stop on a bad one naming the file", () => {
    const root = tmpDir();
    fs.cpSync(path.resolve("content"), root, { recursive: true });
    fs.writeFileSync(
      path.join(root, "mappings", "old-tracker.md"),
      "---\nname: Our old tracker\nlabels:\n  data.natural-drift:\n    strong: [Model went stale]\n  orchestration:\n    weak: [cron-ish]\ntriggers:\n  pipeline: [Model went stale]\n---\nCategories of the tracker we used until 2024.\n",
    );
    const taxonomy = loadTaxonomy(root);
    const m = loadLabelMappings(taxonomy, root);
    expect(m.classes.get("model-went-stale")).toMatchObject({ classId: "data.natural-drift", strength: "strong" });
    expect(m.triggers.get("model-went-stale")?.trigger).toBe("pipeline");

    const bad = (text: string) => {
      fs.writeFileSync(path.join(root, "mappings", "old-tracker.md"), text);
      try {
        loadLabelMappings(loadTaxonomy(root), root);
      } catch (e) {
        expect(e).toBeInstanceOf(ContentError);
        return (e as Error).message;
      }
      throw new Error("expected a ContentError");
    };
    expect(bad("---\nname: x\nlabels:\n  data.made-up:\n    strong: [stale]\n---\n")).toMatch(/old-tracker\.md: labels: "data\.made-up" is not a failure class/);
    expect(bad("---\nname: x\nlabels:\n  data:\n    strong: [Cloud]\n---\n")).toMatch(/old-tracker\.md: label "Cloud" is mapped twice \(also to dependency by .*dependency\.md\)/);
    expect(bad("---\nname: x\nlabels:\n  data:\n    medium: [x]\n---\n")).toMatch(/old-tracker\.md: labels\.data: unknown key "medium"/);
    expect(bad("---\nname: x\nlabels:\n  data:\n    strong: [quality]\n---\n")).toMatch(/label "quality" is the id of a class/);
    expect(bad("---\nname: x\ntriggers:\n  vibes: [x]\n---\n")).toMatch(/old-tracker\.md: triggers/);
  });
});

describe("importing the corpora", () => {
  let t: TestDb;

  beforeAll(() => {
    t = freshDb();
  });

  it("puts ML-labelled incidents in ML classes (AI Incident Database, status pages, icco)", () => {
    for (const sub of ["aiid", "status", "icco", "danluu"]) {
      const { files, refused } = read(sub);
      importMarkdownFiles(t.db, "public", files, IMPORTER, { refused });
    }
    const surge = byTitle(t, "Ride-hailing surge model");
    expect(surge).toMatchObject({ primaryClassId: "data.natural-drift", family: "ml", classStatus: "confirmed", team: "Carrowhail", startedAt: Date.UTC(2023, 10, 20), externalId: "id:4101", severity: "SEV3" });
    expect(classesOf(t, surge.id)).toEqual([
      { id: "quality.accuracy-regression", role: "contributing" },
      { id: "data.natural-drift", role: "primary" },
    ]);
    expect(byTitle(t, "Legal research assistant")).toMatchObject({ primaryClassId: "quality.unsafe-output", family: "ml" });
    expect(byTitle(t, "Degraded answer quality")).toMatchObject({ primaryClassId: "quality", family: "ml", severity: "SEV2", resolvedAt: Date.UTC(2025, 5, 10, 19, 45) });
    expect(byTitle(t, "Parcelpath delivery")).toMatchObject({ primaryClassId: "data.natural-drift", family: "ml", trigger: "performance_decay" });
  });

  it("does not let alphabetical category order decide the primary", () => {
    const edge = byTitle(t, "Edgewright global outage");
    expect(edge).toMatchObject({ primaryClassId: "change.config-push", trigger: "config_push", externalId: "uuid:5f0c9a1e-2b7d-4c1a-9e3f-0a1b2c3d4e01" });
    expect(classesOf(t, edge.id)).toEqual([
      { id: "dependency", role: "contributing" },
      { id: "orchestration", role: "contributing" },
      { id: "change.config-push", role: "primary" },
    ]);
    // A cloud provider's own outage: "cloud" is weak evidence, the hardware it names is the cause.
    expect(byTitle(t, "Stratocloud object storage")).toMatchObject({ primaryClassId: "capacity.cpu-network-storage", trigger: "hardware" });
    expect(byTitle(t, "Allsorts")).toMatchObject({ primaryClassId: "change.config-push" });
    expect(byTitle(t, "Fjordhost")).toMatchObject({ primaryClassId: "capacity.cpu-network-storage" });
    expect(byTitle(t, "Pinecrest")).toMatchObject({ primaryClassId: "software.wrong-invariant" });
  });

  it("keeps every label on the incident as a source label, mapped or not", () => {
    const edge = byTitle(t, "Edgewright global outage");
    const labels = t.db.select().from(incidentSourceLabels).where(eq(incidentSourceLabels.incidentId, edge.id)).all();
    expect(labels.map((l) => [l.label, l.classId]).sort()).toEqual([
      ["automation", "orchestration"],
      ["cloud", "dependency"],
      ["config-change", "change.config-push"],
    ]);
    const api = t.db.select({ id: incidentSourceLabels.incidentId }).from(incidentSourceLabels).where(eq(incidentSourceLabels.key, "api")).all();
    expect(api).toHaveLength(2);
  });

  it("maps numeric and word severities by the documented rule, and refuses others naming the rule", () => {
    expect(byTitle(t, "Embeddings API timeouts").severity).toBe("SEV1");
    expect(byTitle(t, "Elevated error rates").severity).toBe("SEV4");
    expect([1, "2", "sev 3", "SEV-4", "P0", 5, "Critical", "minor", "none"].map((v) => severityFromText(v))).toEqual(["SEV1", "SEV2", "SEV3", "SEV4", "SEV1", "SEV4", "SEV1", "SEV3", "SEV4"]);
    expect([6, "banana", "sev9", 2.5].map((v) => severityFromText(v))).toEqual([null, null, null, null]);
    const fresh = freshDb();
    const text = fixture("status", "01hy0a1b.md").replace("severity: 1", "severity: 9");
    expect(() => importPublicPostmortem(fresh.db, text, IMPORTER, { source: "x.md" })).toThrow(
      /^x\.md: severity must be SEV1–SEV4, a number 0–5, P0–P5 or one of critical, major, high, medium, minor, low, none \(got 9\)$/,
    );
  });

  it("suggests a start time from the file when it has none, and refuses a file with no date at all", () => {
    const parcel = byTitle(t, "Parcelpath delivery");
    // "On February 5, 2024" in the text, before the write-up's source_published_at.
    expect(parcel).toMatchObject({ startedAt: Date.UTC(2024, 1, 5), startedAtStatus: "suggested" });
    expect(byTitle(t, "Edgewright").startedAtStatus).toBe("confirmed");
    const { files } = read("icco");
    const summary = importMarkdownFiles(freshDb().db, "public", files, IMPORTER);
    expect(summary.suggestedStarts).toMatchObject([{ file: "9c1b7e44-0d2a-4e6f-b3c5-22cc33dd44e3.md", at: Date.UTC(2024, 1, 5), from: 'the date in the text ("February 5, 2024")' }]);
    expect(summary.failed).toEqual([
      {
        file: "b2d4f6a8-1111-4222-8333-44dd55ee66f4.md",
        reason: "start_time is missing, and nothing in the file dates the incident",
        message: "b2d4f6a8-1111-4222-8333-44dd55ee66f4.md: start_time is missing, and nothing in the file dates the incident: add start_time (a day such as 2023-07-20 is enough)",
      },
    ]);
    // Confirming is a person's act: saving the incident's form.
    const p = t.db.select().from(incidents).where(eq(incidents.id, parcel.id)).get()!;
    const saved = updateIncident(t.db, p.id, p.version, { title: p.title, severity: p.severity, team: p.team, summary: p.summary, impact: p.impact, detectionSource: p.detectionSource, startedAt: p.startedAt, detectedAt: null, mitigatedAt: null, resolvedAt: p.resolvedAt }, { id: null, label: "a person" });
    expect(saved.ok).toBe(true);
    expect(t.db.select({ s: incidents.startedAtStatus }).from(incidents).where(eq(incidents.id, p.id)).get()).toEqual({ s: "confirmed" });
    // Once confirmed, importing the file again neither lists the start as suggested nor competes with the person.
    expect(importMarkdownFiles(t.db, "public", files, IMPORTER)).toMatchObject({ suggestedStarts: [], conflicts: [], updated: 0 });
  });

  it("makes a title for a file without one, from the company and the first sentence", () => {
    const fresh = freshDb();
    const text = fixture("icco", "b2d4f6a8-1111-4222-8333-44dd55ee66f4.md").replace("categories:", "start_time: 2022-04-01\ncategories:");
    const r = importPublicPostmortem(fresh.db, text, IMPORTER);
    expect(r).toMatchObject({ outcome: "created", title: "Tinkerbox: An expired signing key stopped every login for an afternoon.", classified: false, unmappedLabels: ["security"] });
    expect(r.warnings).toContain("title was missing: made one from the company and the first sentence (edit it in the app)");
  });

  it("returns the incidents it created or updated that are still unclassified", () => {
    const fresh = freshDb();
    const { files } = read("status");
    const summary = importMarkdownFiles(fresh.db, "public", files, IMPORTER);
    const unclassified = fresh.db.select({ id: incidents.id, c: incidents.primaryClassId }).from(incidents).all().filter((i) => i.c === null).map((i) => i.id);
    expect(summary.created).toBe(3);
    expect(summary.unclassified.sort()).toEqual(unclassified.sort());
    expect(importMarkdownFiles(fresh.db, "public", files, IMPORTER)).toMatchObject({ unchanged: 3, unclassified: [] });
  });
});

describe("identity and provenance", () => {
  const EDGE = "5f0c9a1e-2b7d-4c1a-9e3f-0a1b2c3d4e01.md";

  it("updates the same incident when the title or start time changed but the uuid did not", () => {
    const t = freshDb();
    const first = importPublicPostmortem(t.db, fixture("icco", EDGE), IMPORTER, { source: EDGE });
    const before = tableCounts(t);
    const edited = fixture("icco", EDGE)
      .replace("title: Edgewright global outage after a generated rules file doubled in size", "title: Edgewright global outage (corrected)")
      .replace("start_time: 2025-11-18T11:20:00Z", "start_time: 2025-11-18T11:28:00Z");
    const r = importPublicPostmortem(t.db, edited, IMPORTER, { source: EDGE });
    expect(r).toMatchObject({ outcome: "updated", incidentId: first.incidentId, conflicts: [] });
    expect(r.changed.sort()).toEqual(["started_at", "title"]);
    expect(tableCounts(t).incidents).toBe(before.incidents);
    expect(t.db.select().from(incidents).get()).toMatchObject({ title: "Edgewright global outage (corrected)", startedAt: Date.UTC(2025, 10, 18, 11, 28) });
  });

  it("keeps a person's correction of the class (and other fields) on re-import, reporting each as a conflict", () => {
    const t = freshDb();
    const { files } = read("icco");
    importMarkdownFiles(t.db, "public", files, IMPORTER);
    const edge = byTitle(t, "Edgewright");
    classifyIncident(t.db, edge.id, classificationSchema.parse({ primary: "orchestration.scheduler-error", contributing: ["change.config-push"], factors: ["factor.missing-canary"] }), IMPORTER);
    const cur = t.db.select().from(incidents).where(eq(incidents.id, edge.id)).get()!;
    expect(updateIncident(t.db, cur.id, cur.version, { title: cur.title, severity: "SEV1", team: "Edge platform", summary: cur.summary, impact: "", detectionSource: null, startedAt: cur.startedAt, detectedAt: null, mitigatedAt: null, resolvedAt: cur.resolvedAt }, IMPORTER).ok).toBe(true);

    // The source changed its summary meanwhile: that is applied. The person's class (and the trigger the classify
    // form cleared) and team are kept and reported; the severity too, silently, as the file gives none.
    const changed: MarkdownFile[] = files.map((f) => (f.name === EDGE ? { ...f, text: f.text.replace("summary: A permissions change", "summary: A database permissions change") } : f));
    const summary = importMarkdownFiles(t.db, "public", changed, IMPORTER);
    expect(summary).toMatchObject({ updated: 1 });
    expect(summary.conflicts.map((c) => [c.incidentId, c.field]).sort()).toEqual([
      [edge.id, "classes"],
      [edge.id, "team"],
      [edge.id, "trigger"],
    ]);
    const after = t.db.select().from(incidents).where(eq(incidents.id, edge.id)).get()!;
    expect(after).toMatchObject({ primaryClassId: "orchestration.scheduler-error", severity: "SEV1", team: "Edge platform", classStatus: "confirmed" });
    expect(after.summary).toMatch(/^A database permissions change/);
    expect(classesOf(t, edge.id)).toContainEqual({ id: "factor.missing-canary", role: "factor" });
    // And again: still reported, still kept, nothing else written.
    const counts = tableCounts(t);
    expect(importMarkdownFiles(t.db, "public", changed, IMPORTER)).toMatchObject({ updated: 0, unchanged: 5, conflicts: [{ field: "classes" }, { field: "team" }, { field: "trigger" }] });
    expect(tableCounts(t)).toEqual(counts);
  });

  it("matches files without an id on title and start time", () => {
    const t = freshDb();
    const text = fixture("danluu", "2019-allsorts-config.md").replace(/^url: .*\n/m, "");
    const r = importPublicPostmortem(t.db, text, IMPORTER);
    expect(t.db.select({ e: incidents.externalId }).from(incidents).get()).toEqual({ e: null });
    expect(importPublicPostmortem(t.db, text.replace("company: Allsorts\n", "company: Allsorts\nseverity: major\n"), IMPORTER)).toMatchObject({ outcome: "updated", incidentId: r.incidentId, changed: ["severity"] });
  });
});

describe("public postmortems (older fixtures)", () => {
  let t: TestDb;
  let files: MarkdownFile[];

  beforeAll(() => {
    t = freshDb();
    files = readMarkdownFolder(FIXTURES).files;
  });

  it("imports the folder: closed incidents, team from company, classes by rule, unmapped labels reported", () => {
    expect(files).toHaveLength(5);
    const summary = importMarkdownFiles(t.db, "public", files, IMPORTER);
    expect(summary).toMatchObject({ files: 5, created: 5, updated: 0, unchanged: 0, failed: [] });
    expect(summary.unmappedLabels).toEqual({ "human-error": 1, Notifications: 1, security: 1 });

    const dns = byTitle(t, "A resolver config push");
    expect(dns).toMatchObject({
      status: "closed",
      severity: "SEV3",
      team: "Quillbyte",
      startedAt: Date.UTC(2021, 1, 3, 14, 6),
      resolvedAt: Date.UTC(2021, 1, 3, 15, 40),
      trigger: "config_push",
      primaryClassId: "change.config-push",
      topClassId: "change",
      family: "non-ml",
      source: "manual",
      externalId: "url:https://engineering.quillbyte.example/postmortems/2021-02-03-dns",
    });
    expect(dns.postmortemMd.endsWith("2. Health checks resolve names the way customers do.\n\nSource: https://engineering.quillbyte.example/postmortems/2021-02-03-dns\n")).toBe(true);
    expect(classesOf(t, dns.id)).toEqual([
      { id: "capacity.cpu-network-storage", role: "contributing" },
      { id: "change.config-push", role: "primary" },
    ]);
    expect(byTitle(t, "Harborline")).toMatchObject({ trigger: "capacity", primaryClassId: "capacity" });
    expect(byTitle(t, "Tessellate")).toMatchObject({ severity: "SEV1", startedAt: Date.UTC(2022, 10, 9, 18, 30), trigger: "binary_push", primaryClassId: "change.binary-push" });
    expect(byTitle(t, "Orchard Health")).toMatchObject({ resolvedAt: null, primaryClassId: "software.wrong-invariant", trigger: null });
    const pay = byTitle(t, "Nimbus Kitchens");
    // "third-party" names the cause; cloud and upstream only point at its parent, which the primary implies.
    expect(classesOf(t, pay.id)).toEqual([{ id: "dependency.third-party-change", role: "primary" }]);
    expect(pay.trigger).toBe("provider_change");
    const audit = t.db.$client.prepare("select detail from audit_log where action = 'import' and entity = 'incident'").all() as { detail: string }[];
    expect(audit).toHaveLength(5);
    expect(JSON.parse(audit[0].detail)).toMatchObject({ format: "public", outcome: "created", file: files[0].name });
  });

  it("is idempotent on re-run", () => {
    const before = tableCounts(t);
    const summary = importMarkdownFiles(t.db, "public", readMarkdownFolder(FIXTURES).files, IMPORTER);
    expect(summary).toMatchObject({ created: 0, updated: 0, unchanged: 5, failed: [], conflicts: [] });
    expect(tableCounts(t)).toEqual(before);
  });

  it("updates what the file states when it changed, keeping what people added", () => {
    const file = files.find((f) => f.name.includes("orchard"))!;
    const clock = byTitle(t, "Orchard Health");
    classifyIncident(t.db, clock.id, classificationSchema.parse({ primary: "software.wrong-invariant", factors: ["factor.tribal-knowledge"] }), IMPORTER);
    const edited = file.text.replace("categories:\n", "end_time: 2023-03-27 09:00\ncategories:\n");
    const r = importPublicPostmortem(t.db, edited, IMPORTER, { source: file.name });
    expect(r).toMatchObject({ outcome: "updated", changed: ["resolved_at"], conflicts: [] });
    expect(byTitle(t, "Orchard Health").resolvedAt).toBe(Date.UTC(2023, 2, 27, 9));
    expect(classesOf(t, clock.id)).toEqual([
      { id: "factor.tribal-knowledge", role: "factor" },
      { id: "software.wrong-invariant", role: "primary" },
    ]);
    expect(importPublicPostmortem(t.db, edited, IMPORTER).outcome).toBe("unchanged");
  });

  it("reports every problem of a malformed file at once, by name and field, importing the good ones and nothing of the bad", () => {
    const dir = tmpDir();
    const good = fs.readFileSync(path.join(FIXTURES, "2021-02-03-quillbyte-dns-outage.md"), "utf8");
    const bad: Record<string, RegExp> = {
      "no-front-matter.md": /^no-front-matter\.md: front matter is missing/,
      "bad-date.md": /^bad-date\.md: start_time must be a date and time .*"the third of February"/,
      "no-start.md": /^no-start\.md: start_time is missing, and nothing in the file dates the incident/,
      "end-first.md": /^end-first\.md: end_time must not be before start_time/,
      "categories-number.md": /^categories-number\.md: categories must be a list \(got 5\)/,
      "category-object.md": /^category-object\.md: categories\[0\] must be text \(got a mapping\)/,
      "title-list.md": /^title-list\.md: title must be text \(got a list\)/,
      "too-long.md": /^too-long\.md: title is 250 characters long: the limit is 200/,
      "no-date-bad-severity.md": /^no-date-bad-severity\.md: severity must be SEV1–SEV4.*\(got "meh"\); start_time is missing, and nothing in the file dates the incident/,
      "many.md": /^many\.md: title must be text \(got a list\); start_time must be a date and time like .*\(got "soon"\); severity must be SEV1–SEV4.*\(got "meh"\); categories\[1\] must be text \(got 7\)$/,
    };
    const texts: Record<string, string> = {
      "no-front-matter.md": "# Just a heading\n\nNo front matter here.\n",
      "bad-date.md": good.replace("start_time: 2021-02-03 14:06", "start_time: the third of February"),
      "no-start.md": good.replace("start_time: 2021-02-03 14:06\n", "").replace("end_time: 2021-02-03 15:40\n", ""),
      "end-first.md": good.replace("end_time: 2021-02-03 15:40", "end_time: 2021-02-03 13:40"),
      "categories-number.md": good.replace(/categories:\n  - dns\n  - config-change\n/, "categories: 5\n"),
      "category-object.md": good.replace("  - dns\n", "  - {name: dns}\n"),
      "title-list.md": good.replace(/^title: .*$/m, "title: [a, b]"),
      "too-long.md": good.replace(/^title: .*$/m, `title: ${"x".repeat(250)}`),
      "no-date-bad-severity.md": good.replace("start_time: 2021-02-03 14:06\n", "").replace("end_time: 2021-02-03 15:40\n", "").replace("company:", "severity: meh\ncompany:"),
      "many.md": good.replace(/^title: .*$/m, "title: [a, b]").replace("start_time: 2021-02-03 14:06", "start_time: soon").replace("  - config-change\n", "  - config-change\n  - 7\n").replace("company:", "severity: meh\ncompany:").replace("  - dns\n  - config-change\n  - 7", "  - dns\n  - 7"),
    };
    for (const [name, text] of Object.entries(texts)) fs.writeFileSync(path.join(dir, name), text);
    fs.writeFileSync(path.join(dir, "good.md"), good.replace("title: A resolver", "title: Another resolver").replace(/^url: .*\n/m, ""));
    const fresh = freshDb();
    const before = tableCounts(fresh);
    const summary = importMarkdownFiles(fresh.db, "public", readMarkdownFolder(dir).files, IMPORTER);
    expect(summary.created).toBe(1);
    expect(summary.failed.map((f) => f.file).sort()).toEqual(Object.keys(bad).sort());
    for (const f of summary.failed) expect(f.message, f.file).toMatch(bad[f.file]);
    const after = tableCounts(fresh);
    expect(after.incidents).toBe(before.incidents + 1);
    expect(after.audit_log).toBe(before.audit_log + 1);
  });
});
