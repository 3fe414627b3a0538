import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../db/client";
import { SYSTEM } from "~/domain/audit.server";
import { suggestUnclassified } from "~/domain/triage.server";
import { createToken, incidentIdFrom, setupAdmin, signIn, type Client } from "../helpers/http";
import { readRow } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;
let apiToken: string;
let webhookToken: string;

const suggest = (body: unknown, auth: string | null = apiToken, method = "POST") =>
  fetch(`${server.url}/api/v1/classifications/suggest`, {
    method,
    headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
    body: method === "GET" ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

const newIncident = async (title: string, summary: string, startedAt: string) =>
  incidentIdFrom(
    await admin.submit("/incidents/new", { title, severity: "SEV3", team: "ranking", detectionSource: "alert", startedAt, detectedAt: "", mitigatedAt: "", resolvedAt: "", summary, impact: "" }),
  );

/** A page's HTML without the comments React puts between adjacent text parts. */
const page = async (client: Client, path: string) => {
  const { res, body } = await client.html(path);
  return { res, body: body.replace(/<!-- -->/g, "") };
};

const row = (id: number) => readRow(server.dbFile, "select class_status as status, primary_class_id as cls from incidents where id = ?", id);

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
  apiToken = await createToken(admin, "api");
  webhookToken = await createToken(admin, "webhook");
});
afterAll(async () => {
  await server?.dispose();
});

