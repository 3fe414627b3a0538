// Faultline Markdown: export, import, round trips and malformed files (JSON is portability-json.test.ts, public postmortems import-public.test.ts).
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts, incidentClasses, incidents, postmortemRevisions, timelineEvents } from "../../db/schema";
import { importIncidentMarkdown } from "~/domain/portability/faultline-import.server";
import { exportMarkdownFiles, incidentToMarkdown } from "~/domain/portability/faultline-markdown.server";
import { ImportError } from "~/domain/portability/fields.server";
import { importMarkdownFiles, type MarkdownFile } from "~/domain/portability/folder.server";
import { importPublicPostmortem } from "~/domain/portability/public-markdown.server";
import { IMPORTER, POSTMORTEM, addUser, buildSource, cleanupAll, freshDb, run, tableCounts, thrown, tmpDir, withoutId } from "../helpers/portability";
import type { TestDb } from "../helpers/db";

let src: TestDb;
let richId: number;
let draftId: number;

beforeAll(() => ({ src, richId, draftId } = buildSource()));

afterAll(() => cleanupAll());

describe("incidentToMarkdown", () => {
  it("writes versioned front matter with every structured field, then the postmortem byte for byte", () => {
    const md = incidentToMarkdown(src.db, richId);
    expect(md.startsWith(`---\nfaultline: 1\nid: ${richId}\ntitle: "Fraud scores went NaN after a config push: checkout declines"\n`)).toBe(true);
    expect(md.endsWith(`---\n${POSTMORTEM}`)).toBe(true);
    for (const line of [
      "status: in_review",
      "severity: SEV2",
      "team: risk-ml",
      "detection_source: alert",
      "started_at: 2026-03-03T09:00:00.000Z",
      "detected_at: 2026-03-03T09:12:00.000Z",
      "mitigated_at: 2026-03-03T09:38:00.000Z",
      "resolved_at: 2026-03-03T10:05:00.000Z",
      "trigger: config_push",
      "lifecycle_stage: evaluation_deployment",
      "source: manual",
      "group_key: null",
      "owner: alice@example.com",
      "  primary: change.config-push",
      "    - data.corruption",
      "    - factor.missing-canary",
      "  - title: Canary config pushes for fraud-scoring",
      "    status: done",
      "    due_at: 2026-03-20T00:00:00.000Z",
      "    role: suspected_cause",
      "    role: rolled_back_to",
      '    version: "2.10"',
      "    fingerprint: fraud-nan/eu",
      "    rule: FraudScoreNaN",
      "      region: eu-west-1",
    ]) {
      expect(md, line).toContain(`\n${line}\n`);
    }
    // The summary survives YAML exactly, and no line of the front matter is a bare fence.
    const front = md.slice(4, md.indexOf("\n---\n") + 1);
    expect(front).toContain("summary: |-\n");
    expect(front.split("\n").filter((l) => l === "---")).toHaveLength(0);
  });

  it("points the webhook draft's timeline at alerts by sender and fingerprint", () => {
    const md = incidentToMarkdown(src.db, draftId);
    expect(md).toContain("\nstatus: draft\n");
    expect(md).toContain("\nsource: webhook\n");
    expect(md).toContain("\ngroup_key: fraud-nan\n");
    expect(md).toContain("    alert:\n      sender: generic\n      fingerprint: fraud-nan/eu\n");
    expect(md).toContain("\nowner: null\n");
  });
});

