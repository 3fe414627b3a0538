import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidents, users, type User } from "../../db/schema";
import { addActionItem, actionInputSchema, countOpenActionItems, listActionItems, listOpenActionItems, setActionStatus } from "~/domain/actions.server";
import { listAudit, SYSTEM, type Actor } from "~/domain/audit.server";
import {
  createIncident,
  getIncident,
  incidentInputSchema,
  updateIncident,
} from "~/domain/incidents.server";
import { getRevision, listRevisions, savePostmortem } from "~/domain/postmortems.server";
import { addTimelineEvent, deleteTimelineEvent, listTimeline } from "~/domain/timeline.server";
import { makeTestDb, type TestDb } from "../helpers/db";

let t: TestDb;
let alice: User, bob: User;
let asAlice: Actor, asBob: Actor;

const START = Date.UTC(2026, 2, 1, 10);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

function input(patch: Record<string, unknown> = {}) {
  return incidentInputSchema.parse({
    title: "Ranking model served stale features",
    severity: "SEV2",
    team: "ranking",
    summary: "The feature store stopped refreshing user embeddings.",
    impact: "Click-through fell 8% for two hours.",
    detectionSource: "alert",
    startedAt: "2026-03-01T10:00",
    detectedAt: "",
    mitigatedAt: "",
    resolvedAt: "",
    ...patch,
  });
}

function addUser(email: string): User {
  return t.db.insert(users).values({ email, name: email, role: "editor", passwordHash: "unused" }).returning().get();
}

function row(id: number) {
  return t.db.select().from(incidents).where(eq(incidents.id, id)).get()!;
}

function auditOf(id: number) {
  return listAudit(t.db, { entity: "incident", entityId: id }).map((a) => ({ ...a, detail: JSON.parse(a.detail) }));
}

