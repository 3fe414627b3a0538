// What an import refuses, and how it says so: links out of the folder and loops, encodings, sizes, a locked
// database; and a dry run that writes nothing.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { incidents } from "../../db/schema";
import { MAX_FILE_BYTES, decodeText, importMarkdownFiles, readMarkdownFolder } from "~/domain/portability/folder.server";
import { FIXTURES, IMPORTER, cleanupAll, freshDb, run, tableCounts, tmpDir } from "../helpers/portability";

afterAll(() => cleanupAll());

const GOOD = fs.readFileSync(path.join(FIXTURES, "2021-02-03-quillbyte-dns-outage.md"), "utf8");
const titled = (title: string) => GOOD.replace(/^title: .*$/m, `title: ${title}`).replace(/^url: .*\n/m, "");

describe("reading a folder", () => {
  it("refuses links out of the folder by name without opening them, follows links inside it, and ends loops", () => {
    const root = tmpDir();
    const dir = path.join(root, "in");
    const outside = path.join(root, "outside");
    fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
    fs.mkdirSync(path.join(outside, "more"), { recursive: true });
    fs.writeFileSync(path.join(dir, "a.md"), titled("Inside the folder"));
    fs.writeFileSync(path.join(dir, "sub", "b.md"), titled("In a subfolder"));
    fs.writeFileSync(path.join(outside, "secret.md"), titled("SECRET from outside"));
    fs.writeFileSync(path.join(outside, "more", "c.md"), titled("Also outside"));
    // Opening a FIFO with no writer blocks: if the reader opened this target, the test would hang.
    execFileSync("mkfifo", [path.join(outside, "pipe.md")]);
    fs.symlinkSync("../outside/secret.md", path.join(dir, "secret.md"));
    fs.symlinkSync(path.join(outside, "pipe.md"), path.join(dir, "pipe.md"));
    fs.symlinkSync("/etc/passwd", path.join(dir, "passwd.md"));
    fs.symlinkSync("../outside/more", path.join(dir, "more"));
    fs.symlinkSync("..", path.join(dir, "sub", "parent"));
    fs.symlinkSync(".", path.join(dir, "self"));
    fs.symlinkSync("sub/b.md", path.join(dir, "alias.md"));
    fs.symlinkSync("missing.md", path.join(dir, "dangling.md"));

    const read = readMarkdownFolder(dir);
    expect(read.files.map((f) => f.name)).toEqual(["a.md", "alias.md", path.join("sub", "b.md")]);
    expect(read.files.every((f) => !f.text.includes("SECRET") && !f.text.includes("root:"))).toBe(true);
    expect(read.refused).toEqual([
      { file: "dangling.md", reason: "broken link", message: "dangling.md: is a link to nothing (its target does not exist)" },
      { file: "more", reason: "link outside the folder", message: "more: is a link to a place outside the folder: not read" },
      { file: "passwd.md", reason: "link outside the folder", message: "passwd.md: is a link to a place outside the folder: not read" },
      { file: "pipe.md", reason: "link outside the folder", message: "pipe.md: is a link to a place outside the folder: not read" },
      { file: "secret.md", reason: "link outside the folder", message: "secret.md: is a link to a place outside the folder: not read" },
      { file: "self", reason: "link loop", message: "self: links back to a folder already read (a loop): not followed" },
      { file: path.join("sub", "parent"), reason: "link loop", message: `${path.join("sub", "parent")}: links back to a folder already read (a loop): not followed` },
    ]);

    // Importing it: the refused links are reported with the files, the two distinct incidents imported once each.
    const t = freshDb();
    const summary = importMarkdownFiles(t.db, "public", read.files, IMPORTER, { refused: read.refused });
    expect(summary).toMatchObject({ files: 10, created: 2 });
    expect(summary.failed).toHaveLength(8);
    expect(summary.failed.find((f) => f.file === path.join("sub", "b.md"))?.message).toMatch(/match another file of this import/);
    expect(t.db.select({ title: incidents.title }).from(incidents).all().map((r) => r.title).sort()).toEqual(["In a subfolder", "Inside the folder"]);
  });

  it("refuses text that is not UTF-8, saying what it looks like; reads UTF-8 and UTF-16 with a byte-order mark", () => {
    const latin1 = Buffer.from(titled("Café outage in Zürich: the façade of naïve résumé parsing, Straße für Straße"), "latin1");
    expect(decodeText(latin1)).toEqual({ reason: "not UTF-8", problem: "is not UTF-8 text (it looks like ISO-8859-1): convert it, e.g. iconv -f ISO-8859-1 -t UTF-8" });
    const text = titled("Überlastung 🚨 im Rechenzentrum");
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toEqual({ text });
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]))).toEqual({ text });
    const be = Buffer.from(text, "utf16le").swap16();
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toEqual({ text });
    // UTF-16 without its mark is full of NUL bytes: refused, not imported as garbage.
    expect(decodeText(Buffer.from(text, "utf16le"))).toMatchObject({ reason: "not UTF-8", problem: expect.stringMatching(/^is not UTF-8 text \(it looks like UTF-16LE\)/) });

    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, "latin1.md"), latin1);
    fs.writeFileSync(path.join(dir, "utf16.md"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    fs.writeFileSync(path.join(dir, "huge.md"), Buffer.alloc(MAX_FILE_BYTES + 1, 0x61));
    const read = readMarkdownFolder(dir);
    expect(read.files.map((f) => f.name)).toEqual(["utf16.md"]);
    expect(read.refused.map((r) => r.message)).toEqual([
      "huge.md: is 2.0 MiB: the limit for one file is 2 MiB",
      "latin1.md: is not UTF-8 text (it looks like ISO-8859-1): convert it, e.g. iconv -f ISO-8859-1 -t UTF-8",
    ]);
    const t = freshDb();
    expect(importMarkdownFiles(t.db, "public", read.files, IMPORTER)).toMatchObject({ created: 1, failed: [] });
    expect(t.db.select({ title: incidents.title }).from(incidents).get()).toEqual({ title: "Überlastung 🚨 im Rechenzentrum" });
  });
});

