import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { users, type User } from "../../db/schema";
import { addActionItem, listOpenActionItems, updateActionItem, deleteActionItem } from "~/domain/actions.server";
import { alertRules } from "~/domain/alert-queries.server";
import { modelLabels, receiveDelivery } from "~/domain/alerts.server";
import { AssignmentError, assignIncident, claimIncident, myWork } from "~/domain/assignments.server";
import { listAudit, type Actor } from "~/domain/audit.server";
import { classifyIncident, classificationSchema } from "~/domain/classification.server";
import { addComment, mentionedUsers } from "~/domain/comments.server";
import { TriageError, dismissDraft, findIncidents, mergeDraft } from "~/domain/drafts.server";
import { describeChange } from "~/domain/history.server";
import { createIncident, getIncident, incidentInputSchema } from "~/domain/incidents.server";
import { TransitionError, changeStatus } from "~/domain/lifecycle.server";
import { ensureModelVersion, linkVersion } from "~/domain/models.server";
import { createChannel } from "~/domain/notifications.server";
import { enqueueActionDigests } from "~/domain/notifications/digest.server";
import { fillTemplate, generatedBlocks, incidentFacts, refreshGenerated } from "~/domain/postmortem-draft.server";
import { savePostmortem } from "~/domain/postmortems.server";
import { ReviewError, decideReview, requestReview, reviewApproval, reviewStates } from "~/domain/reviews.server";
import { loadTaxonomy, syncTaxonomy } from "~/domain/taxonomy.server";
import { addTimelineEvent, deleteTimelineEvent, updateTimelineEvent } from "~/domain/timeline.server";
import { listTemplates } from "~/utils/content.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { parseWebhook } from "~/webhooks/index";
import { makeTestDb, type TestDb } from "../helpers/db";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const BOT: Actor = { id: null, label: "token:alertmanager" };

let t: TestDb;
let ada: User, bob: User, carol: User, dave: User;
const as = (u: User): Actor & { id: number } => ({ id: u.id, label: u.email });

function addUser(email: string, name: string, role: "viewer" | "editor" | "admin" = "editor"): User {
  return t.db.insert(users).values({ email, name, role, passwordHash: "unused" }).returning().get();
}

function newIncident(patch: Record<string, unknown> = {}, actor: Actor = as(ada)): number {
  return createIncident(
    t.db,
    incidentInputSchema.parse({
      title: "Ranking model served stale features",
      severity: "SEV2",
      team: "ranking",
      summary: "The feature store stopped refreshing user embeddings.",
      impact: "Click-through fell 8% for two hours.",
      detectionSource: "alert",
      startedAt: "2026-03-01T10:00",
      detectedAt: "2026-03-01T10:20",
      mitigatedAt: "",
      resolvedAt: "",
      ...patch,
    }),
    actor,
  );
}

/** An Alertmanager delivery of one alert of `rule` in group `group`, received at `now`. */
function alert(rule: string, status: "firing" | "resolved", group: string, now: number, extra: Record<string, string> = {}, startsAt = now - 5 * MIN) {
  const body = JSON.stringify({
    version: "4",
    groupKey: group,
    status,
    receiver: "faultline",
    alerts: [
      {
        status,
        labels: { alertname: rule, severity: "critical", team: "ranking", ...extra },
        annotations: { summary: `${rule} on ranking`, runbook_url: "https://runbooks.example.com/ctr" },
        startsAt: new Date(startsAt).toISOString(),
        endsAt: status === "resolved" ? new Date(now).toISOString() : "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus.example.com/graph?g0.expr=ctr",
        fingerprint: `${rule}-${group}`,
      },
    ],
  });
  const events = parseWebhook("alertmanager", JSON.parse(body), { modelLabel: modelLabels().model });
  return receiveDelivery(t.db, { sender: "alertmanager", headers: {}, body, tokenId: null }, events, BOT, now);
}

const outbox = (event?: string) =>
  t.db.$client.prepare(`select * from notification_outbox ${event ? "where event = ?" : ""} order by id`).all(...(event ? [event] : [])) as {
    event: string;
    transport: string;
    recipient: string | null;
    channel_id: number | null;
    dedupe_key: string;
    subject: string;
    body: string;
  }[];
