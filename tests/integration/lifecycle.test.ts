import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidents, users, type IncidentStatus, type SEVERITIES } from "../../db/schema";
import { listAudit, type Actor } from "~/domain/audit.server";
import { classificationSchema, classifyIncident } from "~/domain/classification.server";
import { closingChecklist, loadClosingRules } from "~/domain/closing-rules.server";
import { createIncident, incidentInputSchema } from "~/domain/incidents.server";
import { TransitionError, changeStatus, statusForm } from "~/domain/lifecycle.server";
import { savePostmortem } from "~/domain/postmortems.server";
import { decideReview, requestReview } from "~/domain/reviews.server";
import { loadTaxonomy, syncTaxonomy } from "~/domain/taxonomy.server";
import { addTimelineEvent, listTimeline } from "~/domain/timeline.server";
import { makeTestDb, type TestDb } from "../helpers/db";

let t: TestDb;
const ALICE: Actor = { id: null, label: "alice@example.com" };
const at = (s: string) => Date.parse(`${s}Z`);
// The example: started 2026-11-20 08:00, mitigated 09:30 by its own timeline, the button clicked on 11-24.
const CLICK = at("2026-11-24T15:00");

beforeAll(() => {
  t = makeTestDb();
  syncTaxonomy(t.db, loadTaxonomy());
});
afterAll(() => t.cleanup());

function incident(patch: Record<string, unknown> = {}, status: IncidentStatus = "investigating"): number {
  const input = incidentInputSchema.parse({
    title: "Ranking model served stale features",
    severity: "SEV3",
    startedAt: "2026-11-20T08:00",
    detectedAt: "",
    mitigatedAt: "",
    resolvedAt: "",
    ...patch,
  });
  return createIncident(t.db, input, ALICE, { status });
}
const row = (id: number) => t.db.select().from(incidents).where(eq(incidents.id, id)).get()!;
const statusEntries = (id: number) => listTimeline(t.db, id).filter((e) => e.kind === "status").map((e) => ({ at: e.at, body: e.body }));

/** The problems of a refused change; fails the test if the change went through. */
function refusal(fn: () => void): Record<string, string> {
  try {
    fn();
  } catch (e) {
    if (e instanceof TransitionError) return e.fieldErrors();
    throw e;
  }
  throw new Error("expected the status change to be refused");
}

describe("the status form asks for times, suggested from the timeline", () => {
  it("suggests the latest mitigation entry of the timeline, not the click time", () => {
    const id = incident({ detectedAt: "2026-11-20T08:10" });
    addTimelineEvent(t.db, id, { at: at("2026-11-20T08:40"), kind: "action", body: "Tried a restart: no change" }, ALICE);
    addTimelineEvent(t.db, id, { at: at("2026-11-20T09:00"), kind: "rollback", body: "Rolled back ranker to v41" }, ALICE);
    addTimelineEvent(t.db, id, { at: at("2026-11-20T09:30"), kind: "observation", body: "Errors mitigated by the fallback model" }, ALICE);
    const form = statusForm(t.db, row(id), "mitigated", CLICK);
    expect(form.asked).toEqual([
      { name: "detectedAt", label: "detected", value: at("2026-11-20T08:10"), source: { kind: "recorded" } },
      {
        name: "mitigatedAt",
        label: "mitigated",
        value: at("2026-11-20T09:30"),
        source: { kind: "timeline", at: at("2026-11-20T09:30"), body: "Errors mitigated by the fallback model" },
      },
    ]);
    expect(form.closing).toBeNull();
  });

  it("falls back to now only for the status's own time; earlier gaps stay blank for a person to fill", () => {
    const blank = incident();
    const closing = statusForm(t.db, row(blank), "closed", CLICK);
    expect(closing.asked.map((a) => [a.name, a.value, a.source.kind])).toEqual([
      ["detectedAt", null, "none"],
      ["mitigatedAt", null, "none"],
      ["resolvedAt", CLICK, "now"],
    ]);
    expect(closing.closing?.map((c) => [c.require, c.met])).toEqual([["resolved", false]]);

    const resolved = statusForm(t.db, row(blank), "resolved", CLICK);
    expect(resolved.asked.map((a) => a.source.kind)).toEqual(["none", "none", "now"]);
    // A timeline entry before the start is not a suggestion; an alert entry suggests detection.
    addTimelineEvent(t.db, blank, { at: at("2026-11-19T23:00"), kind: "note", body: "Deploy resolved the old ticket" }, ALICE);
    addTimelineEvent(t.db, blank, { at: at("2026-11-20T08:05"), kind: "alert", body: "RankerLatencyHigh firing" }, ALICE);
    expect(statusForm(t.db, row(blank), "resolved", CLICK).asked.map((a) => [a.name, a.value])).toEqual([
      ["detectedAt", at("2026-11-20T08:05")],
      ["mitigatedAt", null],
      ["resolvedAt", CLICK],
    ]);
  });

  it("asks nothing for a reopen", () => {
    const id = incident({ detectedAt: "2026-11-20T08:10", mitigatedAt: "2026-11-20T09:00", resolvedAt: "2026-11-20T10:00" }, "resolved");
    expect(statusForm(t.db, row(id), "investigating", CLICK).asked).toEqual([]);
  });
});

