import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/**
 * Runs the install check .ci/run runs (`npm install --strict-allow-scripts`) as a dry run against this checkout's
 * installed tree, with package.json changed by `edit`.
 */
function strictInstall(edit: (pkg: { allowScripts: Record<string, boolean> }) => void) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-allow-scripts-"));
  dirs.push(dir);
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  edit(pkg);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  fs.copyFileSync("package-lock.json", path.join(dir, "package-lock.json"));
  fs.symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"));
  return spawnSync("npm", ["install", "--strict-allow-scripts", "--dry-run", "--no-audit", "--no-fund"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
}

describe("install scripts", () => {
  it("every dependency's install script is approved or denied in package.json", () => {
    const run = strictInstall(() => {});
    expect(run.stderr).not.toMatch(/not (yet )?covered by allowScripts/);
    expect(run.status).toBe(0);
  });

  it("the check fails, naming the package, once better-sqlite3's approval is removed", () => {
    const run = strictInstall((pkg) => {
      delete pkg.allowScripts["better-sqlite3"];
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/ESTRICTALLOWSCRIPTS[\s\S]*better-sqlite3@/);
  });
});