const count = (sql: string, ...p: unknown[]) => (t.db.$client.prepare(sql).get(...p) as { n: number }).n;

let savedSmtp: string | undefined;
beforeAll(() => {
  // Email rows are written only when SMTP is configured; nothing is sent in these tests (no sender runs).
  savedSmtp = process.env.SMTP_URL;
  process.env.SMTP_URL = "smtp://127.0.0.1:9";
});
afterAll(() => {
  if (savedSmtp === undefined) delete process.env.SMTP_URL;
  else process.env.SMTP_URL = savedSmtp;
});
beforeEach(() => {
  t = makeTestDb();
  ada = addUser("ada@example.com", "Ada");
  bob = addUser("bob@example.com", "Bob");
  carol = addUser("carol@example.com", "Carol");
  dave = addUser("dave@example.org", "Dave");
});
afterEach(() => t.cleanup());

describe("a postmortem drafted from the facts", () => {
  it("fills every section from the incident, with no invented example and no hint in the rendered page", () => {
    syncTaxonomy(t.db, loadTaxonomy());
    const opened = alert("CTRDrop", "firing", "g-ctr", Date.UTC(2026, 2, 1, 10, 5));
    const id = opened.opened[0];
    alert("CTRDrop", "resolved", "g-ctr", Date.UTC(2026, 2, 1, 11, 40));
    claimIncident(t.db, id, as(ada));
    addTimelineEvent(t.db, id, { at: Date.UTC(2026, 2, 1, 10, 30), kind: "rollback", body: "Rolled back to ranker 41 | previous" }, as(ada));
    linkVersion(t.db, id, ensureModelVersion(t.db, "ranker", "42"), "suspected_cause", as(ada));
    const cls = t.db.$client.prepare("select id from failure_classes where kind = 'class' and parent_id is not null and status = 'active' limit 1").get() as { id: string };
    classifyIncident(t.db, id, classificationSchema.parse({ primary: cls.id }), as(ada));
    addActionItem(t.db, id, { title: "Alert on feature staleness", owner: "", assigneeId: bob.id, dueAt: Date.UTC(2026, 2, 15), kind: "detect" }, as(ada));

    const standard = listTemplates().find((tpl) => tpl.id === "standard")!;
    expect(standard.markdown).not.toMatch(/2024-03-04|data-platform|ranking on-call/);
    const md = fillTemplate(standard.markdown, incidentFacts(t.db, id));
    expect(generatedBlocks(md)).toEqual(["summary", "impact", "times", "timeline", "classification", "models", "actions"]);
    expect(md).toContain("CTRDrop firing");
    expect(md).toContain("CTRDrop resolved");
    expect(md).toContain("Status: draft → investigating");
    expect(md).toContain("Rolled back to ranker 41 \\| previous");
    expect(md).toContain("**ranker** 42 (serving): suspected cause");
    expect(md).toMatch(/Primary class: \*\*/);
    expect(md).toContain("| Alert on feature staleness | detect | Bob | 2026-03-15 | open |");
    expect(md).toContain("| Detected | 2026-03-01 10:05 UTC | 5m |");
    const html = renderMarkdown(md);
    expect(html).not.toContain("Hint:");
    expect(html).not.toContain("generated:");
    expect(html).toContain("<td>Rolled back to ranker 41 | previous</td>");
  });

  it("refreshes only the blocks nobody edited and never touches a person's text", () => {
    const id = newIncident();
    const standard = listTemplates().find((tpl) => tpl.id === "standard")!;
    let md = fillTemplate(standard.markdown, incidentFacts(t.db, id));
    md = md.replace("The feature store stopped refreshing user embeddings.", "Embeddings froze at 02:00; our words now.");
    md = md.replace("## What went well\n", "## What went well\n\nThe rollback script worked first time.\n");
    addTimelineEvent(t.db, id, { at: Date.UTC(2026, 2, 1, 10, 45), kind: "action", body: "Restarted the refresher" }, as(ada));
    addActionItem(t.db, id, { title: "Page on refresher lag", owner: "sre", dueAt: null, kind: "detect" }, as(ada));
    const r = refreshGenerated(md, incidentFacts(t.db, id));
    expect(r.kept).toEqual(["summary"]);
    expect(r.refreshed).toEqual(["impact", "times", "timeline", "classification", "models", "actions"]);
    expect(r.markdown).toContain("Embeddings froze at 02:00; our words now.");
    expect(r.markdown).toContain("The rollback script worked first time.");
    expect(r.markdown).toContain("Restarted the refresher");
    expect(r.markdown).toContain("| Page on refresher lag | detect | sre | — | open |");
    // A second refresh with nothing new changes nothing.
    expect(refreshGenerated(r.markdown, incidentFacts(t.db, id)).markdown).toBe(r.markdown);
  });
});