describe("Faultline Markdown round trip", () => {
  let dst: TestDb;
  let files: MarkdownFile[];

  beforeAll(() => {
    dst = freshDb();
    addUser(dst, "alice@example.com");
    files = [...exportMarkdownFiles(src.db)];
  });

  it("names files by start date and title, independent of ids", () => {
    expect(files.map((f) => f.name)).toEqual([
      "2026-03-03-fraud-scores-went-nan-after-a-config-push-checkout-declines.md",
      "2026-03-03-nan-scores-from-fraud-scoring-2-10.md",
    ]);
  });

  it("imports into a fresh database and exports byte-identical Markdown (ids aside)", () => {
    const summary = importMarkdownFiles(dst.db, "faultline", files, IMPORTER);
    expect(summary).toMatchObject({ files: 2, created: 2, updated: 0, unchanged: 0, failed: [], warnings: [] });
    const again = [...exportMarkdownFiles(dst.db)];
    expect(again.map((f) => f.name)).toEqual(files.map((f) => f.name));
    for (const [i, f] of again.entries()) expect(withoutId(f.text)).toBe(withoutId(files[i].text));
  });

  it("gives the same result whatever the order of the files (a timeline may point at an alert of a later file)", () => {
    const t = freshDb();
    addUser(t, "alice@example.com");
    const reversed = [...files].reverse();
    expect(importMarkdownFiles(t.db, "faultline", reversed, IMPORTER)).toMatchObject({ created: 2, failed: [], warnings: [] });
    const again = [...exportMarkdownFiles(t.db)];
    for (const [i, f] of again.entries()) expect(withoutId(f.text)).toBe(withoutId(files[i].text));
    expect(importMarkdownFiles(t.db, "faultline", reversed, IMPORTER)).toMatchObject({ unchanged: 2 });
  });

  it("rebuilds the rows behind the file: revision, derived class columns, alert links, created model versions", () => {
    const rich = dst.db.select().from(incidents).where(eq(incidents.title, "Fraud scores went NaN after a config push: checkout declines")).get()!;
    expect(rich).toMatchObject({ primaryClassId: "change.config-push", topClassId: "change", family: "non-ml", postmortemMd: POSTMORTEM, postmortemRev: 1, status: "in_review" });
    expect(dst.db.select().from(postmortemRevisions).where(eq(postmortemRevisions.incidentId, rich.id)).all()).toMatchObject([{ rev: 1, markdown: POSTMORTEM }]);
    const nan = dst.db.select().from(alerts).where(eq(alerts.fingerprint, "fraud-nan/eu")).get()!;
    expect(nan.incidentId).toBe(rich.id);
    expect(nan.modelVersionId).not.toBeNull();
    const draft = dst.db.select().from(incidents).where(eq(incidents.source, "webhook")).get()!;
    const refs = dst.db.select({ alertId: timelineEvents.alertId }).from(timelineEvents).where(eq(timelineEvents.incidentId, draft.id)).all();
    expect(refs.map((r) => r.alertId)).toContain(nan.id);
    // FTS follows the imported text.
    expect(dst.db.$client.prepare("select count(*) as n from incidents_fts where incidents_fts match 'nan_guard'").get()).toEqual({ n: 1 });
    expect(dst.db.$client.prepare("select action, count(*) as n from audit_log group by action").all()).toEqual([{ action: "import", n: 2 }]);
  });

  it("is idempotent: importing the same files (or the re-export) again writes nothing", () => {
    const before = tableCounts(dst);
    const maxAudit = (dst.db.$client.prepare("select max(id) as m from audit_log").get() as { m: number }).m;
    expect(importMarkdownFiles(dst.db, "faultline", files, IMPORTER)).toMatchObject({ created: 0, updated: 0, unchanged: 2, failed: [] });
    expect(importMarkdownFiles(dst.db, "faultline", [...exportMarkdownFiles(dst.db)], IMPORTER)).toMatchObject({ unchanged: 2 });
    expect(tableCounts(dst)).toEqual(before);
    expect((dst.db.$client.prepare("select max(id) as m from audit_log").get() as { m: number }).m).toBe(maxAudit);
  });

  it("updates the matching incident (by title and start) when a file changed, without duplicating it", () => {
    const f = files[0];
    const edited = f.text.replace("impact: About 40%", "impact: About 45%").replace(/  - title: Alert on NaN share[\s\S]*?completed_at: null\n/, "");
    expect(edited).not.toBe(f.text);
    const before = tableCounts(dst);
    const r = importIncidentMarkdown(dst.db, edited, IMPORTER, { source: f.name });
    expect(r.outcome).toBe("updated");
    const after = tableCounts(dst);
    expect(after.incidents).toBe(before.incidents);
    expect(after.action_items).toBe(before.action_items - 1);
    expect(after.audit_log).toBe(before.audit_log + 1);
    expect(withoutId(incidentToMarkdown(dst.db, r.incidentId))).toBe(withoutId(edited));
    expect(importIncidentMarkdown(dst.db, edited, IMPORTER).outcome).toBe("unchanged");
    // And back, so later tests see the original.
    expect(importIncidentMarkdown(dst.db, f.text, IMPORTER).outcome).toBe("updated");
  });

  it("leaves unknown classes out (reported) and unknown users empty, and stays idempotent", () => {
    const t = freshDb();
    const text = files[0].text.replace("  primary: change.config-push\n", "  primary: made-up.class\n").replace("    - data.corruption\n", "    - data.made-up\n");
    const r = importIncidentMarkdown(t.db, text, IMPORTER, { source: "x.md" });
    expect(r.outcome).toBe("created");
    expect(r.unknownClasses.sort()).toEqual(["data.made-up", "made-up.class"]);
    expect(r.warnings.join("\n")).toMatch(/left unclassified/);
    expect(r.warnings.join("\n")).toMatch(/alice@example\.com is not a user here/);
    expect(t.db.select().from(incidentClasses).all()).toEqual([]);
    expect(t.db.select().from(incidents).get()).toMatchObject({ primaryClassId: null, ownerId: null });
    const before = tableCounts(t);
    expect(importIncidentMarkdown(t.db, text, IMPORTER).outcome).toBe("unchanged");
    expect(tableCounts(t)).toEqual(before);
  });

  it("does not take an alert away from the incident it belongs to", () => {
    const t = freshDb();
    const other = importIncidentMarkdown(t.db, files[0].text, IMPORTER).incidentId;
    const copy = files[0].text.replace('title: "Fraud scores went NaN', 'title: "Copy: fraud scores went NaN');
    const r = importIncidentMarkdown(t.db, copy, IMPORTER);
    expect(r.outcome).toBe("created");
    expect(r.warnings).toContain(`alert generic fraud-nan/eu belongs to incident #${other}: left there`);
    expect(t.db.select({ incidentId: alerts.incidentId }).from(alerts).get()!.incidentId).toBe(other);
  });
});