describe("changeStatus records the times people confirm", () => {
  it("sets the confirmed time, never the click time, and puts the change on the timeline", () => {
    const id = incident({ detectedAt: "2026-11-20T08:10" });
    changeStatus(t.db, id, "mitigated", ALICE, { times: { mitigatedAt: at("2026-11-20T09:30") }, note: "Fallback model took over.", now: CLICK });
    expect(row(id)).toMatchObject({ status: "mitigated", version: 2, detectedAt: at("2026-11-20T08:10"), mitigatedAt: at("2026-11-20T09:30"), resolvedAt: null });
    expect(statusEntries(id)).toEqual([
      {
        at: at("2026-11-20T09:30"),
        body: "investigating → mitigated. Times: detected 2026-11-20 08:10 UTC, mitigated 2026-11-20 09:30 UTC. Fallback model took over.",
      },
    ]);
    expect(listAudit(t.db, { entity: "incident", entityId: id })[0]).toMatchObject({ action: "status", actor: "alice@example.com" });
  });

  it("refuses a missing time, a time in the future and times out of order, changing nothing", () => {
    const id = incident();
    const before = row(id);
    expect(refusal(() => changeStatus(t.db, id, "mitigated", ALICE, { times: { mitigatedAt: at("2026-11-20T09:00") }, now: CLICK }))).toEqual({
      detectedAt: "Say when it was detected.",
    });
    expect(
      refusal(() =>
        changeStatus(t.db, id, "mitigated", ALICE, { times: { detectedAt: at("2026-11-20T07:00"), mitigatedAt: CLICK + 60_000 }, now: CLICK }),
      ),
    ).toEqual({ detectedAt: "Must not be before the start.", mitigatedAt: "The mitigated time must not be in the future." });
    expect(
      refusal(() =>
        changeStatus(t.db, id, "resolved", ALICE, {
          times: { detectedAt: at("2026-11-20T09:00"), mitigatedAt: at("2026-11-20T08:30"), resolvedAt: at("2026-11-20T08:20") },
          now: CLICK,
        }),
      ),
    ).toEqual({ mitigatedAt: "Must not be before detected time.", resolvedAt: "Must not be before mitigated time." });
    expect(row(id)).toEqual(before);
    expect(statusEntries(id)).toEqual([]);
  });

  it("checks a new time against times recorded before (a resolved time entered on the edit form)", () => {
    const id = incident({ detectedAt: "2026-11-20T08:10", resolvedAt: "2026-11-20T09:00" });
    expect(refusal(() => changeStatus(t.db, id, "mitigated", ALICE, { times: { mitigatedAt: at("2026-11-20T09:15") }, now: CLICK }))).toEqual({
      resolvedAt: "Must not be before mitigated time.",
    });
  });

  it("does not close a blank incident in one step: it asks for each time and for resolving first", () => {
    const id = incident();
    expect(refusal(() => changeStatus(t.db, id, "closed", ALICE, { now: CLICK }))).toEqual({
      detectedAt: "Say when it was detected.",
      mitigatedAt: "Say when it was mitigated.",
      resolvedAt: "Say when it was resolved.",
      status: "Cannot close: it was never marked resolved; move it to resolved first, with the time it was resolved.",
    });
    expect(row(id)).toMatchObject({ status: "investigating", detectedAt: null, mitigatedAt: null, resolvedAt: null, version: 1 });
  });

  it("resolves with three distinct confirmed times, then closes (SEV3 needs no class or postmortem)", () => {
    const id = incident();
    const times = { detectedAt: at("2026-11-20T08:20"), mitigatedAt: at("2026-11-20T09:30"), resolvedAt: at("2026-11-20T11:00") };
    changeStatus(t.db, id, "resolved", ALICE, { times, now: CLICK });
    changeStatus(t.db, id, "closed", ALICE, { now: CLICK });
    expect(row(id)).toMatchObject({ status: "closed", ...times, version: 3 });
    expect(statusEntries(id)).toEqual([
      {
        at: times.resolvedAt,
        body: "investigating → resolved. Times: detected 2026-11-20 08:20 UTC, mitigated 2026-11-20 09:30 UTC, resolved 2026-11-20 11:00 UTC.",
      },
      { at: CLICK, body: "resolved → closed. Times: detected 2026-11-20 08:20 UTC, mitigated 2026-11-20 09:30 UTC, resolved 2026-11-20 11:00 UTC." },
    ]);
  });

  it("reopens to investigating, clearing mitigated and resolved times but keeping them on the timeline and in the audit", () => {
    const id = incident({ detectedAt: "2026-11-20T08:05", mitigatedAt: "2026-11-20T08:30", resolvedAt: "2026-11-20T09:00" }, "closed");
    changeStatus(t.db, id, "investigating", ALICE, { now: CLICK });
    expect(row(id)).toMatchObject({ status: "investigating", version: 2, detectedAt: at("2026-11-20T08:05"), mitigatedAt: null, resolvedAt: null });
    expect(statusEntries(id)).toEqual([
      { at: CLICK, body: "closed → investigating (reopened). Cleared: mitigated 2026-11-20 08:30 UTC, resolved 2026-11-20 09:00 UTC." },
    ]);
    expect(JSON.parse(listAudit(t.db, { entity: "incident", entityId: id })[0].detail).before).toEqual({
      detectedAt: at("2026-11-20T08:05"),
      mitigatedAt: at("2026-11-20T08:30"),
      resolvedAt: at("2026-11-20T09:00"),
    });
  });

  it.each<[IncidentStatus, IncidentStatus]>([
    ["resolved", "mitigated"],
    ["closed", "draft"],
    ["in_review", "resolved"],
    ["investigating", "draft"],
  ])("rejects %s -> %s and changes nothing", (from, to) => {
    const id = incident({}, from);
    const before = row(id);
    expect(refusal(() => changeStatus(t.db, id, to, ALICE))).toEqual({ status: `An incident cannot go from ${from} to ${to}.` });
    expect(row(id)).toEqual(before);
  });

  it("treats the same status as no change, and an unknown incident as a 404", () => {
    const id = incident();
    changeStatus(t.db, id, "investigating", ALICE);
    expect(row(id)).toMatchObject({ version: 1 });
    expect(statusEntries(id)).toEqual([]);
    let thrown: unknown;
    try {
      changeStatus(t.db, 999_999, "closed", ALICE);
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Response).status).toBe(404);
  });
});

