import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, createToken, incidentIdFrom, setupAdmin, signIn, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let restored: RunningServer | undefined;
let admin: Client;
let token: string;
let work: string;
let backupFile: string;
const incidents: { id: number; title: string }[] = [];

type Ack = { delivery: number; fingerprints: string[]; at: number };

function postAlerts(url: string, alerts: unknown[]): Promise<Response> {
  return fetch(`${url}/api/webhooks/generic`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ alerts }),
  });
}

/** Runs a script as `npm run <script>` would (tsx), without blocking this process's event loop. */
function runScript(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function readDb<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const sha256File = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** `senders` loops each posting one unique alert per request until stopped (or 20 s / 5,000 requests pass). */
function streamDeliveries(url: string, senders: number, prefix: string) {
  const acks: Ack[] = [];
  const errors: string[] = [];
  let stopped = false;
  const deadline = Date.now() + 20_000;
  const loops = Array.from({ length: senders }, async (_, s) => {
    for (let n = 0; !stopped && n < 5_000 && Date.now() < deadline; n++) {
      const fingerprint = `${prefix}-${s}-${n}`;
      const res = await postAlerts(url, [
        { name: "BackupStream", status: "firing", fingerprint, group: `${prefix}-${s}`, labels: { sender: String(s), seq: String(n) } },
      ]);
      if (res.status !== 200) errors.push(`${res.status} ${await res.text()}`);
      else acks.push({ delivery: ((await res.json()) as { delivery: number }).delivery, fingerprints: [fingerprint], at: Date.now() });
    }
  });
  return {
    acks,
    errors,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

const incidentForm = (i: number) => ({
  title: `Backup check ${i}: embedding service returned stale vectors`,
  severity: "SEV2",
  team: "search",
  detectionSource: "dashboard",
  startedAt: `2026-02-0${i + 1}T10:00`,
  detectedAt: `2026-02-0${i + 1}T10:30`,
  mitigatedAt: "",
  resolvedAt: "",
  summary: `Incident number ${i} for the backup round trip.`,
  impact: "Search relevance fell for an hour.",
});

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-backup-"));
  backupFile = path.join(work, "backups", "faultline-test.db");
  server = await startServer();
  admin = await setupAdmin(server.url);
  token = await createToken(admin, "webhook", "backup-test");
});

afterAll(async () => {
  await restored?.dispose();
  await server?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("online backup and restore", () => {
  const seeded: Ack[] = [];
  let stream: ReturnType<typeof streamDeliveries>;

  it("backs up the running app while webhook deliveries keep arriving", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await admin.submit("/incidents/new", incidentForm(i));
      incidents.push({ id: incidentIdFrom(res), title: incidentForm(i).title });
    }
    // Enough rows (and big enough annotations) that the copy takes several backup steps.
    const description = "Drift report. ".repeat(120);
    for (let batch = 0; batch < 15; batch++) {
      await Promise.all(
        Array.from({ length: 4 }, async (_, j) => {
          const n = batch * 4 + j;
          const fingerprints = Array.from({ length: 10 }, (_, k) => `seed-${n}-${k}`);
          const res = await postAlerts(
            server.url,
            fingerprints.map((fingerprint, k) => ({
              name: "FeatureDriftHigh",
              status: "firing",
              fingerprint,
              group: `seed-${n % 5}`,
              labels: { model: "ranker", model_version: "1.0", feature: `f${k}` },
              annotations: { summary: `Drift on feature f${k}`, description },
            })),
          );
          expect(res.status).toBe(200);
          seeded.push({ delivery: ((await res.json()) as { delivery: number }).delivery, fingerprints, at: Date.now() });
        }),
      );
    }

    stream = streamDeliveries(server.url, 4, "stream");
    await new Promise((r) => setTimeout(r, 300));
    const backupStarted = Date.now();
    const ackedBefore = [...seeded, ...stream.acks.filter((a) => a.at <= backupStarted)];
    const result = await runScript("scripts/backup.ts", ["--db", server.dbFile, "--out", backupFile]);
    const backupEnded = Date.now();
    const ackedDuring = stream.acks.filter((a) => a.at > backupStarted && a.at < backupEnded).length;
    await stream.stop();

    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/pages \(100%\)/);
    expect(result.stdout).toMatch(/Backup written: .*faultline-test\.db \(\d+ bytes\) in \d+\.\d+ s; integrity_check: ok/);
    expect(stream.errors).toEqual([]);
    // The app kept answering webhooks while the backup ran: the backup did not stop it.
    expect(ackedDuring).toBeGreaterThan(0);
    expect(ackedBefore.length).toBeGreaterThan(seeded.length);

    // One self-contained file, nothing left beside it.
    expect(fs.readdirSync(path.dirname(backupFile))).toEqual(["faultline-test.db"]);
    readDb(backupFile, (db) => {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(db.pragma("foreign_key_check")).toEqual([]);
      const deliveries = new Map(
        (db.prepare("select id, outcome from alert_deliveries").all() as { id: number; outcome: string }[]).map((d) => [d.id, d.outcome]),
      );
      const fingerprints = new Set((db.prepare("select fingerprint from alerts").all() as { fingerprint: string }[]).map((a) => a.fingerprint));
      const missing = ackedBefore.filter((a) => deliveries.get(a.delivery) !== "processed" || a.fingerprints.some((f) => !fingerprints.has(f)));
      expect(missing).toEqual([]);
      // A consistent snapshot: every alert of every delivery in it, and no alert without its delivery.
      const { applied } = db.prepare("select sum(alert_count) as applied from alert_deliveries where outcome = 'processed'").get() as { applied: number };
      expect(fingerprints.size).toBe(applied);
      const titles = (db.prepare("select title from incidents where source = 'manual' order by id").all() as { title: string }[]).map((r) => r.title);
      expect(titles).toEqual(incidents.map((i) => i.title));
    });
  });

  it("refuses to restore over the database of a running app, and leaves it alone", async () => {
    const before = (await fetch(`${server.url}/incidents`, { redirect: "manual" })).status;
    const forced = await runScript("scripts/restore.ts", ["--from", backupFile, "--db", server.dbFile, "--force"]);
    expect(forced.code).not.toBe(0);
    expect(forced.stderr).toMatch(/is in use by another process \(is Faultline running on it\?\)\. Stop the app first/);
    const plain = await runScript("scripts/restore.ts", ["--from", backupFile, "--db", server.dbFile]);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(/already exists; pass --force to replace it/);
    const after = await postAlerts(server.url, [{ name: "StillAlive", status: "firing", fingerprint: "alive-1" }]);
    expect(after.status).toBe(200);
    expect((await fetch(`${server.url}/incidents`, { redirect: "manual" })).status).toBe(before);
  });

  it("refuses to replace an existing database without --force", async () => {
    await server.stop();
    const hash = sha256File(server.dbFile);
    const res = await runScript("scripts/restore.ts", ["--from", backupFile, "--db", server.dbFile]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/already exists; pass --force to replace it/);
    expect(sha256File(server.dbFile)).toBe(hash);
  });

  it("replaces a stopped app's database with --force, dropping its stale WAL", async () => {
    const res = await runScript("scripts/restore.ts", ["--from", backupFile, "--db", server.dbFile, "--force"]);
    expect(res.code, res.stderr).toBe(0);
    expect(fs.readdirSync(server.dir).filter((f) => f.startsWith("faultline.db"))).toEqual(["faultline.db"]);
    readDb(server.dbFile, (db) => {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      // Posted after the backup was taken, so the restored file does not have it.
      expect(db.prepare("select count(*) as n from alerts where fingerprint = 'alive-1'").get()).toEqual({ n: 0 });
      expect(db.prepare("select count(*) as n from incidents where source = 'manual'").get()).toEqual({ n: incidents.length });
    });
  });

  it("refuses a file that is not a Faultline backup", async () => {
    const junk = path.join(work, "junk.db");
    fs.writeFileSync(junk, "definitely not sqlite ".repeat(100));
    const notOurs = path.join(work, "other.db");
    const other = new Database(notOurs);
    other.exec("create table notes (body text)");
    other.close();
    const target = path.join(work, "never", "faultline.db");
    const cases: [string, RegExp][] = [
      [junk, /is not a usable SQLite backup/],
      [notOurs, /has no __drizzle_migrations table/],
      [path.join(work, "missing.db"), /No backup at/],
    ];
    for (const [from, message] of cases) {
      const res = await runScript("scripts/restore.ts", ["--from", from, "--db", target]);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(message);
    }
    expect(fs.existsSync(target)).toBe(false);
    expect((await runScript("scripts/restore.ts", ["--db", target])).stderr).toMatch(/--from FILE is required/);
  });

  it("restores into a new path, and the app serves the backed-up incidents from it", async () => {
    const dir = path.join(work, "restored");
    const target = path.join(dir, "faultline.db");
    const res = await runScript("scripts/restore.ts", ["--from", backupFile, "--db", target]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Backup .*: integrity_check ok, \d+ migrations applied/);
    expect(res.stdout).toMatch(/Restored .*faultline\.db \(\d+ bytes\) in \d+\.\d+ s; integrity_check: ok/);
    const expected = readDb(backupFile, (db) => db.prepare("select count(*) as n from alert_deliveries").get());

    restored = await startServer({ dir });
    const client = await signIn(restored.url, ADMIN.email, ADMIN.password);
    const list = await client.html("/incidents");
    expect(list.res.status).toBe(200);
    for (const i of incidents) {
      expect(list.body).toContain(i.title);
      const page = await client.html(`/incidents/${i.id}`);
      expect(page.res.status).toBe(200);
      expect(page.body).toContain(i.title);
    }
    // The webhook token came back with the data: ingest works against the restored database.
    const more = await postAlerts(restored.url, [{ name: "AfterRestore", status: "firing", fingerprint: "after-restore" }]);
    expect(more.status).toBe(200);
    const counts = readDb(target, (db) => ({
      deliveries: (db.prepare("select count(*) as n from alert_deliveries").get() as { n: number }).n,
      integrity: db.pragma("integrity_check", { simple: true }),
    }));
    expect(counts).toEqual({ deliveries: (expected as { n: number }).n + 1, integrity: "ok" });
  });
});
