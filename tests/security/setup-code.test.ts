import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, Client, setupCodeFor, signIn } from "../helpers/http";
import { readRow } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;

const users = (file: string) => (readRow(file, "SELECT count(*) AS n FROM users") as { n: number }).n;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.dispose();
});

describe("the setup code of a new install", () => {
  it("is printed to the server log at first start", () => {
    expect(server.startupOutput).toMatch(/open \/setup and enter the setup code [\w-]{14}/);
  });

  it("refuses /setup without the code, or with a wrong one, with a form error and no account", async () => {
    const anon = new Client(server.url);
    for (const setupCode of [undefined, "", "aaaa-bbbb-cccc"]) {
      const res = await anon.submit("/setup", setupCode === undefined ? ADMIN : { ...ADMIN, setupCode });
      expect(res.status).toBe(400);
      const body = await res.text();
      expect(body).toContain("That is not the setup code");
      expect(res.headers.getSetCookie().some((c) => c.startsWith("faultline_session="))).toBe(false);
    }
    expect(users(server.dbFile)).toBe(0);
  });

  it("creates the first admin with the code from the log, and is spent after that", async () => {
    const code = setupCodeFor(server.url);
    const res = await new Client(server.url).submit("/setup", { ...ADMIN, setupCode: code });
    expect(res.status).toBe(302);
    expect(users(server.dbFile)).toBe(1);
    expect((await new Client(server.url).get("/setup")).headers.get("Location")).toBe("/login");
  });

  it("is not printed once the database has an account", async () => {
    await server.stop();
    const again = await startServer({ dir: server.dir });
    try {
      expect(again.startupOutput).not.toContain("setup code");
    } finally {
      await again.stop();
    }
  });
});

describe("npm run create-admin", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-create-admin-"));
  const dbFile = path.join(dir, "faultline.db");
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], env: Record<string, string> = {}) =>
    execFileSync(process.execPath, ["--import", "tsx", "scripts/create-admin.ts", "--db", dbFile, ...args], {
      env: { ...process.env, ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });

  it("refuses a short password with a usage message", () => {
    expect(() => run(["--email", "ops@example.com", "--name", "Ops", "--password", "short"])).toThrow(/at least 10 characters/);
  });

  it("creates the first admin from the environment, who signs in; a second run refuses", async () => {
    const out = run([], { FAULTLINE_ADMIN_EMAIL: "ops@example.com", FAULTLINE_ADMIN_NAME: "Ops", FAULTLINE_ADMIN_PASSWORD: "a scripted password" });
    expect(out).toContain("Created admin ops@example.com");
    expect(() => run(["--email", "two@example.com", "--name", "Two", "--password", "another password"])).toThrow(/already has accounts/);
    const installed = await startServer({ dir });
    try {
      expect(installed.startupOutput).not.toContain("setup code");
      const ops = await signIn(installed.url, "ops@example.com", "a scripted password");
      expect((await ops.get("/settings/users")).status).toBe(200);
    } finally {
      await installed.stop();
    }
  });
});
