import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts, incidentClasses, incidents, postmortemRevisions, timelineEvents, users, type User } from "../../db/schema";
import { actionInputSchema, addActionItem, setActionStatus } from "~/domain/actions.server";
import { linkAlert, receiveDelivery } from "~/domain/alerts.server";
import { type Actor } from "~/domain/audit.server";
import { createSession } from "~/domain/auth.server";
import { classificationSchema, classifyIncident } from "~/domain/classification.server";
import { createIncident, incidentInputSchema } from "~/domain/incidents.server";
import { changeStatus } from "~/domain/lifecycle.server";
import { linkVersion, registerVersion, versionInputSchema } from "~/domain/models.server";
import {
  CATEGORY_MAP,
  DATABASE_FORMAT,
  ImportError,
  exportDatabaseJson,
  exportDatabaseJsonText,
  exportMarkdownFiles,
  importDatabaseJson,
  importIncidentMarkdown,
  importMarkdownFiles,
  importPublicPostmortem,
  incidentToMarkdown,
  readMarkdownFolder,
  readTextChunks,
  type DatabaseExport,
  type MarkdownFile,
} from "~/domain/portability.server";
import { savePostmortem } from "~/domain/postmortems.server";
import { loadTaxonomy, syncTaxonomy } from "~/domain/taxonomy.server";
import { addTimelineEvent } from "~/domain/timeline.server";
import { createToken } from "~/domain/tokens.server";
import { parseWebhook } from "~/webhooks/index";
import { makeTestDb, type TestDb } from "../helpers/db";

const FIXTURES = path.resolve("tests/fixtures/public-postmortems");
const IMPORTER: Actor = { id: null, label: "import" };
const WEBHOOK: Actor = { id: null, label: "token:alerts" };

const opened: TestDb[] = [];
const tmpDirs: string[] = [];

/** A migrated database with the real taxonomy synced, as the app has it after start-up. */
function freshDb(): TestDb {
  const t = makeTestDb();
  opened.push(t);
  syncTaxonomy(t.db, loadTaxonomy());
  return t;
}

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-portability-"));
  tmpDirs.push(dir);
  return dir;
}

function addUser(t: TestDb, email: string): User {
  return t.db.insert(users).values({ email, name: email, role: "editor", passwordHash: `scrypt$not-a-real-hash-for-${email}` }).returning().get();
}

