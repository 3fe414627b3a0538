import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIncidentByForm, setupAdmin, signIn, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;
let id: number;

const VIEWER = { name: "Val Viewer", email: "val@example.com", password: "viewer password 1" };

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
  id = await createIncidentByForm(admin, {
    title: "Ranker served stale embeddings",
    severity: "SEV1",
    team: "ranking",
    detectionSource: "alert",
    startedAt: "2026-11-20T08:00",
    detectedAt: "2026-11-20T08:10",
  });
  await admin.submit(`/incidents/${id}`, { intent: "timeline.add", at: "2026-11-20T09:30", kind: "rollback", body: "Rolled back the ranker to v41" });
  await admin.submit("/settings/users", { intent: "create", ...VIEWER, role: "viewer" });
});
afterAll(async () => {
  await server?.dispose();
});

/** The times this incident really had, as a person confirms them on the status form. */
const DETECTED = "2026-11-20T08:10";
const MITIGATED = "2026-11-20T09:30";

function incidentRow() {
  const db = new Database(server.dbFile, { readonly: true });
  const row = db.prepare("select status, detected_at, mitigated_at, resolved_at, version from incidents where id = ?").get(id);
  db.close();
  return row;
}

describe("the status page", () => {
  it("offers each allowed move from the incident page as a link that works without JavaScript", async () => {
    const page = await (await admin.get(`/incidents/${id}`)).text();
    for (const to of ["mitigated", "resolved", "in_review", "closed"]) expect(page).toContain(`href="/incidents/${id}/status?to=${to}"`);
  });

  it("asks when it was mitigated, suggesting the rollback on the timeline", async () => {
    const page = await (await admin.get(`/incidents/${id}/status?to=mitigated`)).text();
    expect(page).toContain("Move #" + id + " to mitigated");
    expect(page).toMatch(/name="detectedAt" type="datetime-local" step="1" required="" value="2026-11-20T08:10"/);
    expect(page).toMatch(/name="mitigatedAt" type="datetime-local" step="1" required="" value="2026-11-20T09:30"/);
    expect(page).toContain("Suggested by the timeline entry at 2026-11-20 09:30 UTC: “Rolled back the ranker to v41”");
  });

  it("refuses a time in the future or before detection, keeps what was typed and changes nothing", async () => {
    const before = incidentRow();
    const res = await admin.submit(`/incidents/${id}/status?to=mitigated`, { to: "mitigated", detectedAt: DETECTED, mitigatedAt: "2999-01-01T00:00" });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain("The mitigated time must not be in the future.");
    expect(body).toContain('value="2999-01-01T00:00"');
    const early = await admin.submit(`/incidents/${id}/status?to=mitigated`, { to: "mitigated", detectedAt: DETECTED, mitigatedAt: "2026-11-20T08:05" });
    expect(await early.text()).toContain("Must not be before detected time.");
    expect(incidentRow()).toEqual(before);
  });

  it("records the confirmed time and the change on the timeline", async () => {
    const res = await admin.submit(`/incidents/${id}/status?to=mitigated`, {
      to: "mitigated",
      detectedAt: DETECTED,
      mitigatedAt: MITIGATED,
      note: "Fallback ranking holds.",
    });
    expect(res.status).toBe(302);
    expect(incidentRow()).toMatchObject({ status: "mitigated", mitigated_at: Date.parse("2026-11-20T09:30Z") });
    const page = await (await admin.get(`/incidents/${id}`)).text();
    expect(page).toMatch(/<b>1h 30m<\/b><span>time to mitigate<\/span>/);
    expect(page).toContain("investigating → mitigated. Times: detected 2026-11-20 08:10 UTC, mitigated 2026-11-20 09:30 UTC. Fallback ranking holds.");
  });

  it("keeps the confirmed time when someone clears it on the edit form", async () => {
    const edit = await (await admin.get(`/incidents/${id}/edit`)).text();
    const version = /name="version" value="(\d+)"/.exec(edit)![1];
    const res = await admin.submit(`/incidents/${id}/edit`, {
      version,
      title: "Ranker served stale embeddings",
      severity: "SEV1",
      team: "ranking",
      detectionSource: "alert",
      startedAt: "2026-11-20T08:00",
      detectedAt: "2026-11-20T08:10",
      mitigatedAt: "",
      resolvedAt: "",
      summary: "",
      impact: "",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("The incident is mitigated, so it keeps this time (reopen it to clear it).");
    expect(incidentRow()).toMatchObject({ mitigated_at: Date.parse("2026-11-20T09:30Z") });
  });

  it("shows the closing checklist and refuses to close with every reason listed", async () => {
    const form = await (await admin.get(`/incidents/${id}/status?to=closed`)).text();
    expect(form).toContain("Before closing");
    expect(form).toContain(`href="/incidents/${id}/classify">Classify it</a>`);
    expect(form).toContain(`href="/incidents/${id}/postmortem">Write the postmortem</a>`);
    expect(form).toContain("Closing an incident"); // the guide from content/rules/closing.md
    const before = incidentRow();
    const res = await admin.submit(`/incidents/${id}/status?to=closed`, {
      to: "closed",
      detectedAt: DETECTED,
      mitigatedAt: MITIGATED,
      resolvedAt: "2026-11-20T11:00",
    });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain("Nothing was changed:");
    // Each missing thing is its own line.
    for (const reason of [
      "Cannot close: it was never marked resolved; move it to resolved first, with the time it was resolved.",
      "Cannot close: its primary class is not confirmed; classify it (a suggestion does not count).",
      "Cannot close: it has no postmortem; write one.",
    ]) {
      expect(body).toContain(`<li>${reason}</li>`);
    }
    expect(incidentRow()).toEqual(before);
  });

  it("confirms times to the second unchanged: an alert's start and a timeline entry typed in the same minute", async () => {
    const alertLike = await createIncidentByForm(admin, {
      title: "Scores collapsed",
      severity: "SEV2",
      startedAt: "2026-11-21T10:15:23",
      detectedAt: "2026-11-21T10:15:41",
    });
    await admin.submit(`/incidents/${alertLike}`, { intent: "timeline.add", at: "2026-11-21T10:15", kind: "rollback", body: "Rolled back" });
    const page = await (await admin.get(`/incidents/${alertLike}/status?to=mitigated`)).text();
    const prefilled = (name: string) => new RegExp(`name="${name}" type="datetime-local" step="1" required="" value="([^"]*)"`).exec(page)?.[1];
    // The minute-precision rollback entry is suggested, but never earlier than the detection it follows.
    expect([prefilled("detectedAt"), prefilled("mitigatedAt")]).toEqual(["2026-11-21T10:15:41", "2026-11-21T10:15:41"]);
    const res = await admin.submit(`/incidents/${alertLike}/status?to=mitigated`, {
      to: "mitigated",
      detectedAt: prefilled("detectedAt")!,
      mitigatedAt: prefilled("mitigatedAt")!,
    });
    expect(res.status).toBe(302);
    const db = new Database(server.dbFile, { readonly: true });
    const row = db.prepare("select started_at, detected_at, mitigated_at from incidents where id = ?").get(alertLike);
    db.close();
    expect(row).toEqual({ started_at: Date.parse("2026-11-21T10:15:23Z"), detected_at: Date.parse("2026-11-21T10:15:41Z"), mitigated_at: Date.parse("2026-11-21T10:15:41Z") });
  });

  it("is for editors only", async () => {
    const viewer = await signIn(server.url, VIEWER.email, VIEWER.password);
    expect((await viewer.get(`/incidents/${id}/status?to=resolved`)).status).toBe(403);
    const page = await (await viewer.get(`/incidents/${id}`)).text();
    expect(page).not.toContain("/status?to=");
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
    const res = await viewer.post(`/incidents/${id}/status`, { csrf, to: "resolved", resolvedAt: "2026-11-20T11:00" });
    expect(res.status).toBe(403);
    expect(incidentRow()).toMatchObject({ status: "mitigated", resolved_at: null });
  });
});
