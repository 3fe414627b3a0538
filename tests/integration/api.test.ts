import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken, setupAdmin, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;
let apiToken: string;
let webhookToken: string;

const call = (method: string, path: string, body?: unknown, auth = apiToken) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
  apiToken = await createToken(admin, "api");
  webhookToken = await createToken(admin, "webhook");
});
afterAll(async () => {
  await server?.dispose();
});

describe("POST /api/v1/models/:name/versions", () => {
  it("registers a version idempotently and retires the one that served before", async () => {
    const v1 = { version: "2026.03.1", status: "serving", deployedAt: "2026-03-01T00:00:00Z", codeRef: "abc123" };
    const first = await call("POST", "/api/v1/models/fraud-scoring/versions", v1);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ model: "fraud-scoring", version: "2026.03.1", created: true, changed: true });
    const again = await call("POST", "/api/v1/models/fraud-scoring/versions", v1);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false, changed: false });

    const v2 = await call("POST", "/api/v1/models/fraud-scoring/versions", { version: "2026.04.1", deployedAt: "2026-04-01T00:00:00Z" });
    expect(v2.status).toBe(201);
    const db = new Database(server.dbFile, { readonly: true });
    const rows = db.prepare("select version, status, deployed_at, retired_at from model_versions order by version").all();
    const audits = db.prepare("select action, detail from audit_log where entity = 'model_version' order by id").all() as { action: string; detail: string }[];
    db.close();
    expect(rows).toEqual([
      { version: "2026.03.1", status: "retired", deployed_at: Date.parse("2026-03-01T00:00:00Z"), retired_at: Date.parse("2026-04-01T00:00:00Z") },
      { version: "2026.04.1", status: "serving", deployed_at: Date.parse("2026-04-01T00:00:00Z"), retired_at: null },
    ]);
    expect(audits.map((a) => [a.action, JSON.parse(a.detail).retired])).toEqual([
      ["create", []],
      ["create", ["2026.03.1"]],
    ]);
  });

  it("explains bad input and refuses other tokens", async () => {
    const bad = await call("POST", "/api/v1/models/fraud-scoring/versions", { version: "", status: "live", deployedAt: "yesterday" });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error).toBe("Invalid input.");
    expect(Object.keys(body.fields).sort()).toEqual(["deployedAt", "status", "version"]);
    expect(body.fields.status).toContain("serving, canary, shadow, backup, retired, rolled_back");
    expect((await call("POST", "/api/v1/models/bad%20name/versions", { version: "1" })).status).toBe(400);
    expect((await call("POST", "/api/v1/models/m/versions", "[1]")).status).toBe(400);
    expect((await call("POST", "/api/v1/models/m/versions", "{oops")).status).toBe(400);
    expect((await call("POST", "/api/v1/models/m/versions", { version: "1" }, webhookToken)).status).toBe(401);
    expect((await call("POST", "/api/v1/models/m/versions", { version: "1" }, "")).status).toBe(401);
    expect((await call("POST", "/api/v1/models/m/versions", { version: "2", deployedAt: "2026-05-02T00:00:00Z", retiredAt: "2026-05-01T00:00:00Z" })).status).toBe(400);
  });
});