/** Every table's row count (derived FTS shadow tables and migrations left out): what "changes nothing" is checked against. */
function tableCounts(t: TestDb): Record<string, number> {
  const names = t.db.$client
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'incidents_fts%' and name not like '__drizzle%' order by name")
    .all() as { name: string }[];
  return Object.fromEntries(names.map(({ name }) => [name, (t.db.$client.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n]));
}

const withoutId = (text: string) => text.replace(/^id: \d+\n/m, "");

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

/** A database export as JSON text in one piece. */
const jsonText = (v: unknown) => [JSON.stringify(v)];

/** The text in pieces of 1, 2, … 7 characters in turn, so boundaries fall inside strings, escapes and surrogate pairs. */
function* smallPieces(text: string): Generator<string> {
  for (let i = 0, n = 1; i < text.length; i += n, n = (n % 7) + 1) yield text.slice(i, i + n);
}

const MIN = 60_000;
const START = Date.UTC(2026, 2, 3, 9, 0);

// Text that tries hard to break YAML and the front-matter fence: quotes, colons, '#', a '---' line, leading and
// trailing spaces, tabs, non-Latin script, an empty line and no trailing newline.
const TRICKY_SUMMARY = 'fraud-scoring "v2.10" scored NaN: 40% of checkouts # not a comment\n---\n  indented line  \n\ttabbed\n\nпроверка ✓';
const POSTMORTEM = `
---
title: not front matter
---

## Summary

A config push flipped \`nan_guard: false\` on fraud-scoring 2.10.   

## Timeline
- 09:00 push
- 09:12 alert`;

const GENERIC_BODY = JSON.stringify({
  alerts: [
    {
      name: "FraudScoreNaN",
      status: "firing",
      severity: "critical",
      fingerprint: "fraud-nan/eu",
      labels: { model: "fraud-scoring", model_version: "2.10", region: "eu-west-1", team: "risk-ml" },
      annotations: { summary: "NaN scores from fraud-scoring 2.10", description: "Share of NaN scores above 1%.\nRunbook: https://runbooks.example/fraud-nan" },
      startsAt: "2026-03-03T09:10:00Z",
      group: "fraud-nan",
    },
    {
      name: "CheckoutDeclineRateHigh",
      status: "firing",
      severity: "warning",
      labels: { service: "checkout", code: "402" },
      startsAt: "2026-03-03T09:11:30Z",
      group: "fraud-nan",
    },
  ],
});

let src: TestDb;
let alice: User;
let asAlice: Actor;
let richId: number;
let draftId: number;

/** The source database: a rich, hand-written incident and a webhook draft whose timeline points at an alert of the other. */
function buildSource(): void {
  src = freshDb();
  alice = addUser(src, "alice@example.com");
  asAlice = { id: alice.id, label: alice.email };

  richId = createIncident(
    src.db,
    incidentInputSchema.parse({
      title: "Fraud scores went NaN after a config push: checkout declines",
      severity: "SEV2",
      team: "risk-ml",
      summary: TRICKY_SUMMARY,
      impact: "About 40% of checkouts in eu-west-1 were declined for 38 minutes.",
      detectionSource: "alert",
      startedAt: "2026-03-03T09:00",
      detectedAt: "2026-03-03T09:12",
      mitigatedAt: "2026-03-03T09:38",
      resolvedAt: "2026-03-03T10:05",
    }),
    asAlice,
  );
  changeStatus(src.db, richId, "in_review", asAlice);
  classifyIncident(
    src.db,
    richId,
    classificationSchema.parse({
      primary: "change.config-push",
      contributing: ["data.corruption", "software.wrong-invariant"],
      factors: ["factor.missing-canary"],
      trigger: "config_push",
      lifecycleStage: "evaluation_deployment",
    }),
    asAlice,
  );
  addTimelineEvent(src.db, richId, { at: START, kind: "deploy", body: "Config push: nan_guard: false" }, asAlice);
  addTimelineEvent(src.db, richId, { at: START + 38 * MIN, kind: "rollback", body: "Rolled the config back.\nDeclines recovered within 2 minutes." }, asAlice);
  // Two entries at the same minute: their order must survive the round trip.
  addTimelineEvent(src.db, richId, { at: START + 38 * MIN, kind: "note", body: "Second entry at the same time" }, asAlice);
  const a1 = addActionItem(src.db, richId, actionInputSchema.parse({ title: "Canary config pushes for fraud-scoring", owner: "r.osei", dueAt: "2026-03-20", kind: "prevent" }), asAlice);
  addActionItem(src.db, richId, actionInputSchema.parse({ title: "Alert on NaN share per model version", owner: "", dueAt: "", kind: "detect" }), asAlice);
  setActionStatus(src.db, richId, a1, "done", asAlice);
  expect(savePostmortem(src.db, richId, 0, "first draft", asAlice).ok).toBe(true);
  expect(savePostmortem(src.db, richId, 1, POSTMORTEM, asAlice).ok).toBe(true);

  const v210 = registerVersion(src.db, "fraud-scoring", versionInputSchema.parse({ version: "2.10", deployedAt: "2026-03-01T12:00", codeRef: "9f2c1e0" }), asAlice).versionId;
  const v29 = registerVersion(src.db, "fraud-scoring", versionInputSchema.parse({ version: "2.9", status: "backup", deployedAt: "2026-02-01T12:00" }), asAlice).versionId;
  linkVersion(src.db, richId, v210, "suspected_cause", asAlice);
  linkVersion(src.db, richId, v29, "rolled_back_to", asAlice);

  const received = receiveDelivery(
    src.db,
    { sender: "generic", headers: { "content-type": "application/json" }, body: GENERIC_BODY, tokenId: null },
    parseWebhook("generic", JSON.parse(GENERIC_BODY)),
    WEBHOOK,
    START + 12 * MIN,
  );
  expect(received.opened).toHaveLength(1);
  draftId = received.opened[0];
  // The NaN alert moves to the hand-written incident; the draft's timeline keeps pointing at it.
  const nanAlert = src.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.fingerprint, "fraud-nan/eu")).get()!;
  linkAlert(src.db, nanAlert.id, richId, asAlice);
  createToken(src.db, { name: "alertmanager", scope: "webhook" }, asAlice);
  createSession(src.db, alice.id);
}

beforeAll(() => buildSource());