/** The value `fn` throws (domain functions throw 404 Responses). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

beforeAll(() => {
  t = makeTestDb();
  alice = addUser("alice@example.com");
  bob = addUser("bob@example.com");
  asAlice = { id: alice.id, label: alice.email };
  asBob = { id: bob.id, label: bob.email };
});
afterAll(() => t.cleanup());

describe("createIncident and getIncident", () => {
  it("stores the incident with its owner and records who created it", () => {
    const id = createIncident(t.db, input(), asAlice);
    const got = getIncident(t.db, id)!;
    expect(got.ownerEmail).toBe("alice@example.com");
    expect(got.incident).toMatchObject({
      id,
      title: "Ranking model served stale features",
      status: "investigating",
      severity: "SEV2",
      team: "ranking",
      detectionSource: "alert",
      startedAt: START,
      detectedAt: null,
      source: "manual",
      groupKey: null,
      ownerId: alice.id,
      version: 1,
      postmortemRev: 0,
    });
    expect(auditOf(id)).toEqual([
      expect.objectContaining({
        action: "create",
        actor: "alice@example.com",
        actorEmail: "alice@example.com",
        detail: { title: "Ranking model served stale features", severity: "SEV2" },
      }),
    ]);
  });

  it("takes status, source and group key from a system actor", () => {
    const id = createIncident(t.db, input({ title: "Alert storm" }), SYSTEM, {
      status: "draft",
      source: "webhook",
      groupKey: "{}:{alertname=\"Drift\"}",
    });
    const got = getIncident(t.db, id)!;
    expect(got.ownerEmail).toBeNull();
    expect(got.incident).toMatchObject({ status: "draft", source: "webhook", groupKey: '{}:{alertname="Drift"}', ownerId: null });
    expect(auditOf(id)[0]).toMatchObject({ action: "create", actor: "system", actorEmail: null });
  });

  it("returns undefined for an unknown id", () => {
    expect(getIncident(t.db, 999_999)).toBeUndefined();
  });
});

describe("updateIncident", () => {
  it("saves against the current version and audits only the changed fields", () => {
    const id = createIncident(t.db, input(), asAlice);
    const res = updateIncident(t.db, id, 1, input({ title: "Stale embeddings", severity: "SEV1" }), asBob);
    expect(res).toEqual({ ok: true, version: 2 });
    expect(row(id)).toMatchObject({ title: "Stale embeddings", severity: "SEV1", version: 2 });
    expect(auditOf(id)[0]).toMatchObject({
      action: "update",
      actor: "bob@example.com",
      detail: { changed: { title: ["Ranking model served stale features", "Stale embeddings"], severity: ["SEV2", "SEV1"] } },
    });
  });

  it("refuses a stale version, returns the current row and writes nothing", () => {
    const id = createIncident(t.db, input(), asAlice);
    expect(updateIncident(t.db, id, 1, input({ title: "Bob's title" }), asBob).ok).toBe(true);
    const before = row(id);
    const auditBefore = auditOf(id).length;

    const res = updateIncident(t.db, id, 1, input({ title: "Alice's title", team: "search" }), asAlice);

    expect(res).toEqual({ ok: false, current: before });
    expect(row(id)).toEqual(before);
    expect(auditOf(id)).toHaveLength(auditBefore);
  });

  it("throws a 404 Response for an unknown incident", () => {
    const err = thrown(() => updateIncident(t.db, 999_999, 1, input(), asAlice));
    expect(err).toBeInstanceOf(Response);
    expect((err as Response).status).toBe(404);
  });
});

describe("savePostmortem", () => {
  it("numbers revisions from 1, lists them newest first and keeps every text", () => {
    const id = createIncident(t.db, input(), asAlice);
    expect(savePostmortem(t.db, id, 0, "# Draft", asAlice)).toEqual({ ok: true, rev: 1 });
    expect(savePostmortem(t.db, id, 1, "# Draft\n\nRoot cause: stale cache.", asBob)).toEqual({ ok: true, rev: 2 });

    expect(row(id)).toMatchObject({ postmortemMd: "# Draft\n\nRoot cause: stale cache.", postmortemRev: 2 });
    expect(listRevisions(t.db, id)).toEqual([
      expect.objectContaining({ rev: 2, author: "bob@example.com", chars: 33 }),
      expect.objectContaining({ rev: 1, author: "alice@example.com", chars: 7 }),
    ]);
    expect(getRevision(t.db, id, 1)).toMatchObject({ markdown: "# Draft", author: "alice@example.com" });
    expect(auditOf(id)[0]).toMatchObject({ action: "postmortem", actor: "bob@example.com", detail: { rev: 2, chars: 33 } });
  });

  it("refuses a save based on an old revision and returns the newer one without writing", () => {
    const id = createIncident(t.db, input(), asAlice);
    savePostmortem(t.db, id, 0, "v1 by alice", asAlice);
    savePostmortem(t.db, id, 1, "v2 by bob", asBob);
    const auditBefore = auditOf(id).length;

    const res = savePostmortem(t.db, id, 1, "alice edits v1 again", asAlice);

    expect(res).toEqual({
      ok: false,
      current: { rev: 2, markdown: "v2 by bob", author: "bob@example.com", at: expect.any(Number) },
    });
    expect(row(id)).toMatchObject({ postmortemMd: "v2 by bob", postmortemRev: 2 });
    expect(listRevisions(t.db, id).map((r) => r.rev)).toEqual([2, 1]);
    expect(auditOf(id)).toHaveLength(auditBefore);
  });

  it("throws a 404 Response for an unknown incident", () => {
    expect((thrown(() => savePostmortem(t.db, 999_999, 0, "x", asAlice)) as Response).status).toBe(404);
  });
});

describe("timeline", () => {
  it("lists events by time with their author, and audits additions", () => {
    const id = createIncident(t.db, input(), asAlice);
    const later = addTimelineEvent(t.db, id, { at: START + 20 * MIN, kind: "rollback", body: "Rolled back to v41" }, asBob);
    const earlier = addTimelineEvent(t.db, id, { at: START + 5 * MIN, kind: "alert", body: "Drift alert fired" }, SYSTEM);
    expect(listTimeline(t.db, id)).toEqual([
      { id: earlier, at: START + 5 * MIN, kind: "alert", body: "Drift alert fired", alertId: null, author: null },
      { id: later, at: START + 20 * MIN, kind: "rollback", body: "Rolled back to v41", alertId: null, author: "bob@example.com" },
    ]);
    expect(auditOf(id)[0]).toMatchObject({ action: "timeline.add", actor: "system", detail: { event: earlier, kind: "alert" } });
  });

  it("deletes an event only through its own incident", () => {
    const mine = createIncident(t.db, input(), asAlice);
    const other = createIncident(t.db, input({ title: "Other incident" }), asAlice);
    const ev = addTimelineEvent(t.db, mine, { at: START, kind: "note", body: "keep me" }, asAlice);

    const err = thrown(() => deleteTimelineEvent(t.db, other, ev, asBob));
    expect(err).toBeInstanceOf(Response);
    expect((err as Response).status).toBe(404);
    expect(listTimeline(t.db, mine).map((e) => e.id)).toEqual([ev]);

    deleteTimelineEvent(t.db, mine, ev, asBob);
    expect(listTimeline(t.db, mine)).toEqual([]);
    expect(auditOf(mine)[0]).toMatchObject({ action: "timeline.delete", actor: "bob@example.com", detail: { event: ev, body: "keep me" } });
  });

  it("refuses an event for an unknown incident", () => {
    const err = thrown(() => addTimelineEvent(t.db, 999_999, { at: START, kind: "note", body: "x" }, asAlice));
    expect((err as Response).status).toBe(404);
  });
});

describe("action items", () => {
  const action = (patch: Record<string, unknown>) =>
    actionInputSchema.parse({ title: "Add a freshness alert", owner: "alice", dueAt: "", kind: "detect", ...patch });

  it("stamps completedAt when closed and clears it when reopened", () => {
    const id = createIncident(t.db, input(), asAlice);
    const a = addActionItem(t.db, id, action({ dueAt: "2026-04-01" }), asAlice);
    expect(listActionItems(t.db, id)).toEqual([
      expect.objectContaining({ id: a, title: "Add a freshness alert", owner: "alice", dueAt: Date.UTC(2026, 3, 1), status: "open", kind: "detect", completedAt: null }),
    ]);

    const before = Date.now();
    setActionStatus(t.db, id, a, "done", asBob);
    const done = listActionItems(t.db, id)[0];
    expect(done.status).toBe("done");
    expect(done.completedAt).toBeGreaterThanOrEqual(before);
    expect(done.completedAt).toBeLessThanOrEqual(Date.now());
    expect(auditOf(id)[0]).toMatchObject({ action: "action.status", actor: "bob@example.com", detail: { action: a, from: "open", to: "done" } });

    setActionStatus(t.db, id, a, "open", asBob);
    expect(listActionItems(t.db, id)[0]).toMatchObject({ status: "open", completedAt: null });

    setActionStatus(t.db, id, a, "wont_do", asBob);
    expect(listActionItems(t.db, id)[0].completedAt).toEqual(expect.any(Number));
  });

  it("only changes an action item through its own incident", () => {
    const id = createIncident(t.db, input(), asAlice);
    const other = createIncident(t.db, input(), asAlice);
    const a = addActionItem(t.db, id, action({}), asAlice);
    expect((thrown(() => setActionStatus(t.db, other, a, "done", asAlice)) as Response).status).toBe(404);
    expect(listActionItems(t.db, id)[0].status).toBe("open");
  });

  it("lists open items overdue first, then by due date, undated last", () => {
    const now = Date.UTC(2026, 5, 15, 12);
    const id = createIncident(t.db, input({ title: "Open items incident" }), asAlice);
    const add = (title: string, dueAt: number | null) =>
      addActionItem(t.db, id, { title, owner: "", dueAt, kind: "prevent" }, asAlice);
    const undated = add("undated", null);
    const soon = add("due tomorrow", now + DAY);
    const late = add("two days late", now - 2 * DAY);
    const justLate = add("one minute late", now - MIN);
    const closed = add("done but was late", now - 3 * DAY);
    setActionStatus(t.db, id, closed, "done", asAlice);

    const mine = <T extends { incidentId: number }>(list: { items: T[] }) => list.items.filter((i) => i.incidentId === id);
    expect(mine(listOpenActionItems(t.db, { now })).map((i) => [i.id, i.overdue])).toEqual([
      [late, true],
      [justLate, true],
      [soon, false],
      [undated, false],
    ]);
    expect(mine(listOpenActionItems(t.db, { now, overdueOnly: true })).map((i) => i.id)).toEqual([late, justLate]);
    expect(mine(listOpenActionItems(t.db, { now })).at(0)).toMatchObject({ incidentTitle: "Open items incident", severity: "SEV2", team: "ranking" });
  });

  it("pages through open items, dated then undated, and counts them all", () => {
    const own = makeTestDb();
    try {
      const now = Date.UTC(2026, 5, 15, 12);
      const id = createIncident(own.db, input(), SYSTEM);
      const add = (dueAt: number | null) => addActionItem(own.db, id, { title: `due ${dueAt}`, owner: "", dueAt, kind: "detect" }, SYSTEM);
      const undated = [add(null), add(null), add(null)];
      const dated = [add(now + 3 * DAY), add(now - DAY), add(now + DAY), add(now - 2 * DAY), add(now + 2 * DAY)];
      setActionStatus(own.db, id, add(now - 5 * DAY), "done", SYSTEM);
      const page = (n: number, overdueOnly = false) => {
        const p = listOpenActionItems(own.db, { now, page: n, pageSize: 3, overdueOnly });
        return [p.items.map((i) => i.id), p.hasMore];
      };
      const byDue = [dated[3], dated[1], dated[2], dated[4], dated[0]];
      expect(page(1)).toEqual([byDue.slice(0, 3), true]);
      expect(page(2)).toEqual([[...byDue.slice(3), undated[0]], true]);
      expect(page(3)).toEqual([undated.slice(1), false]);
      expect(page(4)).toEqual([[], false]);
      expect(page(1, true)).toEqual([[dated[3], dated[1]], false]);
      expect(countOpenActionItems(own.db, now)).toEqual({ open: 8, overdue: 2 });
    } finally {
      own.cleanup();
    }
  });
});
