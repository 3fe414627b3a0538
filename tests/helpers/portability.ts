/** Shared by the import/export tests: databases, a rich source database, and small helpers. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { alerts, users, type User } from "../../db/schema";
import { actionInputSchema, addActionItem, setActionStatus } from "~/domain/actions.server";
import { linkAlert, receiveDelivery } from "~/domain/alerts.server";
import { type Actor } from "~/domain/audit.server";
import { createSession } from "~/domain/auth.server";
import { classificationSchema, classifyIncident } from "~/domain/classification.server";
import { createIncident, incidentInputSchema } from "~/domain/incidents.server";
import { changeStatus } from "~/domain/lifecycle.server";
import { linkVersion, registerVersion, versionInputSchema } from "~/domain/models.server";
import { savePostmortem } from "~/domain/postmortems.server";
import { loadTaxonomy, syncTaxonomy } from "~/domain/taxonomy.server";
import { addTimelineEvent } from "~/domain/timeline.server";
import { createToken } from "~/domain/tokens.server";
import { parseWebhook } from "~/webhooks/index";
import { makeTestDb, type TestDb } from "./db";

export const FIXTURES = path.resolve("tests/fixtures/public-postmortems");
export const IMPORTER: Actor = { id: null, label: "import" };
export const WEBHOOK: Actor = { id: null, label: "token:alerts" };

const opened: TestDb[] = [];
const tmpDirs: string[] = [];

/** A migrated database with the real taxonomy synced, as the app has it after start-up. */
export function freshDb(): TestDb {
  const t = makeTestDb();
  opened.push(t);
  syncTaxonomy(t.db, loadTaxonomy());
  return t;
}

export function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-portability-"));
  tmpDirs.push(dir);
  return dir;
}

export function addUser(t: TestDb, email: string): User {
  return t.db.insert(users).values({ email, name: email, role: "editor", passwordHash: `scrypt$not-a-real-hash-for-${email}` }).returning().get();
}

/** Every table's row count (derived FTS shadow tables and migrations left out): what "changes nothing" is checked against. */
export function tableCounts(t: TestDb): Record<string, number> {
  const names = t.db.$client
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'incidents_fts%' and name not like '__drizzle%' order by name")
    .all() as { name: string }[];
  return Object.fromEntries(names.map(({ name }) => [name, (t.db.$client.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n]));
}

export const withoutId = (text: string) => text.replace(/^id: \d+\n/m, "");

export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

/** A database export as JSON text in one piece. */
export const jsonText = (v: unknown) => [JSON.stringify(v)];

/** The text in pieces of 1, 2, … 7 characters in turn, so boundaries fall inside strings, escapes and surrogate pairs. */
export function* smallPieces(text: string): Generator<string> {
  for (let i = 0, n = 1; i < text.length; i += n, n = (n % 7) + 1) yield text.slice(i, i + n);
}

export const MIN = 60_000;
export const START = Date.UTC(2026, 2, 3, 9, 0);

// Text that tries hard to break YAML and the front-matter fence: quotes, colons, '#', a '---' line, leading and
// trailing spaces, tabs, non-Latin script, an empty line and no trailing newline.
export const TRICKY_SUMMARY = 'fraud-scoring "v2.10" scored NaN: 40% of checkouts # not a comment\n---\n  indented line  \n\ttabbed\n\nпроверка ✓';
export const POSTMORTEM = `
---
title: not front matter
---

## Summary

A config push flipped \`nan_guard: false\` on fraud-scoring 2.10.   

## Timeline
- 09:00 push
- 09:12 alert`;

export const GENERIC_BODY = JSON.stringify({
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

export type Source = { src: TestDb; alice: User; asAlice: Actor; richId: number; draftId: number };
let src: TestDb;
let alice: User;
let asAlice: Actor;
let richId: number;
let draftId: number;

/** The source database: a rich, hand-written incident and a webhook draft whose timeline points at an alert of the other. */
export function buildSource(): Source {
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
  return { src, alice, asAlice, richId, draftId };
}


/** Closes every database and removes every folder the helpers made; call in afterAll. */
export function cleanupAll(): void {
  for (const t of opened.splice(0)) t.cleanup();
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Runs a script as `npm run` would (tsx), returning its exit code and output. */
export function run(script: string, args: string[], timeout = 60_000) {
  const res = spawnSync(process.execPath, ["--import", "tsx", script, ...args], { cwd: process.cwd(), encoding: "utf8", timeout });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