afterAll(() => {
  for (const t of opened) t.cleanup();
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

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
    expect(summary.failed).toEqual([{ file: "rich.md", message: "rich.md: simulated failure" }]);
    expect(tableCounts(t)).toEqual(before);
  });

  it("refuses two files describing the same incident in one run", () => {
    const t = freshDb();
    const text = good();
    const summary = importMarkdownFiles(t.db, "faultline", [{ name: "a.md", text }, { name: "b.md", text: text.replace("severity: SEV2", "severity: SEV1") }], IMPORTER);
    expect(summary.created).toBe(1);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0].message).toMatch(/^b\.md: title and start time match another file/);
  });
});

describe("database JSON", () => {
  let exported: DatabaseExport;

  beforeAll(() => {
    exported = exportDatabaseJson(src.db);
  });

  it("has a format version and every table but sessions, with password hashes but no token hashes", () => {
    expect(exported.format).toBe(DATABASE_FORMAT);
    expect(exported.version).toBe(1);
    expect(Object.keys(exported.tables)).not.toContain("sessions");
    expect(Object.keys(exported.tables)).not.toContain("alert_rule_days");
    expect(exported.tables.users[0].password_hash).toMatch(/^scrypt\$/);
    expect(exported.tables.api_tokens).toHaveLength(1);
    expect(exported.tables.api_tokens[0]).not.toHaveProperty("token_hash");
    expect(exported.tables.incidents).toHaveLength(2);
    // Parents before children.
    const order = Object.keys(exported.tables);
    expect(order.indexOf("users")).toBeLessThan(order.indexOf("incidents"));
    expect(order.indexOf("incidents")).toBeLessThan(order.indexOf("alerts"));
    expect(order.indexOf("model_versions")).toBeLessThan(order.indexOf("alerts"));
  });

  it("streams the same export as text", () => {
    expect(JSON.parse([...exportDatabaseJsonText(src.db)].join(""))).toEqual(exported);
  });

  /** The copy exports as `expected`, but for two documented differences. */
  function expectCopyOf(t: TestDb, expected: DatabaseExport): void {
    const { audit_log: auditAgain, api_tokens: tokensAgain, ...restAgain } = exportDatabaseJson(t.db).tables;
    const { audit_log: audit, api_tokens: tokens, ...rest } = expected.tables;
    expect(restAgain).toEqual(rest);
    // The import's own audit entry, and tokens come back revoked (no secret to check).
    expect(auditAgain.slice(0, -1)).toEqual(audit);
    expect(auditAgain.at(-1)).toMatchObject({ action: "import", entity: "database", actor_label: "import" });
    expect(tokensAgain.map(({ revoked_at, ...r }) => r)).toEqual(tokens.map(({ revoked_at, ...r }) => r));
    expect(tokensAgain.every((r) => typeof r.revoked_at === "number")).toBe(true);
  }

  const rowCounts = (e: DatabaseExport) => Object.fromEntries(Object.entries(e.tables).map(([name, rows]) => [name, rows.length]));

  // Everything that could end a string, a row or a table early, escapes, and characters of 2, 3 and 4 UTF-8 bytes.
  const TRICKY = 'braces } ] { [ "quoted": a back\\slash, \\" and \\u0041 as text, a new\nline, a\ttab, \u2028, ü, 中文, 🚨🧯 and 𝔘';

  /** The export with tricky text in incidents and the timeline. */
  function trickyExport(): DatabaseExport {
    const e = structuredClone(exported);
    e.tables.incidents[0].impact = TRICKY;
    e.tables.timeline_events[0].body = `${TRICKY}}`;
    e.tables.users[0].name = `"${TRICKY}"`;
    return e;
  }

  /** The same data with 2-space indentation, CRLF line ends, the keys of each row reversed and "tables" first. */
  function reshaped(e: DatabaseExport): string {
    const tables = Object.fromEntries(Object.entries(e.tables).map(([name, rows]) => [name, rows.map((r) => Object.fromEntries(Object.entries(r).reverse()))]));
    // JSON.stringify escapes line breaks inside strings, so every raw "\n" here is whitespace.
    return JSON.stringify({ tables, version: e.version, format: e.format }, null, 2).replaceAll("\n", "\r\n");
  }

  it("imports into an empty database keeping ids, and exports the same again", () => {
    const t = freshDb();
    const { rows } = importDatabaseJson(t.db, jsonText(exported), IMPORTER);
    expect(rows.incidents).toBe(2);
    expectCopyOf(t, exported);
    // Derived tables were rebuilt by their triggers: the rule rollup and full-text search match the source.
    const rollup = "select rule_name, day, alerts, fires, deliveries, real_alerts from alert_rule_days where alerts > 0 order by 1, 2";
    expect(t.db.$client.prepare(rollup).all()).toEqual(src.db.$client.prepare(rollup).all());
    expect(t.db.$client.prepare("select rowid from incidents_fts where incidents_fts match 'nan_guard'").all()).toEqual([{ rowid: richId }]);
    // And the Markdown of the copy is the same, ids included.
    expect(incidentToMarkdown(t.db, richId)).toBe(incidentToMarkdown(src.db, richId));
  });

  it("imports the export's own text pieces as they are produced, losslessly", () => {
    const t = freshDb();
    const { rows } = importDatabaseJson(t.db, exportDatabaseJsonText(src.db), IMPORTER);
    expect(rows).toEqual(rowCounts(exported));
    expectCopyOf(t, exported);
    expect(incidentToMarkdown(t.db, richId)).toBe(incidentToMarkdown(src.db, richId));
  });

  it("reads any layout of the same JSON: indentation, CRLF, row keys in another order, tables before the format", () => {
    const tricky = trickyExport();
    const t = freshDb();
    expect(importDatabaseJson(t.db, [reshaped(tricky)], IMPORTER).rows).toEqual(rowCounts(tricky));
    expectCopyOf(t, tricky);
    expect(t.db.select({ impact: incidents.impact }).from(incidents).where(eq(incidents.id, tricky.tables.incidents[0].id as number)).get()).toEqual({ impact: TRICKY });
  });

  it("reads text cut anywhere: inside strings, escapes, keys and characters (1 to 7 characters a chunk)", () => {
    const tricky = trickyExport();
    for (const text of [JSON.stringify(tricky), reshaped(tricky)]) {
      const t = freshDb();
      expect(importDatabaseJson(t.db, smallPieces(text), IMPORTER).rows).toEqual(rowCounts(tricky));
      expectCopyOf(t, tricky);
    }
  });

  it("reads a file in chunks without splitting UTF-8 characters, reporting bytes read", () => {
    const text = reshaped(trickyExport());
    const file = path.join(tmpDir(), "tricky.json");
    fs.writeFileSync(file, text);
    const size = fs.statSync(file).size;
    for (const chunkBytes of [1, 2, 3, 5, 7, 4096]) {
      const progress: number[] = [];
      expect([...readTextChunks(file, (done, total) => progress.push(done, total), chunkBytes)].join("")).toBe(text);
      expect(progress.slice(-2)).toEqual([size, size]);
    }
    const t = freshDb();
    expect(importDatabaseJson(t.db, readTextChunks(file, undefined, 3), IMPORTER).rows).toEqual(rowCounts(trickyExport()));
    expect(() => readTextChunks(path.join(tmpDir(), "missing.json"))).toThrow(/ENOENT/);
    expect(() => readTextChunks(tmpDir())).toThrow(/is not a file/);
  });

  it("refuses a truncated file, naming where it ends, and writes nothing", () => {
    const pieces = [...exportDatabaseJsonText(src.db)];
    const text = pieces.join("");
    const midRow = text.slice(0, text.indexOf('"title":', text.indexOf('\n"incidents":[')) + 12);
    const afterUsers = pieces.slice(0, pieces.indexOf("]", pieces.findIndex((p) => p.includes('"users":['))) + 1).join("");
    const cases: [string, RegExp][] = [
      [midRow, /^tables\.incidents\[0\] is cut short: the file ends at byte \d+ \(truncated\?\)$/],
      [afterUsers, /^tables is cut short: the file ends at byte \d+ \(truncated\?\)$/],
      [text.slice(0, text.lastIndexOf("}")), /^the file ends at byte \d+, before the export does \(truncated\?\)$/],
      [text.slice(0, 20), /^format is cut short/],
    ];
    // And cut every 97 characters: always an ImportError, never a partial import.
    for (let n = 1; n < text.length - 2; n += 97) cases.push([text.slice(0, n), /cut short|ends at byte|not valid JSON/]);
    const t = freshDb();
    const before = tableCounts(t);
    for (const [cut, problem] of cases) {
      const err = thrown(() => importDatabaseJson(t.db, smallPieces(cut), IMPORTER));
      expect(err, cut.slice(-40)).toBeInstanceOf(ImportError);
      expect(err.message, cut.slice(-40)).toMatch(problem);
      expect(tableCounts(t)).toEqual(before);
    }
    expect(thrown(() => importDatabaseJson(t.db, [midRow], IMPORTER)).message).toContain(`ends at byte ${Buffer.byteLength(midRow)} `);
    expect(tableCounts(t).users).toBe(0);
  });

  it("refuses tables out of the export's order, or twice, naming the table", () => {
    const t = freshDb();
    const reversed = { ...exported, tables: Object.fromEntries(Object.entries(exported.tables).reverse()) };
    const [lastTable, next] = Object.keys(reversed.tables);
    const err = thrown(() => importDatabaseJson(t.db, jsonText(reversed), IMPORTER));
    expect(err).toBeInstanceOf(ImportError);
    expect(err.message).toMatch(new RegExp(`^tables\\.${next} comes after tables\\.${lastTable}: tables must be in the order the export writes them`));
    const twice = `{"format":"${DATABASE_FORMAT}","version":1,"tables":{"users":[],"users":[]}}`;
    expect(thrown(() => importDatabaseJson(t.db, [twice], IMPORTER)).message).toBe("tables.users appears twice");
    expect(tableCounts(t).users).toBe(0);
  });

  it("refuses malformed JSON with a byte offset or row path, and writes nothing", () => {
    const t = freshDb();
    const before = tableCounts(t);
    const text = [...exportDatabaseJsonText(src.db)].join("");
    const end = Buffer.byteLength(text);
    const cases: [string, string | RegExp][] = [
      [`${text}x`, `not valid JSON at byte ${end}: expected the end of the file after the export, found "x"`],
      [`${text} {}`, `not valid JSON at byte ${end + 1}: expected the end of the file after the export, found "{"`],
      ["", 'format must be "faultline-database": this is not a Faultline database export (the file is empty)'],
      [`  [${text}]`, 'format must be "faultline-database": this is not a Faultline database export (no JSON object at byte 2)'],
      [text.replace('"id":1,', '"id":1,,'), /^tables\.\w+\[0\] is not valid JSON at byte \d+: /],
      [text.replace('"version":1', '"version":1 "x"'), /^not valid JSON at byte \d+: expected "," or "}", found "\\""$/],
      [text.replace(/\]\n}}\n$/, "}\n}}"), /^tables\.\w+ is not valid JSON at byte \d+: expected "," or "\]", found "}"$/],
      [text.replace('"id":1,', '"id":[1},'), /^tables\.\w+\[0\] is not valid JSON at byte \d+: expected "\]", found "}"$/],
      [text.replace('"faultline-database"', '"faultline-\ndatabase"'), "format is not valid JSON at byte 21: a control character (U+000a) inside text"],
      [`{"format":"${DATABASE_FORMAT}","version":1,"tables":{"users":{}}}`, "tables.users must be a list (got a mapping)"],
      [`{"format":"${DATABASE_FORMAT}","version":1,"tables":{"users":[null]}}`, "tables.users[0] must be a mapping (got null)"],
      [`{"format":"${DATABASE_FORMAT}","version":1,"tables":[]}`, "tables must be a mapping (got a list)"],
      [`{"format":"${DATABASE_FORMAT}","version":1}`, "tables is required"],
      [`{"tables":{"users":[{"id":1,"flag":true}]},"version":1,"format":"${DATABASE_FORMAT}"}`, "tables.users[0].flag must be text, a number or null (got true)"],
    ];
    for (const [input, problem] of cases) {
      const err = thrown(() => importDatabaseJson(t.db, smallPieces(input), IMPORTER));
      expect(err, input.slice(0, 60)).toBeInstanceOf(ImportError);
      if (typeof problem === "string") expect(err.message).toBe(problem);
      else expect(err.message).toMatch(problem);
      expect(tableCounts(t)).toEqual(before);
    }
  });

  it("names the row that cannot be inserted, though rows go in several to a statement", () => {
    const t = freshDb();
    const before = tableCounts(t);
    const twice = structuredClone(exported);
    twice.tables.timeline_events[2].id = twice.tables.timeline_events[0].id;
    const err = thrown(() => importDatabaseJson(t.db, jsonText(twice), IMPORTER));
    expect(err).toBeInstanceOf(ImportError);
    expect(err.message).toBe("tables.timeline_events[2] cannot be inserted: UNIQUE constraint failed: timeline_events.id");
    expect(tableCounts(t)).toEqual(before);
  });

  it("checks the format and version wherever they are, rolling back rows read before them", () => {
    const t = freshDb();
    const before = tableCounts(t);
    const { format: _f, version: _v, tables } = exported;
    expect(thrown(() => importDatabaseJson(t.db, jsonText({ tables, version: 1, format: "other" }), IMPORTER)).message).toMatch(/^format must be "faultline-database"/);
    expect(thrown(() => importDatabaseJson(t.db, jsonText({ tables, format: DATABASE_FORMAT, version: 2 }), IMPORTER)).message).toBe("version must be one of 1 (got 2)");
    expect(thrown(() => importDatabaseJson(t.db, jsonText({ tables, format: DATABASE_FORMAT }), IMPORTER)).message).toMatch(/^version must be one of 1/);
    expect(tableCounts(t)).toEqual(before);
    // Unknown top-level keys are ignored, as before.
    expect(importDatabaseJson(t.db, jsonText({ note: { made: ["by", "hand"] }, ...exported }), IMPORTER).rows).toEqual(rowCounts(exported));
  });

  it("refuses a database that already holds data, changing nothing", () => {
    const before = tableCounts(src);
    const err = thrown(() => importDatabaseJson(src.db, jsonText(exported), IMPORTER));
    expect(err.message).toMatch(/^Refusing to import: the database already holds data \(1 users, 2 incidents, /);
    expect(err.message).toMatch(/new, empty database/);
    expect(tableCounts(src)).toEqual(before);
  });

  it("rolls back entirely when rows refer to missing parents", () => {
    const t = freshDb();
    const broken = JSON.parse(JSON.stringify(exported)) as DatabaseExport;
    broken.tables.users = [];
    const before = tableCounts(t);
    const err = thrown(() => importDatabaseJson(t.db, jsonText(broken), IMPORTER));
    expect(err).toBeInstanceOf(ImportError);
    expect(err.message).toMatch(/^tables\.\w+ has a row \(rowid \d+\) referring to a missing users row/);
    expect(tableCounts(t)).toEqual(before);
  });

  it("names the field of a malformed export", () => {
    const t = freshDb();
    expect(thrown(() => importDatabaseJson(t.db, jsonText({ format: "something-else" }), IMPORTER)).message).toMatch(/^format must be "faultline-database"/);
    expect(thrown(() => importDatabaseJson(t.db, jsonText({ ...exported, version: 2 }), IMPORTER)).message).toMatch(/^version must be one of 1/);
    const badCell = JSON.parse(JSON.stringify(exported)) as DatabaseExport;
    (badCell.tables.incidents[1] as Record<string, unknown>).title = { nested: true };
    expect(thrown(() => importDatabaseJson(t.db, jsonText(badCell), IMPORTER)).message).toMatch(/^tables\.incidents\[1\]\.title /);
    const badTable = { ...exported, tables: { ...exported.tables, sessions: [] } };
    expect(thrown(() => importDatabaseJson(t.db, jsonText(badTable), IMPORTER)).message).toMatch(/^tables\.sessions is not a table/);
    const badColumn = JSON.parse(JSON.stringify(exported)) as DatabaseExport;
    badColumn.tables.models[0].colour = "red";
    expect(thrown(() => importDatabaseJson(t.db, jsonText(badColumn), IMPORTER)).message).toMatch(/^tables\.models\[0\]\.colour is not a column/);
    expect(tableCounts(t).incidents).toBe(0);
  });
});