describe("people, not strings", () => {
  it("assigns owner, lead and action items to people, tells them once, and lists their work", () => {
    createChannel(t.db, { name: "ops", kind: "slack", url: "https://chat.example.com/hooks/x", secret: "", events: ["assigned"] }, as(ada));
    const id = newIncident();
    assignIncident(t.db, id, "owner", bob.id, as(ada));
    assignIncident(t.db, id, "owner", bob.id, as(ada)); // no change, no second notice
    assignIncident(t.db, id, "lead", ada.id, as(ada)); // the actor is not emailed about themselves
    const actionId = addActionItem(t.db, id, { title: "Freshness check", owner: "", assigneeId: carol.id, dueAt: Date.UTC(2026, 2, 10), kind: "detect" }, as(ada));
    const rows = outbox("assigned");
    expect(rows.filter((r) => r.transport === "email").map((r) => r.recipient)).toEqual(["bob@example.com", "carol@example.com"]);
    expect(rows.filter((r) => r.transport === "slack")).toHaveLength(3);
    expect(getIncident(t.db, id)!.incident).toMatchObject({ ownerId: bob.id, leadId: ada.id });

    expect(myWork(t.db, bob.id).incidents.map((i) => [i.id, i.roles])).toEqual([[id, "owner"]]);
    expect(myWork(t.db, carol.id).actions.map((a) => a.title)).toEqual(["Freshness check"]);
    expect(listOpenActionItems(t.db, { assigneeId: carol.id }).items.map((a) => a.assignee)).toEqual(["Carol"]);
    expect(listOpenActionItems(t.db, { assigneeId: bob.id }).items).toEqual([]);

    const viewer = addUser("vic@example.com", "Vic", "viewer");
    expect(() => assignIncident(t.db, id, "owner", viewer.id, as(ada))).toThrow(AssignmentError);
    updateActionItem(t.db, id, actionId, { title: "Freshness check per table", owner: "", assigneeId: dave.id, dueAt: Date.UTC(2026, 2, 12), kind: "detect" }, as(ada));
    expect(myWork(t.db, dave.id).actions.map((a) => a.title)).toEqual(["Freshness check per table"]);
    const history = listAudit(t.db, { entity: "incident", entityId: id }).map((h) => describeChange(h.action, h.detail));
    expect(history).toContain("Owner: Bob");
    expect(history).toContain("Action item “Freshness check per table” edited: title “Freshness check” → “Freshness check per table”; due date 2026-03-10 → 2026-03-12");
  });

  it("a claimed draft leaves draft with its claimer as owner", () => {
    const id = alert("CTRDrop", "firing", "g-claim", Date.UTC(2026, 2, 1, 10)).opened[0];
    expect(getIncident(t.db, id)!.incident).toMatchObject({ status: "draft", ownerId: null });
    claimIncident(t.db, id, as(bob));
    expect(getIncident(t.db, id)!.incident).toMatchObject({ status: "investigating", ownerId: bob.id });
  });
});