describe("closing rules (content/rules/closing.md)", () => {
  const resolvedIncident = (severity: (typeof SEVERITIES)[number]) =>
    incident({ severity, detectedAt: "2026-11-20T08:05", mitigatedAt: "2026-11-20T08:30", resolvedAt: "2026-11-20T09:00" }, "resolved");

  it("refuses to close a SEV1 without a confirmed class and a postmortem, listing both", () => {
    const id = resolvedIncident("SEV1");
    expect(refusal(() => changeStatus(t.db, id, "closed", ALICE))).toEqual({
      status: "Cannot close: its primary class is not confirmed; classify it (a suggestion does not count). Cannot close: it has no postmortem; write one.",
    });
    // A class the classifier only suggested does not count.
    classifyIncident(t.db, id, classificationSchema.parse({ primary: "data.corruption" }), ALICE);
    t.db.update(incidents).set({ classStatus: "suggested" }).where(eq(incidents.id, id)).run();
    savePostmortem(t.db, id, 0, "## Root cause\n\nA null join key.", ALICE);
    expect(refusal(() => changeStatus(t.db, id, "closed", ALICE))).toEqual({
      status: "Cannot close: its primary class is not confirmed; classify it (a suggestion does not count).",
    });
    classifyIncident(t.db, id, classificationSchema.parse({ primary: "data.corruption" }), ALICE);
    expect(closingChecklist(t.db, row(id)).map((c) => [c.require, c.met])).toEqual([
      ["resolved", true],
      ["confirmed_class", true],
      ["postmortem", true],
    ]);
    changeStatus(t.db, id, "closed", ALICE);
    expect(row(id).status).toBe("closed");
  });

  it("applies the class and postmortem rules to SEV1-2 only, and the resolved rule to every incident", () => {
    expect(closingChecklist(t.db, row(resolvedIncident("SEV2"))).map((c) => c.require)).toEqual(["resolved", "confirmed_class", "postmortem"]);
    expect(closingChecklist(t.db, row(resolvedIncident("SEV4"))).map((c) => c.require)).toEqual(["resolved"]);
    // From in review (resolved before) a SEV3 closes once its review is approved.
    const id = incident({ detectedAt: "2026-11-20T08:05", mitigatedAt: "2026-11-20T08:30", resolvedAt: "2026-11-20T09:00" }, "in_review");
    expect(closingChecklist(t.db, row(id)).map((c) => [c.require, c.met])).toEqual([
      ["resolved", true],
      ["approval", false],
    ]);
    expect(refusal(() => changeStatus(t.db, id, "closed", ALICE)).status).toMatch(/^Cannot close: its review is not approved/);
    const reviewer = t.db.insert(users).values({ email: "rita@example.com", name: "Rita", role: "editor", passwordHash: "x" }).returning().get();
    requestReview(t.db, id, [reviewer.id], ALICE);
    decideReview(t.db, id, "approved", { body: "", quote: "" }, { id: reviewer.id, label: reviewer.email });
    changeStatus(t.db, id, "closed", ALICE);
    expect(row(id).status).toBe("closed");
  });

  describe("the rules file", () => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    function rulesDir(frontMatter: string | null): string {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-rules-"));
      dirs.push(dir);
      if (frontMatter !== null) {
        fs.mkdirSync(path.join(dir, "rules"));
        fs.writeFileSync(path.join(dir, "rules", "closing.md"), `---\n${frontMatter}\n---\n# Guide\n`);
      }
      return dir;
    }

    it("reads the shipped rules and their guide", () => {
      const { rules, guide } = loadClosingRules();
      expect(rules).toEqual([
        { require: "resolved" },
        { require: "confirmed_class", when: { severity: ["SEV1", "SEV2"] } },
        { require: "postmortem", when: { severity: ["SEV1", "SEV2"] } },
        { require: "approval", when: { status: ["in_review"] } },
      ]);
      expect(guide).toContain("# Closing an incident");
    });

    it("names the file and every problem of a malformed rule set", () => {
      const dir = rulesDir("rules:\n  - require: sign-off\n  - require: postmortem\n    when: { severity: [SEV9], team: [x] }");
      expect(() => loadClosingRules(dir)).toThrow(
        /rules\/closing\.md: rules\.0\.require: require must be one of resolved, confirmed_class, postmortem, approval; .*severity must list SEV1, SEV2, SEV3, SEV4; .*"team"/,
      );
      expect(() => loadClosingRules(rulesDir(null))).toThrow(/rules\/closing\.md: missing/);
      expect(() => loadClosingRules(rulesDir("rule: []"))).toThrow(/rules\/closing\.md: .*rule/);
    });

    it("limits a rule to the statuses it names", () => {
      const { rules } = loadClosingRules(rulesDir("rules:\n  - require: postmortem\n    when: { status: [in_review] }"));
      const fromReview = row(incident({}, "in_review"));
      expect(closingChecklist(t.db, fromReview, rules).map((c) => [c.require, c.met])).toEqual([["postmortem", false]]);
      expect(closingChecklist(t.db, row(incident({}, "resolved")), rules)).toEqual([]);
    });
  });
});