describe("/api/v1/incidents", () => {
  let id: number;
  const incident = {
    title: "Embedding service returned stale vectors",
    severity: "SEV2",
    team: "search",
    startedAt: "2026-05-01T08:00:00Z",
    detectedAt: "2026-05-01T08:30:00Z",
  };

  it("creates with the same validation as the form", async () => {
    const badSeverity = await call("POST", "/api/v1/incidents", { ...incident, severity: "SEV9" });
    expect(badSeverity.status).toBe(400);
    expect((await badSeverity.json()).fields).toEqual({ severity: "Pick a severity (SEV1–SEV4)." });
    const badOrder = await call("POST", "/api/v1/incidents", { ...incident, detectedAt: "2026-04-30T00:00:00Z" });
    expect((await badOrder.json()).fields).toEqual({ detectedAt: "Must not be before the start." });
    const res = await call("POST", "/api/v1/incidents", incident);
    expect(res.status).toBe(201);
    const created = await res.json();
    id = created.id;
    expect(res.headers.get("Location")).toBe(`/api/v1/incidents/${id}`);
    expect(created).toMatchObject({ ...incident, startedAt: "2026-05-01T08:00:00.000Z", detectedAt: "2026-05-01T08:30:00.000Z", status: "investigating", version: 1 });
  });

  it("lists with the page's filters and reads one incident with its parts", async () => {
    const list = await (await call("GET", "/api/v1/incidents?team=search&q=vectors")).json();
    expect(list).toMatchObject({ total: 1, page: 1, incidents: [{ id, title: incident.title, startedAt: "2026-05-01T08:00:00.000Z" }] });
    const one = await (await call("GET", `/api/v1/incidents/${id}`)).json();
    expect(one).toMatchObject({ id, classification: { primary: null }, timeline: [], actionItems: [], modelVersions: [], alerts: [] });
    expect((await call("GET", "/api/v1/incidents/424242")).status).toBe(404);
    expect((await call("GET", "/api/v1/incidents", undefined, "")).status).toBe(401);
  });

  it("patches with optimistic locking, and moves the status", async () => {
    // A status is a claim about time: without the time it implies, nothing is saved (not even the other fields).
    const noTime = await call("PATCH", `/api/v1/incidents/${id}`, { version: 1, impact: "Search relevance down 12%", status: "mitigated" });
    expect(noTime.status).toBe(400);
    expect(await noTime.json()).toEqual({ error: "Say when it was mitigated.", fields: { mitigatedAt: "Say when it was mitigated." } });
    const future = await call("PATCH", `/api/v1/incidents/${id}`, { version: 1, status: "mitigated", mitigatedAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await future.json()).fields).toEqual({ mitigatedAt: "The mitigated time must not be in the future." });
    expect(await (await call("GET", `/api/v1/incidents/${id}`)).json()).toMatchObject({ version: 1, status: "investigating", impact: "", timeline: [] });

    const ok = await call("PATCH", `/api/v1/incidents/${id}`, {
      version: 1,
      impact: "Search relevance down 12%",
      status: "mitigated",
      mitigatedAt: "2026-05-01T09:30:00Z",
    });
    expect(ok.status, await ok.clone().text()).toBe(200);
    const after = await ok.json();
    expect(after).toMatchObject({ impact: "Search relevance down 12%", title: incident.title, status: "mitigated", version: 3, mitigatedAt: "2026-05-01T09:30:00.000Z" });
    const { timeline } = await (await call("GET", `/api/v1/incidents/${id}`)).json();
    expect(timeline).toEqual([
      expect.objectContaining({ at: "2026-05-01T09:30:00.000Z", kind: "status", body: "investigating → mitigated. Times: detected 2026-05-01 08:30 UTC, mitigated 2026-05-01 09:30 UTC." }),
    ]);

    const stale = await call("PATCH", `/api/v1/incidents/${id}`, { version: 1, title: "Overwrite" });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ current: { version: 3, title: incident.title } });
    expect((await call("PATCH", `/api/v1/incidents/${id}`, { title: "No version" })).status).toBe(400);
    const illegal = await call("PATCH", `/api/v1/incidents/${id}`, { version: 3, status: "draft" });
    expect(illegal.status).toBe(400);
    expect((await illegal.json()).error).toBe("An incident cannot go from mitigated to draft.");
    const badField = await call("PATCH", `/api/v1/incidents/${id}`, { version: 3, resolvedAt: "2026-04-01T00:00:00Z" });
    expect(badField.status).toBe(400);
    const cleared = await call("PATCH", `/api/v1/incidents/${id}`, { version: 3, mitigatedAt: null });
    expect(await cleared.json()).toEqual({
      error: "Invalid input.",
      fields: { mitigatedAt: "The incident is mitigated, so it keeps this time (reopen it to clear it)." },
    });
    const unchanged = await (await call("GET", `/api/v1/incidents/${id}`)).json();
    expect(unchanged).toMatchObject({ version: 3, status: "mitigated", resolvedAt: null, mitigatedAt: "2026-05-01T09:30:00.000Z" });
  });

  it("refuses to close a SEV2 that skips resolved, has no confirmed class and no postmortem, listing every reason", async () => {
    const res = await call("PATCH", `/api/v1/incidents/${id}`, { version: 3, status: "closed", resolvedAt: "2026-05-01T11:00:00Z" });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe(
      "Cannot close: it was never marked resolved; move it to resolved first, with the time it was resolved. " +
        "Cannot close: its primary class is not confirmed; classify it (a suggestion does not count). Cannot close: it has no postmortem; write one.",
    );
    expect(body.fields).toEqual({ status: body.error });
    expect(await (await call("GET", `/api/v1/incidents/${id}`)).json()).toMatchObject({ version: 3, status: "mitigated", resolvedAt: null });
  });
});

describe("linking model versions to incidents", () => {
  it("links and unlinks a version from the incident page, and shows it on the model page", async () => {
    const created = await (await call("POST", "/api/v1/incidents", { title: "Fraud model flagged nothing", severity: "SEV1", startedAt: "2026-04-10T00:00:00Z" })).json();
    const db = new Database(server.dbFile, { readonly: true });
    const version = db.prepare("select id from model_versions where version = '2026.04.1'").get() as { id: number };
    db.close();
    const link = await admin.submit(`/incidents/${created.id}`, { intent: "model.link", versionId: String(version.id), role: "suspected_cause" });
    expect(link.status).toBe(302);
    const page = await (await admin.get(`/incidents/${created.id}`)).text();
    expect(page).toContain("suspected cause");
    const modelPage = await (await admin.get("/models/fraud-scoring")).text();
    expect(modelPage).toContain(`href="/incidents/${created.id}"`);
    expect(modelPage).toMatch(/<circle class="incident"/);
    const versionPage = await (await admin.get("/models/fraud-scoring/2026.04.1")).text();
    expect(versionPage).toContain("Fraud model flagged nothing");
    const one = await (await call("GET", `/api/v1/incidents/${created.id}`)).json();
    expect(one.modelVersions).toEqual([{ versionId: version.id, model: "fraud-scoring", version: "2026.04.1", status: "serving", role: "suspected_cause" }]);
    const noVersion = await admin.submit(`/incidents/${created.id}`, { intent: "model.link", versionId: "", role: "affected" });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.text()).toContain("Pick a model version.");
    expect((await admin.submit(`/incidents/${created.id}`, { intent: "model.unlink", versionId: String(version.id), role: "suspected_cause" })).status).toBe(302);
    expect(await (await admin.get(`/incidents/${created.id}`)).text()).toContain("No model versions linked.");
  });
});