describe("review gates the close", () => {
  it("needs another look once the postmortem changed after its approval", () => {
    const id = newIncident({ severity: "SEV3", mitigatedAt: "2026-03-01T11:00", resolvedAt: "2026-03-01T12:00" });
    const first = savePostmortem(t.db, id, 0, "# What happened\n\nThe refresher stopped.", as(ada));
    changeStatus(t.db, id, "in_review", as(ada));
    requestReview(t.db, id, [bob.id], as(ada));
    decideReview(t.db, id, "approved", { body: "", quote: "" }, as(bob));
    expect(reviewApproval(t.db, id)).toEqual({ ok: true });
    const approvedAt = Date.now();
    while (Date.now() === approvedAt); // the edit comes strictly after the approval
    if (!first.ok) throw new Error("the first save failed");
    savePostmortem(t.db, id, first.rev, "# What happened\n\nThe refresher stopped; nobody was paged.", as(ada));
    expect(reviewApproval(t.db, id)).toEqual({ ok: false, reason: "The postmortem changed after Bob approved it: request the review again." });
    expect(() => changeStatus(t.db, id, "closed", as(ada))).toThrow("Cannot close: its review is not approved");
    requestReview(t.db, id, [bob.id], as(ada));
    decideReview(t.db, id, "approved", { body: "Still fine.", quote: "" }, as(bob));
    changeStatus(t.db, id, "closed", as(ada));
    expect(getIncident(t.db, id)!.incident.status).toBe("closed");
  });

  it("refuses to close an incident in review until a reviewer approves, and no reviewer asks for changes", () => {
    // SEV3: of the closing rules only "resolved" and the review's approval apply.
    const id = newIncident({ severity: "SEV3", mitigatedAt: "2026-03-01T11:00", resolvedAt: "2026-03-01T12:00" });
    changeStatus(t.db, id, "in_review", as(ada));
    expect(() => changeStatus(t.db, id, "closed", as(ada))).toThrow("Cannot close: its review is not approved");
    expect(reviewApproval(t.db, id)).toEqual({ ok: false, reason: "Request a review: closing an incident in review needs an approval." });
    expect(() => requestReview(t.db, id, [ada.id], as(ada))).toThrow(ReviewError);
    requestReview(t.db, id, [bob.id, carol.id], as(ada));
    expect(reviewStates(t.db, [id]).get(id)).toBe("requested");
    expect(() => changeStatus(t.db, id, "closed", as(ada))).toThrow("Cannot close: its review is not approved");
    expect(reviewApproval(t.db, id)).toEqual({ ok: false, reason: "No reviewer has approved the postmortem yet." });
    expect(() => decideReview(t.db, id, "approved", { body: "", quote: "" }, as(dave))).toThrow(ReviewError);

    decideReview(t.db, id, "changes_requested", { body: "Say why the refresher stopped.", quote: "stopped refreshing" }, as(bob));
    decideReview(t.db, id, "approved", { body: "", quote: "" }, as(carol));
    expect(reviewStates(t.db, [id]).get(id)).toBe("changes_requested");
    expect(reviewApproval(t.db, id)).toEqual({ ok: false, reason: "Bob asked for changes: they approve before it closes." });
    expect(() => changeStatus(t.db, id, "closed", as(ada))).toThrow(TransitionError);

    decideReview(t.db, id, "approved", { body: "Thanks, clear now.", quote: "" }, as(bob));
    expect(reviewApproval(t.db, id)).toEqual({ ok: true });
    changeStatus(t.db, id, "closed", as(ada));
    expect(getIncident(t.db, id)!.incident.status).toBe("closed");
    const events = outbox().map((r) => `${r.event}:${r.recipient}`);
    expect(events).toEqual([
      "review_requested:bob@example.com",
      "review_requested:carol@example.com",
      "review_decided:ada@example.com",
      "review_decided:ada@example.com",
      "review_decided:ada@example.com",
    ]);
    const history = listAudit(t.db, { entity: "incident", entityId: id }).map((h) => describeChange(h.action, h.detail));
    expect(history[0]).toBe("Status: in review → closed");
    expect(history).toContain("Review requested from Carol");
  });

  it("mentions tell the people named, by email or by an unambiguous handle", () => {
    addUser("bob@example.org", "Other Bob");
    const id = newIncident();
    // "@bob" names two people here, so nobody is told; "mail@carol" is an address, not a mention.
    expect(mentionedUsers(t.db, "cc @carol, @dave@example.org and @bob; not mail@carol.").map((u) => u.email).sort()).toEqual(["carol@example.com", "dave@example.org"]);
    addComment(t.db, id, { body: "@carol can you check the timeline? cc @dave@example.org", quote: "" }, as(ada));
    expect(outbox("mentioned").map((r) => r.recipient).sort()).toEqual(["carol@example.com", "dave@example.org"]);
  });
});