describe("npm run import (child processes)", () => {
  it("says a locked database is locked and exits 1, without a stack trace", () => {
    const t = freshDb();
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, "a.md"), titled("Locked out"));
    const other = new Database(t.file);
    other.pragma("busy_timeout = 0");
    other.exec("begin immediate");
    try {
      const res = run("scripts/import.ts", ["--db", t.file, "--public", dir]);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toMatch(/test\.db: the database is locked by another connection.*run the import again when the other process is done/);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(res.stderr).not.toMatch(/SqliteError/);
    } finally {
      other.exec("rollback");
      other.close();
    }
    expect(tableCounts(t).incidents).toBe(0);
  }, 90_000);

  it("prints what a dry run would change and writes nothing, to a new or an existing database", () => {
    const dir = tmpDir();
    const target = path.join(dir, "new.db");
    const dry = run("scripts/import.ts", ["--db", target, "--dry-run", "--public", FIXTURES]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run \(nothing written\): Imported /);
    expect(dry.stdout).toMatch(/would be created\s+5\n/);
    expect(dry.stdout).toContain('would create "A resolver config push left Quillbyte unreachable for 94 minutes" (2021-02-03-quillbyte-dns-outage.md)');
    expect(fs.existsSync(target)).toBe(false);

    const real = run("scripts/import.ts", ["--db", target, "--public", FIXTURES]);
    expect(real.code, real.stderr).toBe(0);
    const edited = tmpDir();
    fs.cpSync(FIXTURES, edited, { recursive: true });
    const file = path.join(edited, "2023-03-26-orchard-health-timezone.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("categories:\n", "end_time: 2023-03-27 09:00\ncategories:\n"));
    const before = fs.readFileSync(target);
    const again = run("scripts/import.ts", ["--db", target, "--dry-run", "--public", edited]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/would be updated\s+1\n/);
    expect(again.stdout).toMatch(/would update #\d+ "Orchard Health.*" \(2023-03-26-orchard-health-timezone\.md\): resolved_at\n/);
    expect(fs.readFileSync(target).equals(before)).toBe(true);
  }, 90_000);
});
