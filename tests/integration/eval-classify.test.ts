import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-eval-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function jsonl(name: string, lines: unknown[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n"));
  return file;
}

const evalClassify = (...args: string[]) => run(process.execPath, ["--import", "tsx", "scripts/eval-classify.ts", ...args]);

describe("npm run eval:classify", () => {
  it("prints accuracy and ends with one JSON object of fractions", async () => {
    const input = jsonl("in.jsonl", [
      { title: "Null features", text: "Half the feature partition was written with null values.", class: "data", subclass: "data.corruption" },
      { title: "Config push", text: "A configuration flag went to every region at once without a canary.", class: "change", subclass: "change.config-push" },
      { title: "Nonsense", text: "zzqx blorf", class: "feedback", subclass: null },
    ]);
    const { stdout } = await evalClassify("--input", input);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toContain("evaluated 3 incidents");
    expect(stdout).toMatch(/ml +class top-1/);
    const result = JSON.parse(lines.at(-1)!);
    expect(Object.keys(result)).toEqual(["n", "classTop1", "classTop3", "subclassTop1", "subclassTop3", "familyAccuracy"]);
    expect(result.n).toBe(3);
    // Two of three are plain cases; the nonsense line cannot be right at top-1.
    expect(result.classTop1).toBeCloseTo(2 / 3, 6);
    expect(result.subclassTop1).toBeCloseTo(1, 6);
    for (const v of Object.values(result).slice(1)) expect(v).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it("reports every bad line at once and exits 1", async () => {
    const input = jsonl("bad.jsonl", ['{"title":"x","class":"nope"}', "not json", '{"title":"a","class":"data","subclass":"change.binary-push"}']);
    const err = await evalClassify("--input", input).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('bad.jsonl:1: unknown class "nope"');
    expect(err?.stderr).toContain("bad.jsonl:2: not valid JSON");
    expect(err?.stderr).toContain('bad.jsonl:3: subclass "change.binary-push" is not under "data"');
  }, 60_000);
});
