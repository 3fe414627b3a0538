import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountKey, addressKey, recordFailure, retryAfterMs } from "~/domain/sign-in-throttle.server";
import { hashPassword, passwordHashLoad, verifyPassword } from "~/utils/password.server";
import { makeTestDb, readRow, type TestDb } from "../helpers/db";
import { ADMIN, Client, setupAdmin } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

const WINDOW_SECONDS = 8;
let server: RunningServer;
let admin: Client;

function attempt(email: string, password: string): Promise<Response> {
  return new Client(server.url).submit("/login", { email, password });
}

async function addUser(email: string, password: string) {
  const res = await admin.submit("/settings/users", { intent: "create", name: email, email, role: "editor", password });
  expect(res.status).toBe(302);
}

async function failTimes(email: string, n: number): Promise<Response[]> {
  const answers: Response[] = [];
  for (let i = 0; i < n; i++) answers.push(await attempt(email, `wrong guess ${i}`));
  return answers;
}

beforeAll(async () => {
  server = await startServer({ env: { SIGN_IN_WINDOW_SECONDS: String(WINDOW_SECONDS) } });
  admin = await setupAdmin(server.url);
});
afterAll(async () => {
  await server?.dispose();
});

describe("sign-in throttling over HTTP", () => {
  it("answers 429 with Retry-After after 10 failures for an account, even to the right password, and signs in once the window passes", async () => {
    await addUser("carol@example.com", "carol's long password");
    const answers = await failTimes("carol@example.com", 10);
    expect(answers.slice(0, 9).map((r) => r.status)).toEqual(Array(9).fill(400));
    expect(answers[9].status).toBe(429);
    const refused = await attempt("carol@example.com", "carol's long password");
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(await refused.text()).toContain("Too many failed sign-ins");
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 300));
    expect((await attempt("carol@example.com", "carol's long password")).status).toBe(302);
  });

  it("shows a locked account on Settings → Users, where an admin lifts the lock", async () => {
    await addUser("bob@example.com", "bob's long password");
    await failTimes("bob@example.com", 10);
    expect((await attempt("bob@example.com", "bob's long password")).status).toBe(429);
    const page = await (await admin.get("/settings/users")).text();
    expect(page).toContain("Locked after failed sign-ins");
    expect((await admin.submit("/settings/users", { intent: "unlock", email: "bob@example.com" })).status).toBe(302);
    expect((await attempt("bob@example.com", "bob's long password")).status).toBe(302);
    expect(readRow(server.dbFile, "SELECT actor_label FROM audit_log WHERE action = 'unlock' AND entity_id = 'bob@example.com'")).toEqual({
      actor_label: ADMIN.email,
    });
  });

  it("records failed sign-ins in the audit log and the JSON log, never the password", async () => {
    let log = "";
    server.process.stdout!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    expect((await attempt("Nobody@Example.com", "hunter2-secret-guess")).status).toBe(400);
    await new Promise((r) => setTimeout(r, 200));
    const line = log.split("\n").find((l) => l.includes('"sign_in_failed"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ event: "sign_in_failed", email: "nobody@example.com", address: expect.any(String) });
    expect(log).not.toContain("hunter2-secret-guess");
    const row = readRow(server.dbFile, "SELECT actor_label, detail FROM audit_log WHERE action = 'sign_in_failed' ORDER BY id DESC LIMIT 1") as {
      actor_label: string;
      detail: string;
    };
    expect(row.actor_label).toBe("nobody@example.com");
    expect(row.detail).not.toContain("hunter2");
  });

  it("refuses a login password over 200 characters with a form error, before hashing it", async () => {
    const res = await attempt(ADMIN.email, "x".repeat(201));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Passwords are at most 200 characters.");
  });

  it("locks a client address guessing across many accounts (30 failures), whatever account it tries next", async () => {
    // A server of its own with a long window, so the count cannot lapse halfway on a slow machine.
    const other = await startServer({ env: { SIGN_IN_WINDOW_SECONDS: "600" } });
    try {
      const otherAdmin = await setupAdmin(other.url);
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => new Client(other.url).submit("/login", { email: `guess${i}@example.com`, password: "wrong guess" })),
      );
      expect(answers.filter((r) => r.status === 400)).toHaveLength(29);
      const res = await new Client(other.url).submit("/login", { email: ADMIN.email, password: ADMIN.password });
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get("Retry-After"));
      expect(retryAfter).toBeGreaterThan(590);
      expect(retryAfter).toBeLessThanOrEqual(600);
      // A signed-in session is unaffected.
      expect((await otherAdmin.get("/incidents")).status).toBe(200);
    } finally {
      await other.dispose();
    }
  });
});

describe("the throttle's back-off (real SQLite, injected clock)", () => {
  let t: TestDb;
  beforeAll(() => {
    t = makeTestDb();
  });
  afterAll(() => t.cleanup());
  const settings = { maxFailures: 10, maxFailuresPerAddress: 30, windowMs: 15 * 60_000, maxLockMs: 24 * 3600_000 };
  const keys = [accountKey("Eve@example.com"), addressKey("203.0.113.7")];

  it("locks for 15 minutes after 10 failures within 15 minutes, then 30, then 60, never more than a day", () => {
    let now = Date.UTC(2026, 0, 1);
    const lockFor = () => {
      let lock = 0;
      for (let i = 0; i < 10; i++) lock = recordFailure(t.db, keys, (now += 1000), settings);
      return lock;
    };
    expect(lockFor()).toBe(15 * 60_000);
    expect(retryAfterMs(t.db, [accountKey("eve@example.com")], now)).toBe(15 * 60_000);
    expect(retryAfterMs(t.db, [addressKey("203.0.113.7")], now)).toBe(0);
    now += 15 * 60_000;
    expect(retryAfterMs(t.db, keys, now)).toBe(0);
    expect(lockFor()).toBe(30 * 60_000);
    now += 30 * 60_000;
    expect(lockFor()).toBe(60 * 60_000);
    for (let i = 0; i < 8; i++) {
      now += 24 * 3600_000 - 60_000;
      lockFor();
    }
    expect(retryAfterMs(t.db, keys, now)).toBeLessThanOrEqual(24 * 3600_000);
  });

  it("counts afresh once the window passes without reaching the threshold", () => {
    let now = Date.UTC(2026, 5, 1);
    const key = [accountKey("slow@example.com")];
    for (let i = 0; i < 9; i++) expect(recordFailure(t.db, key, (now += 1000), settings)).toBe(0);
    now += 15 * 60_000;
    for (let i = 0; i < 9; i++) expect(recordFailure(t.db, key, (now += 1000), settings)).toBe(0);
    expect(retryAfterMs(t.db, key, now)).toBe(0);
  });
});

describe("concurrent password hashes", () => {
  it("runs at most PASSWORD_HASH_CONCURRENCY (2) scrypt hashes at once; the rest wait their turn and all finish", async () => {
    const stored = await hashPassword("a password of ours");
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => verifyPassword(i % 2 ? "a password of ours" : "wrong", stored)));
    expect(results).toEqual([false, true, false, true, false, true, false, true]);
    const load = passwordHashLoad();
    expect(load.max).toBe(2);
    expect(load.peak).toBe(2);
    expect(load.hashing + load.waiting).toBe(0);
  });
});
