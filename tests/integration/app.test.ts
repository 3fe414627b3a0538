import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, Client, incidentIdFrom, setupAdmin, signIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;

const incidentForm = {
  title: "Ranking model served stale features",
  severity: "SEV2",
  team: "ranking",
  detectionSource: "alert",
  startedAt: "2026-03-01T10:00",
  detectedAt: "2026-03-01T10:20",
  mitigatedAt: "",
  resolvedAt: "",
  summary: "The feature store stopped refreshing user embeddings.",
  impact: "Click-through fell 8% for two hours.",
};

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.dispose();
});

describe("first run and sign-in", () => {
  it("sends the first visitor to create the admin, then never again", async () => {
    const anon = new Client(server.url);
    expect((await anon.get("/incidents")).headers.get("Location")).toBe("/setup");
    admin = await setupAdmin(server.url);
    expect((await admin.get("/incidents")).status).toBe(200);
    const later = new Client(server.url);
    expect((await later.get("/setup")).headers.get("Location")).toBe("/login");
    expect((await later.get("/incidents?status=draft")).headers.get("Location")).toBe(
      "/login?redirectTo=%2Fincidents%3Fstatus%3Ddraft",
    );
  });

  it("rejects a form without this browser's CSRF token", async () => {
    const res = await admin.post("/incidents/new", { ...incidentForm, csrf: "forged-token-forged-token-forged-token" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("expired or came from another site");
  });

  it("rejects a wrong password with a form error and keeps the user signed out", async () => {
    const anon = new Client(server.url);
    const res = await anon.submit("/login", { email: ADMIN.email, password: "wrong password!" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("do not match an account");
    expect((await anon.get("/incidents")).status).toBe(302);
  });

  it("signs out and invalidates the session server-side", async () => {
    const c = await signIn(server.url, ADMIN.email, ADMIN.password);
    const cookie = (c as unknown as { cookieHeader(): string }).cookieHeader();
    expect((await c.submit("/incidents", {}, "/logout")).headers.get("Location")).toBe("/login");
    const replay = await fetch(`${server.url}/incidents`, { redirect: "manual", headers: { Cookie: cookie } });
    expect(replay.status).toBe(302);
  });
});

describe("roles", () => {
  let viewer: Client;
  beforeAll(async () => {
    const res = await admin.submit("/settings/users", {
      intent: "create",
      name: "Vic Viewer",
      email: "vic@example.com",
      role: "viewer",
      password: "viewer password 1",
    });
    expect(res.status).toBe(302);
    viewer = await signIn(server.url, "vic@example.com", "viewer password 1");
  });

  it("lets viewers read but not write", async () => {
    expect((await viewer.get("/incidents")).status).toBe(200);
    expect((await viewer.get("/incidents/new")).status).toBe(403);
    const { body } = await viewer.html("/incidents");
    expect(body).not.toContain("New incident");
    const token = /name="csrf" value="([^"]+)"/.exec(body)![1];
    expect((await viewer.post("/incidents/new", { ...incidentForm, csrf: token })).status).toBe(403);
  });

  it("keeps user management to admins", async () => {
    expect((await viewer.get("/settings/users")).status).toBe(403);
    expect((await viewer.get("/settings/audit")).status).toBe(403);
  });

  it("refuses a duplicate email with a field error", async () => {
    const res = await admin.submit("/settings/users", {
      intent: "create",
      name: "Again",
      email: "VIC@example.com",
      role: "editor",
      password: "another password",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("vic@example.com already has an account");
  });
});

describe("incidents and postmortems over HTTP", () => {
  let id: number;

  it("explains bad input field by field and creates nothing", async () => {
    const res = await admin.submit("/incidents/new", { ...incidentForm, title: "x", detectedAt: "2026-03-01T09:00" });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain("Give the incident a title");
    expect(body).toContain("Must not be before the start");
    expect(await (await admin.get("/incidents")).text()).toContain("0 incidents");
  });

  it("creates an incident, shows its durations and moves it through the lifecycle", async () => {
    id = incidentIdFrom(await admin.submit("/incidents/new", incidentForm));
    let page = await (await admin.get(`/incidents/${id}`)).text();
    expect(page).toContain("Ranking model served stale features");
    expect(page).toMatch(/<b>20m<\/b><span>time to detect<\/span>/);
    // Each move confirms the times it implies on the status page.
    const moves: [string, Record<string, string>][] = [
      ["mitigated", { detectedAt: "2026-03-01T10:20", mitigatedAt: "2026-03-01T10:45" }],
      ["resolved", { detectedAt: "2026-03-01T10:20", mitigatedAt: "2026-03-01T10:45", resolvedAt: "2026-03-01T12:00" }],
      ["in_review", { detectedAt: "2026-03-01T10:20", mitigatedAt: "2026-03-01T10:45", resolvedAt: "2026-03-01T12:00" }],
    ];
    for (const [to, times] of moves) {
      const res = await admin.submit(`/incidents/${id}/status?to=${to}`, { to, ...times, note: "" });
      expect(res.status, to).toBe(302);
    }
    // Closing a SEV2 in review needs a confirmed class, a postmortem and an approved review: all three are listed.
    const closing = { to: "closed", detectedAt: "2026-03-01T10:20", mitigatedAt: "2026-03-01T10:45", resolvedAt: "2026-03-01T12:00", note: "" };
    const refused = await admin.submit(`/incidents/${id}/status?to=closed`, closing);
    expect(refused.status).toBe(400);
    const reasons = await refused.text();
    expect(reasons).toContain("Cannot close: its review is not approved");
    expect(reasons).toContain("Cannot close: its primary class is not confirmed");
    expect(reasons).toContain("Cannot close: it has no postmortem");
    const reviewer = await admin.submit("/settings/users", { intent: "create", name: "Rita Reviewer", email: "rita@example.com", role: "editor", password: "reviewer password 1" });
    expect(reviewer.status).toBe(302);
    const db = new Database(server.dbFile, { readonly: true });
    const ritaId = String((db.prepare("select id from users where email = 'rita@example.com'").get() as { id: number }).id);
    db.close();
    expect((await admin.submit(`/incidents/${id}/review`, { intent: "review.request", reviewers: [ritaId] })).status).toBe(302);
    const rita = await signIn(server.url, "rita@example.com", "reviewer password 1");
    expect((await rita.submit(`/incidents/${id}/review`, { intent: "review.comment", body: "", quote: "", verdict: "approved" })).status).toBe(302);
    // Approved: the review no longer stands in the way; the class and the postmortem still do.
    const stillRefused = await (await admin.submit(`/incidents/${id}/status?to=closed`, closing)).text();
    expect(stillRefused).not.toContain("Cannot close: its review is not approved");
    expect(stillRefused).toContain("Cannot close: it has no postmortem");
    page = await (await admin.get(`/incidents/${id}`)).text();
    expect(page).toContain('class="badge status-in_review">in review');
    expect(page).toMatch(/<b>2h 00m<\/b><span>time to resolve<\/span>/);
    const illegal = await admin.submit(`/incidents/${id}/status`, { to: "draft" });
    expect(illegal.status).toBe(400);
    expect(await illegal.text()).toContain("cannot go from in_review to draft");
  });

  it("renders the postmortem sanitized and refuses a stale save", async () => {
    const editor = await (await admin.get(`/incidents/${id}/postmortem`)).text();
    expect(editor).toContain("## Root cause");
    const md = "## Root cause\n\nA cron job **stopped**.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))";
    expect((await admin.submit(`/incidents/${id}/postmortem`, { intent: "save", rev: "0", markdown: md })).status).toBe(302);
    const page = await (await admin.get(`/incidents/${id}`)).text();
    expect(page).toContain("A cron job <strong>stopped</strong>.");
    expect(page).not.toContain("<script>alert(1)");
    expect(page).not.toContain("javascript:");
    const stale = await admin.submit(`/incidents/${id}/postmortem`, { intent: "save", rev: "0", markdown: "## Mine" });
    expect(stale.status).toBe(409);
    const conflict = await stale.text();
    expect(conflict).toContain("Nothing was overwritten");
    expect(conflict).toContain("## Mine");
    expect(await (await admin.get(`/incidents/${id}`)).text()).toContain("A cron job <strong>stopped</strong>.");
  });

  it("refuses a stale edit of the details and keeps the editor's values", async () => {
    const times = { mitigatedAt: "2026-03-01T10:45", resolvedAt: "2026-03-01T12:00" }; // as the form shows them
    const res = await admin.submit(`/incidents/${id}/edit`, { ...incidentForm, ...times, version: "1", title: "My newer title" });
    expect(res.status).toBe(409);
    const body = await res.text();
    expect(body).toContain("Someone else saved this incident");
    expect(body).toContain('value="My newer title"');
  });

  it("adds timeline entries and action items; open ones appear on the action items page", async () => {
    expect(
      (await admin.submit(`/incidents/${id}`, { intent: "timeline.add", at: "2026-03-01T10:05", kind: "deploy", body: "Pushed feature-store v2" })).status,
    ).toBe(302);
    const badEntry = await admin.submit(`/incidents/${id}`, { intent: "timeline.add", at: "yesterday", kind: "deploy", body: "" });
    expect(badEntry.status).toBe(400);
    expect(await badEntry.text()).toContain("Say what happened.");
    expect(
      (await admin.submit(`/incidents/${id}`, { intent: "action.add", title: "Alert on feature freshness", owner: "sam", dueAt: "2026-01-01", kind: "detect" })).status,
    ).toBe(302);
    const page = await (await admin.get(`/incidents/${id}`)).text();
    expect(page).toContain("Pushed feature-store v2");
    const actions = await (await admin.get("/actions?overdue=1")).text();
    expect(actions).toContain("Alert on feature freshness");
    expect(actions).toContain("(overdue)");
    // Assigned to a person: listed under their name, filtered by owner, marked done from the list.
    expect(
      (await admin.submit(`/incidents/${id}`, { intent: "action.add", title: "Backfill the feature store", owner: "", assigneeId: "1", dueAt: "2026-01-02", kind: "mitigate" })).status,
    ).toBe(302);
    let mine = await (await admin.get("/actions?owner=me")).text();
    expect(mine).toContain("Backfill the feature store");
    expect(mine).not.toContain("Alert on feature freshness");
    expect(mine).toContain("<td>Ada Admin</td>");
    const actionId = /name="actionId" value="(\d+)"/.exec(mine)![1];
    const done = await admin.submit("/actions?owner=me", { incidentId: String(id), actionId, back: "?owner=me" }, "/actions");
    expect(done.headers.get("Location")).toBe("/actions?owner=me#actions-list");
    mine = await (await admin.get("/actions?owner=me")).text();
    expect(mine).not.toContain("Backfill the feature store");
    expect(mine).toContain("No open action items.");
  });

  it("filters and searches the list through the URL", async () => {
    await admin.submit("/incidents/new", { ...incidentForm, title: "GPU node pool exhausted", team: "platform", severity: "SEV1", summary: "Training jobs queued for hours." });
    const search = await (await admin.get("/incidents?q=embeddings")).text();
    expect(search).toContain("Ranking model served stale features");
    expect(search).not.toContain("GPU node pool exhausted");
    const byTeam = await (await admin.get("/incidents?team=platform&severity=SEV1")).text();
    expect(byTeam).toContain("GPU node pool exhausted");
    expect(byTeam).not.toContain("Ranking model served stale features");
    const postmortemWord = await (await admin.get("/incidents?q=cron")).text();
    expect(postmortemWord).toContain("1 incident<");
  });

  it("records every change in the audit log", async () => {
    const db = new Database(server.dbFile, { readonly: true });
    const actions = db.prepare("select action from audit_log where entity = 'incident' and entity_id = ? order by id").all(String(id)) as { action: string }[];
    db.close();
    expect(actions.map((a) => a.action)).toEqual([
      "create", "status", "status", "status", "review.request", "comment", "review.decide", "postmortem", "timeline.add", "action.add", "action.add", "action.assign", "action.status",
    ]);
    expect(await (await admin.get("/settings/audit")).text()).toContain("postmortem");
  });

  it("answers unknown incidents with 404", async () => {
    expect((await admin.get("/incidents/999999")).status).toBe(404);
    expect((await admin.get("/incidents/abc")).status).toBe(404);
  });
});
