import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { startServer } from "../helpers/server";

const dirs: string[] = [];
function contentCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-content-"));
  dirs.push(dir);
  fs.cpSync("content", dir, { recursive: true });
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("start-up", () => {
  it("says in one line what to run when SQLite's native module cannot load, with no stack", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-nobinding-"));
    dirs.push(dir);
    // --no-addons makes loading any native module fail, as a skipped or stale better-sqlite3 build does.
    const run = spawnSync(process.execPath, ["--no-addons", "--import", "tsx", "scripts/server.ts"], {
      env: { ...process.env, DATABASE_URL: path.join(dir, "x.db"), PORT: "0" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/better-sqlite3.*run `npm rebuild better-sqlite3`/)]);
    expect(run.stdout).not.toMatch(/listening/);
  });

  it("refuses to start on a malformed taxonomy file and names it", async () => {
    const content = contentCopy();
    const file = path.join(content, "taxonomy", "data", "corruption.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("family: ml", "family: maybe"));
    await expect(startServer({ env: { CONTENT_DIR: content } })).rejects.toThrow(/taxonomy\/data\/corruption\.md: .*family/);
  });

  it("refuses to start on a malformed label mapping and names it", async () => {
    const content = contentCopy();
    fs.writeFileSync(path.join(content, "mappings", "old-tool.md"), "---\nname: Old tool\nlabels:\n  data.natural-drift:\n    strong: [cloud]\n---\n");
    await expect(startServer({ env: { CONTENT_DIR: content } })).rejects.toThrow(/mappings\/old-tool\.md: label "cloud" is mapped twice/);
  });

  it("keeps a class removed from content as retired, with its incidents' labels", async () => {
    const content = contentCopy();
    const first = await startServer({ env: { CONTENT_DIR: content } });
    await first.stop();
    const db = new Database(first.dbFile);
    db.prepare("insert into incidents (id, title, severity, started_at) values (1, 'Drifted', 'SEV3', 0)").run();
    db.prepare("insert into incident_classes (incident_id, class_id, role) values (1, 'data.natural-drift', 'primary')").run();
    db.close();

    fs.rmSync(path.join(content, "taxonomy", "data", "natural-drift.md"));
    const second = await startServer({ dir: first.dir, env: { CONTENT_DIR: content } });
    await second.stop();
    const after = new Database(second.dbFile, { readonly: true });
    expect(after.prepare("select status from failure_classes where id = 'data.natural-drift'").get()).toEqual({ status: "retired" });
    expect(after.prepare("select class_id from incident_classes where incident_id = 1").get()).toEqual({ class_id: "data.natural-drift" });
    after.close();
    await second.dispose();
  });
});