describe("triage of drafts", () => {
  it("dismisses a draft as noise: its alerts stay, triaged noise, counted against the rule, and do not reopen it", () => {
    const now = Date.UTC(2026, 2, 1, 10);
    const id = alert("FlakyProbe", "firing", "g-flaky", now).opened[0];
    expect(() => dismissDraft(t.db, newIncident(), as(ada))).toThrow(TriageError);
    expect(dismissDraft(t.db, id, as(ada))).toEqual({ alerts: 1 });
    expect(getIncident(t.db, id)).toBeUndefined();
    expect(t.db.$client.prepare("select triage, incident_id from alerts where rule_name = 'FlakyProbe'").get()).toEqual({ triage: "noise", incident_id: null });
    expect(alertRules(t.db).find((r) => r.rule === "FlakyProbe")).toMatchObject({ alerts: 1, real: 0, precision: 0 });
    alert("FlakyProbe", "firing", "g-flaky", now + MIN, {}, now - 5 * MIN); // the same firing, notified again
    expect(count("select count(*) n from incidents where title like 'FlakyProbe%'")).toBe(0);
    const audit = listAudit(t.db, { entity: "incident", entityId: id })[0];
    expect(JSON.parse(audit.detail)).toMatchObject({ title: expect.stringContaining("FlakyProbe"), rules: ["FlakyProbe"] });
  });

  it("merges a draft into the incident it belongs to: alerts, timeline and links move, both histories say so", () => {
    const target = newIncident({ title: "Ranking outage (CTR)" });
    const draft = alert("CTRDrop", "firing", "g-merge", Date.UTC(2026, 2, 1, 10, 30), { model: "ranker", model_version: "42" }).opened[0];
    addTimelineEvent(t.db, draft, { at: Date.UTC(2026, 2, 1, 10, 35), kind: "note", body: "Same as the ranking outage" }, as(ada));
    expect(findIncidents(t.db, "ranking outage", draft).map((r) => r.id)).toEqual([target]);
    expect(findIncidents(t.db, `#${target}`).map((r) => r.id)).toEqual([target]);
    const moved = mergeDraft(t.db, draft, target, as(ada));
    expect(moved).toMatchObject({ alerts: 1, timeline: 2, models: 1 });
    expect(getIncident(t.db, draft)).toBeUndefined();
    expect(count("select count(*) n from alerts where incident_id = ?", target)).toBe(1);
    expect(count("select count(*) n from timeline_events where incident_id = ?", target)).toBe(2);
    expect(count("select count(*) n from incident_models where incident_id = ?", target)).toBe(1);
    // Now linked to an incident that is not a draft, the alert counts as real for its rule.
    expect(alertRules(t.db).find((r) => r.rule === "CTRDrop")).toMatchObject({ alerts: 1, real: 1 });
    expect(describeChange(...pick(listAudit(t.db, { entity: "incident", entityId: target })[0]))).toMatch(new RegExp(`^Merged draft #${draft} .* into this incident: 1 alerts, 2 timeline entries moved$`));
    expect(describeChange(...pick(listAudit(t.db, { entity: "incident", entityId: draft })[0]))).toBe(`Merged into #${target} “Ranking outage (CTR)”`);
    expect(() => mergeDraft(t.db, target, draft, as(ada))).toThrow(TriageError);
  });
});

const pick = (h: { action: string; detail: string }) => [h.action, h.detail] as const;

