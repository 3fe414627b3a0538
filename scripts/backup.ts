// Usage: npm run backup -- [--db PATH] [--out FILE]
// Copies the database with SQLite's online backup API, safe while the app runs, into one self-contained file
// (default ./data/backups/faultline-<UTC timestamp>.db), then checks the copy with PRAGMA integrity_check.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { databasePath } from "../db/client";
import { fail, parseCli } from "./lib/cli";

const USAGE = "Usage: npm run backup -- [--db PATH] [--out FILE]";

/** 2026-05-04T12:03:01.123Z -> 20260504T120301Z */
const utcStamp = (d = new Date()) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");

async function main() {
  const args = parseCli(USAGE, { db: { type: "string" }, out: { type: "string" } });
  const source = path.resolve(args.db ?? databasePath());
  const out = path.resolve(args.out ?? path.join("data", "backups", `faultline-${utcStamp()}.db`));
  if (!fs.existsSync(source)) fail(`No database at ${source}.\n${USAGE}`);
  if (fs.existsSync(out)) fail(`${out} already exists; choose another --out.`);
  fs.mkdirSync(path.dirname(out), { recursive: true });

  // Written beside the target and renamed at the end, so a file at `out` is always a complete, checked backup.
  const partial = `${out}.partial`;
  for (const f of [partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`]) fs.rmSync(f, { force: true });

  const started = performance.now();
  // Read-only: the backup never writes to the live database. In WAL mode it does not block the app's writers.
  const db = new Database(source, { readonly: true, fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  console.log(`Backing up ${source} -> ${out}`);
  let lastRemaining = Infinity;
  let restarts = 0;
  let lastPrinted = -1;
  let pagesPerStep = 0;
  try {
    const done = await db.backup(partial, {
      progress({ totalPages, remainingPages }) {
        // SQLite restarts the copy when another connection writes between steps; under a steady stream of
        // writes that could repeat forever, so after a restart copy the rest in one step (one read snapshot).
        if (remainingPages > lastRemaining) {
          restarts += 1;
          console.log(`  the database changed during the copy; copying all ${totalPages} pages in one step`);
        }
        lastRemaining = remainingPages;
        if (restarts > 0) return 0x7fffffff;
        pagesPerStep ||= Math.max(100, Math.ceil(totalPages / 20));
        const percent = Math.floor(((totalPages - remainingPages) / totalPages) * 100);
        if (percent >= lastPrinted + 10) {
          lastPrinted = percent;
          console.log(`  ${totalPages - remainingPages}/${totalPages} pages (${percent}%)`);
        }
        return pagesPerStep;
      },
    });
    console.log(`  ${done.totalPages}/${done.totalPages} pages (100%)${restarts ? `; restarted ${restarts}x by concurrent writes` : ""}`);
  } catch (e) {
    fs.rmSync(partial, { force: true });
    fail(`Backup failed: ${(e as Error).message}`);
  } finally {
    db.close();
  }

  // The copy keeps the source's WAL flag; switch it to a rollback journal so the backup is one file and a
  // read-only open of it leaves no -wal/-shm beside it. The app turns WAL back on when it opens a restored copy.
  const copy = new Database(partial, { fileMustExist: true });
  copy.pragma("journal_mode = DELETE");
  copy.close();

  const check = new Database(partial, { readonly: true, fileMustExist: true });
  let result: string;
  try {
    result = (check.pragma("integrity_check", { simple: false }) as { integrity_check: string }[]).map((r) => r.integrity_check).join("\n");
  } finally {
    check.close();
  }
  if (result !== "ok") {
    fs.rmSync(partial, { force: true });
    fail(`Backup failed: integrity_check of the copy says:\n${result}`);
  }
  fs.renameSync(partial, out);

  const bytes = fs.statSync(out).size;
  const seconds = (performance.now() - started) / 1000;
  console.log(`Backup written: ${out} (${bytes} bytes) in ${seconds.toFixed(2)} s; integrity_check: ok`);
}

await main();