describe("what an import added, through a Faultline round trip", () => {
  it("keeps the source id, source labels, a suggested start and a suggested class status", () => {
    const a = freshDb();
    const pub = fs.readFileSync(path.resolve("tests/fixtures/corpora/icco/9c1b7e44-0d2a-4e6f-b3c5-22cc33dd44e3.md"), "utf8");
    const { incidentId } = importPublicPostmortem(a.db, pub, IMPORTER);
    // As the class suggester (issue 12) will leave it: a class no person has confirmed yet.
    a.db.update(incidents).set({ classStatus: "suggested" }).where(eq(incidents.id, incidentId)).run();
    const md = incidentToMarkdown(a.db, incidentId);
    for (const line of ["external_id: uuid:9c1b7e44-0d2a-4e6f-b3c5-22cc33dd44e3", "started_at_status: suggested", "  status: suggested", "  - automation", "  - data-drift"]) {
      expect(md, line).toContain(`\n${line}\n`);
    }
    const b = freshDb();
    expect(importIncidentMarkdown(b.db, md, IMPORTER).outcome).toBe("created");
    const copy = b.db.select().from(incidents).get()!;
    expect(copy).toMatchObject({ externalId: "uuid:9c1b7e44-0d2a-4e6f-b3c5-22cc33dd44e3", startedAtStatus: "suggested", classStatus: "suggested", primaryClassId: "data.natural-drift" });
    expect(withoutId(incidentToMarkdown(b.db, copy.id))).toBe(withoutId(md));
    // The id finds it again, though the title changed in the file.
    expect(importIncidentMarkdown(b.db, md.replace("title: Parcelpath delivery estimates", "title: Parcelpath's delivery estimates"), IMPORTER)).toMatchObject({ outcome: "updated", incidentId: copy.id, changed: ["title"] });
  });
});