describe("POST /api/v1/classifications/suggest", () => {
  it("ranks classes with subclass, score and reasons", async () => {
    const res = await suggest({ title: "Null features", text: "Half the rows of the feature partition were written with null values and two columns were swapped." });
    expect(res.status).toBe(200);
    const { suggestions } = (await res.json()) as { suggestions: { classId: string; subclassId: string | null; score: number; reasons: { words: string[]; similarIncidents: unknown[] } }[] };
    expect(suggestions).toHaveLength(3);
    expect(suggestions[0]).toMatchObject({ classId: "data", subclassId: "data.corruption" });
    expect(suggestions[0].score).toBeGreaterThan(suggestions[1].score);
    expect(suggestions[0].reasons.words).toContain("null");
    expect(suggestions[0].reasons.similarIncidents).toEqual([]);
    const one = await suggest({ text: "A config flag pushed to every region without a canary.", limit: 1 });
    expect(((await one.json()) as { suggestions: { classId: string }[] }).suggestions.map((s) => s.classId)).toEqual(["change"]);
  });

  it("answers bad requests with a 4xx JSON error and refuses other tokens", async () => {
    const cases: [Response, number, RegExp][] = [
      [await suggest({ text: "x" }, null), 401, /Missing Authorization/],
      [await suggest({ text: "x" }, webhookToken), 401, /not an api token/],
      [await suggest(undefined, apiToken, "GET"), 405, /POST/],
      [await suggest("{not json"), 400, /not valid JSON/],
      [await suggest([1, 2]), 400, /JSON object/],
      [await suggest({ title: " ", text: "" }), 400, /Invalid input/],
      [await suggest({ text: 42 }), 400, /Invalid input/],
      [await suggest({ text: "x".repeat(50_001) }), 400, /Invalid input/],
      [await suggest({ text: "data", limit: 99 }), 400, /Invalid input/],
      [await suggest({ text: "x".repeat(1024 * 1024 + 10) }), 413, /1 MiB/],
    ];
    for (const [res, statusCode, message] of cases) {
      expect(res.status).toBe(statusCode);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    const tooLong = await suggest({ text: "x".repeat(50_001) });
    expect(await tooLong.json()).toMatchObject({ fields: { text: "text is at most 50000 characters." } });
  });
});

describe("the triage queue, the classify page and /taxonomy", () => {
  let viewer: Client;
  let editor: Client;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    for (const [name, email, role] of [
      ["Vic Viewer", "vic@example.com", "viewer"],
      ["Eve Editor", "eve@example.com", "editor"],
    ]) {
      expect((await admin.submit("/settings/users", { intent: "create", name, email, role, password: `${role} password 1` })).status).toBe(302);
    }
    viewer = await signIn(server.url, "vic@example.com", "viewer password 1");
    editor = await signIn(server.url, "eve@example.com", "editor password 1");
    ids.confirmed = await newIncident("Router config pushed without canary", "A configuration push broke routing in every region.", "2026-01-01T10:00");
    expect((await admin.submit(`/incidents/${ids.confirmed}/classify`, { primary: "change.config-push" })).status).toBe(302);
    ids.nulls = await newIncident("Credit features arrive null", "Half the feature partition was written with null values.", "2026-02-01T10:00");
    ids.gpu = await newIncident("Pretraining stalls on bad GPUs", "ECC errors on faulty GPUs kept interrupting the pretraining job.", "2026-03-01T10:00");
    ids.plain = await newIncident("Checkout slow", "Requests waited for a database connection and timed out.", "2026-04-01T10:00");
    // As an import with --suggest would: the classifier's suggestion recorded, not confirmed.
    const db: Db = openDatabase(server.dbFile);
    try {
      expect(await suggestUnclassified(db, [ids.nulls, ids.gpu], SYSTEM)).toEqual({ suggested: 2 });
    } finally {
      db.$client.close();
    }
  });

  it("is for editors: viewers get 403, forms need the CSRF token", async () => {
    expect((await viewer.get("/taxonomy/triage")).status).toBe(403);
    expect((await editor.post("/taxonomy/triage", { intent: "confirm", incident: String(ids.gpu), class: "capacity.accelerator-fault" })).status).toBe(403);
    expect(row(ids.gpu)).toEqual({ status: "suggested", cls: "capacity.accelerator-fault" });
  });

  it("lists unclassified and suggested incidents newest first, each with suggestions", async () => {
    const { res, body } = await page(editor, "/taxonomy/triage");
    expect(res.status).toBe(200);
    expect(body).toContain("3 incidents are unclassified or only suggested");
    const order = [ids.plain, ids.gpu, ids.nulls].map((id) => body.indexOf(`id="incident-${id}"`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(body).not.toContain(`id="incident-${ids.confirmed}"`);
    expect(body).toContain("Suggested, not confirmed: <b>Capacity, resources &amp; hardware › Accelerator");
    expect(body).toMatch(/Take Capacity, resources &amp; hardware › /);
  });

  it("confirms one, picks another for one, refuses an empty bulk selection and confirms a bulk selection", async () => {
    expect((await editor.submit("/taxonomy/triage", { intent: "confirm", incident: String(ids.gpu), class: "capacity.accelerator-fault" })).status).toBe(302);
    expect(row(ids.gpu)).toEqual({ status: "confirmed", cls: "capacity.accelerator-fault" });
    const empty = await editor.submit("/taxonomy/triage", { intent: "bulk" });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Select at least one incident to confirm.");
    const unknown = await editor.submit("/taxonomy/triage", { intent: "confirm", incident: String(ids.plain), class: "no.such-class" });
    expect(unknown.status).toBe(400);
    expect(row(ids.plain)).toEqual({ status: null, cls: null });
    expect((await editor.submit("/taxonomy/triage", { intent: "bulk", choice: [`${ids.nulls}:data.edge-cases`, `${ids.plain}:capacity.latency-slo`] })).status).toBe(302);
    expect(row(ids.nulls)).toEqual({ status: "confirmed", cls: "data.edge-cases" });
    expect(row(ids.plain)).toEqual({ status: "confirmed", cls: "capacity.latency-slo" });
    const db = new Database(server.dbFile, { readonly: true });
    const changes = db.prepare("select incident_id as id, from_class_id as fromId, from_status as fromStatus, to_class_id as toId, actor_label as actor from class_changes").all();
    db.close();
    expect(changes).toEqual([{ id: ids.nulls, fromId: "data.corruption", fromStatus: "suggested", toId: "data.edge-cases", actor: "eve@example.com" }]);
    expect((await page(editor, "/taxonomy/triage")).body).toContain("Nothing to triage");
  });

  it("/taxonomy counts confirmed incidents, shows the suggested ones apart and how often classes changed", async () => {
    const id = await newIncident("Loss went NaN", "Training loss diverged to NaN after a learning rate change.", "2026-05-01T10:00");
    const db: Db = openDatabase(server.dbFile);
    try {
      expect(await suggestUnclassified(db, [id], SYSTEM)).toEqual({ suggested: 1 });
    } finally {
      db.$client.close();
    }
    const plain = (await page(viewer, "/taxonomy")).body;
    expect(plain).toContain("Of 4 confirmed incidents");
    expect(plain).toContain("1 more suggested by the classifier, not yet confirmed.");
    expect(plain).toMatch(/suggestion replaced 1 times/);
    expect(plain).not.toContain('href="/taxonomy/triage"');
    expect((await page(editor, "/taxonomy")).body).toContain('href="/taxonomy/triage"');
    const included = (await page(viewer, "/taxonomy?suggested=include")).body;
    expect(included).toContain("Of 5 classified incidents");
    expect(included).toContain("Counts include 1 suggested, not yet confirmed.");
  });

  it("the classify page shows suggestions first, and one click takes one", async () => {
    const id = await newIncident("Embedding refresh out of step", "The ranker was trained on the previous embedding space, and the new embeddings did not match.", "2026-06-01T10:00");
    const { body } = await page(editor, `/incidents/${id}/classify`);
    expect(body).toContain("Suggested from what the incident says");
    expect(body.indexOf("Suggested from what the incident says")).toBeLessThan(body.indexOf("Primary class (root cause)"));
    expect(body).toContain("Take Artifact &amp; feature compatibility › ");
    const res = await editor.submit(`/incidents/${id}/classify`, { intent: "confirm", class: "compat.embedding-mismatch" });
    expect(res.status).toBe(302);
    expect(row(id)).toEqual({ status: "confirmed", cls: "compat.embedding-mismatch" });
  });
});