describe("public postmortems", () => {
  let t: TestDb;
  let files: MarkdownFile[];
  const byTitle = (prefix: string) => t.db.select().from(incidents).all().find((i) => i.title.startsWith(prefix))!;
  const classesOf = (id: number) =>
    t.db
      .select({ id: incidentClasses.classId, role: incidentClasses.role })
      .from(incidentClasses)
      .where(eq(incidentClasses.incidentId, id))
      .all()
      .sort((a, b) => a.role.localeCompare(b.role) || a.id.localeCompare(b.id));

  beforeAll(() => {
    t = freshDb();
    files = readMarkdownFolder(FIXTURES);
  });

  it("maps every category of the table onto an existing, active class", () => {
    const active = new Set(loadTaxonomy().filter((e) => e.kind === "class").map((e) => e.id));
    for (const [category, m] of Object.entries(CATEGORY_MAP)) expect(active.has(m.classId), category).toBe(true);
  });

  it("imports the folder: closed incidents, team from company, mapped classes, unknown categories reported", () => {
    expect(files).toHaveLength(5);
    const summary = importMarkdownFiles(t.db, "public", files, IMPORTER);
    expect(summary).toMatchObject({ files: 5, created: 5, updated: 0, unchanged: 0, failed: [] });
    expect(summary.unmappedCategories).toEqual({ "human-error": 1, "leap-second": 1, Notifications: 1, security: 1, "third-party": 1 });

    const dns = byTitle("A resolver config push");
    expect(dns).toMatchObject({
      status: "closed",
      severity: "SEV3",
      team: "Quillbyte",
      startedAt: Date.UTC(2021, 1, 3, 14, 6),
      resolvedAt: Date.UTC(2021, 1, 3, 15, 40),
      trigger: "config_push",
      primaryClassId: "capacity.cpu-network-storage",
      topClassId: "capacity",
      family: "non-ml",
      source: "manual",
    });
    expect(dns.summary).toMatch(/^A change to the internal resolver configuration/);
    expect(dns.postmortemMd.startsWith("## What happened\n")).toBe(true);
    expect(dns.postmortemMd.endsWith("2. Health checks resolve names the way customers do.\n\nSource: https://engineering.quillbyte.example/postmortems/2021-02-03-dns\n")).toBe(true);
    expect(dns.postmortemRev).toBe(1);
    expect(classesOf(dns.id)).toEqual([
      { id: "change.config-push", role: "contributing" },
      { id: "capacity.cpu-network-storage", role: "primary" },
    ]);

    const db = byTitle("Harborline");
    expect(db).toMatchObject({ team: "Harborline Freight", trigger: "capacity", primaryClassId: "dependency", topClassId: "dependency" });
    expect(classesOf(db.id)).toEqual([
      { id: "capacity.unprovisioned", role: "contributing" },
      { id: "dependency", role: "primary" },
    ]);

    const tiles = byTitle("Tessellate");
    // "critical" is a known severity; times with an offset are stored in UTC.
    expect(tiles).toMatchObject({ severity: "SEV1", startedAt: Date.UTC(2022, 10, 9, 18, 30), resolvedAt: Date.UTC(2022, 10, 9, 20, 5), trigger: "binary_push" });
    expect(classesOf(tiles.id)).toEqual([
      { id: "orchestration.scheduler-error", role: "contributing" },
      { id: "change.binary-push", role: "primary" },
    ]);

    const clock = byTitle("Orchard Health");
    expect(clock).toMatchObject({ resolvedAt: null, status: "closed", primaryClassId: "software.wrong-invariant", trigger: null });
    expect(classesOf(clock.id)).toEqual([{ id: "software.wrong-invariant", role: "primary" }]);

    const pay = byTitle("Nimbus Kitchens");
    // cloud and upstream map to the same class: it is the primary once, with no contributing duplicate.
    expect(classesOf(pay.id)).toEqual([{ id: "dependency.third-party-change", role: "primary" }]);
    expect(pay.trigger).toBe("provider_change");

    const audit = t.db.$client.prepare("select detail from audit_log where action = 'import' and entity = 'incident'").all() as { detail: string }[];
    expect(audit).toHaveLength(5);
    expect(JSON.parse(audit[0].detail)).toMatchObject({ format: "public", outcome: "created", file: files[0].name });
  });

  it("is idempotent on re-run", () => {
    const before = tableCounts(t);
    const summary = importMarkdownFiles(t.db, "public", readMarkdownFolder(FIXTURES), IMPORTER);
    expect(summary).toMatchObject({ created: 0, updated: 0, unchanged: 5, failed: [] });
    expect(tableCounts(t)).toEqual(before);
  });

  it("updates what the file states when it changed, keeping what people added", () => {
    const file = files.find((f) => f.name.includes("orchard"))!;
    const clock = byTitle("Orchard Health");
    classifyIncident(t.db, clock.id, classificationSchema.parse({ primary: "software.wrong-invariant", factors: ["factor.tribal-knowledge"] }), IMPORTER);
    const edited = file.text.replace("categories:\n", "end_time: 2023-03-27 09:00\ncategories:\n");
    const r = importPublicPostmortem(t.db, edited, IMPORTER, { source: file.name });
    expect(r.outcome).toBe("updated");
    expect(byTitle("Orchard Health").resolvedAt).toBe(Date.UTC(2023, 2, 27, 9));
    expect(classesOf(clock.id)).toEqual([
      { id: "factor.tribal-knowledge", role: "factor" },
      { id: "software.wrong-invariant", role: "primary" },
    ]);
    expect(importPublicPostmortem(t.db, edited, IMPORTER).outcome).toBe("unchanged");
  });

  it("reports malformed files by name and field, importing the good ones and nothing of the bad", () => {
    const dir = tmpDir();
    const good = fs.readFileSync(path.join(FIXTURES, "2021-02-03-quillbyte-dns-outage.md"), "utf8");
    const bad: Record<string, [string, RegExp]> = {
      "no-front-matter.md": ["# Just a heading\n\nNo front matter here.\n", /^no-front-matter\.md: front matter is missing/],
      "bad-date.md": [good.replace("start_time: 2021-02-03 14:06", "start_time: the third of February"), /^bad-date\.md: start_time must be a date and time .*"the third of February"/],
      "no-start.md": [good.replace("start_time: 2021-02-03 14:06\n", ""), /^no-start\.md: start_time is required/],
      "end-first.md": [good.replace("end_time: 2021-02-03 15:40", "end_time: 2021-02-03 13:40"), /^end-first\.md: end_time must not be before start_time/],
      "categories-number.md": [good.replace(/categories:\n  - dns\n  - config-change\n/, "categories: 5\n"), /^categories-number\.md: categories must be a list \(got 5\)/],
      "category-object.md": [good.replace("  - dns\n", "  - {name: dns}\n"), /^category-object\.md: categories\[0\] must be text \(got a mapping\)/],
      "title-list.md": [good.replace(/^title: .*$/m, "title: [a, b]"), /^title-list\.md: title must be text \(got a list\)/],
    };
    for (const [name, [text]] of Object.entries(bad)) fs.writeFileSync(path.join(dir, name), text);
    fs.writeFileSync(path.join(dir, "good.md"), good.replace("title: A resolver", "title: Another resolver"));
    const fresh = freshDb();
    const before = tableCounts(fresh);
    const summary = importMarkdownFiles(fresh.db, "public", readMarkdownFolder(dir), IMPORTER);
    expect(summary.created).toBe(1);
    expect(summary.failed).toHaveLength(Object.keys(bad).length);
    for (const f of summary.failed) expect(f.message, f.file).toMatch(bad[f.file][1]);
    const after = tableCounts(fresh);
    expect(after.incidents).toBe(before.incidents + 1);
    expect(after.audit_log).toBe(before.audit_log + 1);
  });
});