describe("editing keeps what was deleted", () => {
  it("edits and deletes timeline entries and action items, the history in words", () => {
    const id = newIncident();
    const eventId = addTimelineEvent(t.db, id, { at: Date.UTC(2026, 2, 1, 10, 5), kind: "observation", body: "CTR down" }, as(ada));
    updateTimelineEvent(t.db, id, eventId, { at: Date.UTC(2026, 2, 1, 10, 6), kind: "observation", body: "CTR down 8%" }, as(ada));
    deleteTimelineEvent(t.db, id, eventId, as(ada));
    const actionId = addActionItem(t.db, id, { title: "Write the runbook", owner: "sre", dueAt: null, kind: "process" }, as(ada));
    deleteActionItem(t.db, id, actionId, as(ada));
    const audit = listAudit(t.db, { entity: "incident", entityId: id });
    expect(JSON.parse(audit[0].detail).deleted).toMatchObject({ title: "Write the runbook", owner: "sre", kind: "process" });
    expect(audit.slice(0, 4).map((h) => describeChange(h.action, h.detail))).toEqual([
      "Action item deleted: “Write the runbook”",
      "Action item added: “Write the runbook”",
      "Timeline entry deleted (2026-03-01 10:06 UTC, observation): “CTR down 8%”",
      "Timeline entry edited: time 2026-03-01 10:05 UTC → 2026-03-01 10:06 UTC; text “CTR down” → “CTR down 8%”",
    ]);
  });

  it("keeps status entries as written: they cannot be edited or deleted", () => {
    const id = newIncident({ severity: "SEV3" });
    const noon = Date.UTC(2026, 2, 1, 12);
    changeStatus(t.db, id, "resolved", as(ada), { times: { mitigatedAt: noon, resolvedAt: noon } });
    const entry = t.db.$client.prepare("select id, body from timeline_events where incident_id = ? and kind = 'status'").get(id) as { id: number; body: string };
    const refused = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return e instanceof Response ? e.status : -1;
      }
      return 0;
    };
    expect(refused(() => updateTimelineEvent(t.db, id, entry.id, { at: noon, kind: "note", body: "rewritten" }, as(ada)))).toBe(400);
    expect(refused(() => deleteTimelineEvent(t.db, id, entry.id, as(ada)))).toBe(400);
    expect(t.db.$client.prepare("select body from timeline_events where id = ?").get(entry.id)).toEqual({ body: entry.body });
  });

  it("says stamped times in words", () => {
    const id = newIncident();
    const noon = Date.UTC(2026, 2, 1, 12);
    changeStatus(t.db, id, "resolved", as(ada), { times: { mitigatedAt: noon, resolvedAt: noon } });
    const h = listAudit(t.db, { entity: "incident", entityId: id })[0];
    expect(describeChange(h.action, h.detail)).toBe("Status: investigating → resolved; mitigated time set to 2026-03-01 12:00 UTC; resolved time set to 2026-03-01 12:00 UTC");
  });
});

describe("notices enqueued with their event", () => {
  it("a draft opened by an alert tells the channels in the ingest transaction, once", () => {
    createChannel(t.db, { name: "incidents", kind: "webhook", url: "https://hooks.example.com/faultline", secret: "0123456789abcdef", events: ["draft_opened"] }, as(ada));
    const now = Date.UTC(2026, 2, 1, 10);
    const first = alert("CTRDrop", "firing", "g-notice", now);
    alert("CTRDrop", "firing", "g-notice", now); // the same body again: a duplicate delivery
    alert("CTRDrop", "firing", "g-notice", now + MIN, {}, now - 5 * MIN); // a repeat notification of the same firing
    const rows = outbox("draft_opened");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ transport: "webhook", subject: `Alert opened draft #${first.opened[0]}: CTRDrop on ranking` });
  });

  it("sends each person one digest a day of their action items due within 3 days or overdue", () => {
    const id = newIncident();
    const now = Date.UTC(2026, 2, 10, 6);
    addActionItem(t.db, id, { title: "Overdue fix", owner: "", assigneeId: bob.id, dueAt: now - 2 * DAY, kind: "prevent" }, as(ada));
    addActionItem(t.db, id, { title: "Due soon", owner: "", assigneeId: bob.id, dueAt: now + 2 * DAY, kind: "detect" }, as(ada));
    addActionItem(t.db, id, { title: "Due later", owner: "", assigneeId: bob.id, dueAt: now + 5 * DAY, kind: "detect" }, as(ada));
    addActionItem(t.db, id, { title: "Carol's", owner: "", assigneeId: carol.id, dueAt: now + DAY, kind: "detect" }, as(ada));
    addActionItem(t.db, id, { title: "Nobody's", owner: "data team", dueAt: now - DAY, kind: "detect" }, as(ada));
    expect(enqueueActionDigests(t.db, now)).toBe(2);
    expect(enqueueActionDigests(t.db, now + 3 * 3600_000)).toBe(0);
    const digests = outbox("action_digest");
    expect(digests.map((d) => d.recipient)).toEqual(["bob@example.com", "carol@example.com"]);
    expect(digests[0].subject).toBe("Action items for Bob: 1 overdue, 1 due soon");
    expect(digests[0].body).toContain("Overdue fix");
    expect(digests[0].body).not.toContain("Due later");
    expect(enqueueActionDigests(t.db, now + DAY)).toBe(2);
  });
});
