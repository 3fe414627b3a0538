import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { ADMIN, Client, setupAdmin, signIn } from "../helpers/http";
import { readRow } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;

const mode = (file: string) => fs.statSync(file).mode & 0o777;

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
  const res = await admin.submit("/settings/users", { intent: "create", name: "Dan", email: "dan@example.com", role: "editor", password: "dan's first password" });
  expect(res.status).toBe(302);
});
afterAll(async () => {
  await server?.dispose();
});

describe("change your password", () => {
  it("needs the current password, then signs out the user's other sessions but keeps this one", async () => {
    const here = await signIn(server.url, "dan@example.com", "dan's first password");
    const elsewhere = await signIn(server.url, "dan@example.com", "dan's first password");
    expect((await here.get("/account/password")).status).toBe(200);

    const wrong = await here.submit("/account/password", { current: "not my password", password: "dan's second password", confirm: "dan's second password" });
    expect(wrong.status).toBe(400);
    const wrongBody = await wrong.text();
    expect(wrongBody).toContain("That is not your current password.");
    expect(wrongBody).not.toContain("dan&#x27;s second password");
    expect(wrongBody).not.toContain("dan's second password");

    const ok = await here.submit("/account/password", { current: "dan's first password", password: "dan's second password", confirm: "dan's second password" });
    expect(ok.status).toBe(302);
    expect((await here.get("/incidents")).status).toBe(200);
    expect((await elsewhere.get("/incidents")).headers.get("Location")).toMatch(/^\/login/);
    await expect(signIn(server.url, "dan@example.com", "dan's first password")).rejects.toThrow();
    await signIn(server.url, "dan@example.com", "dan's second password");
    expect(readRow(server.dbFile, "SELECT count(*) AS n FROM audit_log WHERE action = 'change_password'")).toEqual({ n: 1 });
  });
});

describe("an admin resets a password on Settings → Users", () => {
  it("sets the new password and ends all the user's sessions", async () => {
    const dan = await signIn(server.url, "dan@example.com", "dan's second password");
    const id = (readRow(server.dbFile, "SELECT id FROM users WHERE email = 'dan@example.com'") as { id: number }).id;
    expect(await (await admin.get("/settings/users")).text()).toContain("Reset password");
    const res = await admin.submit("/settings/users", { intent: "reset", userId: String(id), password: "a reset password" });
    expect(res.status).toBe(302);
    expect((await dan.get("/incidents")).headers.get("Location")).toMatch(/^\/login/);
    await signIn(server.url, "dan@example.com", "a reset password");
    expect(readRow(server.dbFile, "SELECT actor_label FROM audit_log WHERE action = 'reset_password'")).toEqual({ actor_label: ADMIN.email });
  });

  it("is for admins only", async () => {
    const dan = await signIn(server.url, "dan@example.com", "a reset password");
    const adminId = (readRow(server.dbFile, "SELECT id FROM users WHERE email = ?", ADMIN.email) as { id: number }).id;
    // An editor's own page gives a valid CSRF token; the admin action still refuses them.
    const forged = await dan.submit("/account/password", { intent: "reset", userId: String(adminId), password: "taken over!!" }, "/settings/users");
    expect(forged.status).toBe(403);
    await signIn(server.url, ADMIN.email, ADMIN.password);
  });
});

describe("the create-user form", () => {
  it("does not echo the submitted password in its error response", async () => {
    const res = await admin.submit("/settings/users", { intent: "create", name: "Eve", email: "not an email", role: "editor", password: "Echo-Me-Not-9f3k" });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain("Enter a valid email address.");
    expect(body).not.toContain("Echo-Me-Not-9f3k");
  });
});

describe("files that hold the data", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-modes-"));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("creates the database, its -wal and -shm 0600 in a 0700 data folder", () => {
    const file = path.join(root, "data", "faultline.db");
    const db = openDatabase(file);
    try {
      db.$client.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
      expect({
        folder: mode(path.dirname(file)),
        db: mode(file),
        wal: mode(`${file}-wal`),
        shm: mode(`${file}-shm`),
      }).toEqual({ folder: 0o700, db: 0o600, wal: 0o600, shm: 0o600 });
    } finally {
      db.$client.close();
    }
  });

  it("writes `npm run export -- --json` 0600 in a 0700 folder it creates", () => {
    const out = path.join(root, "exports", "all.json");
    execFileSync(process.execPath, ["--import", "tsx", "scripts/export.ts", "--db", server.dbFile, "--json", out], { stdio: "pipe" });
    expect({ folder: mode(path.dirname(out)), file: mode(out) }).toEqual({ folder: 0o700, file: 0o600 });
  });
});