describe("malformed Faultline files", () => {
  const good = () => withoutId([...exportMarkdownFiles(src.db)][0].text);

  const cases: [string, (s: string) => string, string, RegExp][] = [
    ["no front matter", (s) => s.slice(4), "front matter", /is missing/],
    ["an unclosed fence", () => "---\nfaultline: 1\ntitle: Never closed\n", "front matter", /not closed/],
    ["invalid YAML", (s) => s.replace("severity: SEV2\n", "severity: [SEV2\n"), "front matter", /not valid YAML/],
    ["a public postmortem", (s) => s.replace("faultline: 1\n", ""), "faultline", /not a Faultline export/],
    ["an unknown format version", (s) => s.replace("faultline: 1\n", "faultline: 2\n"), "faultline", /must be one of 1/],
    ["a bad severity", (s) => s.replace("severity: SEV2\n", "severity: SEV9\n"), "severity", /must be one of SEV1, SEV2, SEV3, SEV4 \(got "SEV9"\)/],
    ["a bad date", (s) => s.replace("started_at: 2026-03-03T09:00:00.000Z", "started_at: yesterday"), "started_at", /must be a date and time/],
    ["an impossible date", (s) => s.replace("resolved_at: 2026-03-03T10:05:00.000Z", "resolved_at: 2026-02-30T10:05:00Z"), "resolved_at", /must be a date and time/],
    ["a bad timeline time", (s) => s.replace("  - at: 2026-03-03T09:38:00.000Z", "  - at: 38 minutes later"), "timeline[1].at", /must be a date/],
    ["a wrong type", (s) => s.replace("team: risk-ml\n", "team: [risk, ml]\n"), "team", /must be text \(got a list\)/],
    ["a number as text", (s) => s.replace("    owner: r.osei\n", "    owner: 42\n"), "action_items[0].owner", /must be text \(got 42\)/],
    ["an unknown key", (s) => s.replace("team: risk-ml\n", "team: risk-ml\nteam_name: risk\n"), "team_name", /is not a known key/],
    ["a missing title", (s) => s.replace(/^title: .*\n/m, ""), "title", /is required/],
    ["detection before the start", (s) => s.replace("detected_at: 2026-03-03T09:12:00.000Z", "detected_at: 2026-03-03T08:12:00.000Z"), "detected_at", /must not be before started_at/],
  ];

  it.each(cases)("refuses %s, naming the file and the field", (_label, mutate, field, problem) => {
    const t = freshDb();
    const text = mutate(good());
    const err = thrown(() => importIncidentMarkdown(t.db, text, IMPORTER, { source: "broken.md" }));
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).field).toBe(field);
    expect(err.message).toMatch(/^broken\.md: /);
    expect(err.message).toMatch(problem);
    expect(tableCounts(t).incidents).toBe(0);
  });

  it("writes nothing of a file that fails half-way (one transaction per file)", () => {
    const t = freshDb();
    // A failure after the incident, classes and timeline rows were written.
    t.db.$client.exec(`create temp trigger explode before insert on action_items when new.title like 'Alert on NaN%'
      begin select raise(abort, 'simulated failure'); end`);
    const before = tableCounts(t);
    const summary = importMarkdownFiles(t.db, "faultline", [{ name: "rich.md", text: good() }], IMPORTER);
    expect(summary.failed).toMatchObject([{ file: "rich.md", message: "rich.md: simulated failure" }]);
    expect(tableCounts(t)).toEqual(before);
  });

  it("refuses two files describing the same incident in one run", () => {
    const t = freshDb();
    const text = good();
    const summary = importMarkdownFiles(t.db, "faultline", [{ name: "a.md", text }, { name: "b.md", text: text.replace("severity: SEV2", "severity: SEV1") }], IMPORTER);
    expect(summary.created).toBe(1);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0].message).toMatch(/^b\.md: title and start time \(or id\) match another file/);
  });
});

describe("npm run export / import --markdown (child processes)", () => {
  it("round-trips a database through a folder of Markdown, with progress on stderr and a summary", () => {
    const dir = tmpDir();
    const out = path.join(dir, "md");
    const target = path.join(dir, "copy.db");

    const exp = run("scripts/export.ts", ["--db", src.file, "--markdown", out]);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stderr).toContain("incidents: 2/2 (100%)");
    expect(exp.stdout).toMatch(/^Exported 2 incidents from .* to .*md in [\d.]+ s\n$/);
    const written = fs.readdirSync(out).sort();
    expect(written).toEqual([...exportMarkdownFiles(src.db)].map((f) => f.name));

    const imp = run("scripts/import.ts", ["--db", target, "--markdown", out]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stderr).toContain("files: 2/2 (100%)");
    expect(imp.stdout).toMatch(/created\s+2\n/);
    expect(imp.stdout).toMatch(/unchanged\s+0\n/);
    // The copy has no users: the owner and authors are noted once, with the number of files.
    expect(imp.stdout).toMatch(/note: .*alice@example\.com is not a user here: left out as owner or author/);

    const again = run("scripts/import.ts", ["--db", target, "--markdown", out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/created\s+0\n\s+updated\s+0\n\s+unchanged\s+2\n\s+refused\s+0\n/);

    const usage = run("scripts/import.ts", ["--db", target]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Usage: npm run import --");
  });
});