describe("npm run export / import (child processes)", () => {
  const run = (script: string, args: string[]) => {
    const res = spawnSync(process.execPath, ["--import", "tsx", script, ...args], { cwd: process.cwd(), encoding: "utf8", timeout: 60_000 });
    return { code: res.status, stdout: res.stdout, stderr: res.stderr };
  };

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
    expect(again.stdout).toMatch(/created\s+0\n\s+updated\s+0\n\s+unchanged\s+2\n\s+failed\s+0\n/);

    const usage = run("scripts/import.ts", ["--db", target]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Usage: npm run import --");
  });

  it("round-trips a database through a JSON file read in chunks, and refuses a missing file before creating a database", () => {
    const dir = tmpDir();
    const file = path.join(dir, "all.json");
    const target = path.join(dir, "copy.db");

    const exp = run("scripts/export.ts", ["--db", src.file, "--json", file]);
    expect(exp.code, exp.stderr).toBe(0);
    const imp = run("scripts/import.ts", ["--db", target, "--json", file]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stderr).toContain("MiB read: 1/1 (100%)");
    expect(imp.stdout).toMatch(/^Imported \d+ rows from .*all\.json into .*copy\.db in [\d.]+ s\n/);
    expect(imp.stdout).toMatch(/\n  incidents\s+2\n/);

    const again = run("scripts/import.ts", ["--db", target, "--json", file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/all\.json: Refusing to import: the database already holds data/);

    const missing = run("scripts/import.ts", ["--db", path.join(dir, "none.db"), "--json", path.join(dir, "missing.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing\.json: ENOENT/);
    expect(fs.existsSync(path.join(dir, "none.db"))).toBe(false);
  });
});
