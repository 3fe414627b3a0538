// Usage: npm run restore -- --from FILE [--db PATH] [--force]
// Puts a backup made by `npm run backup` back in place of the database (default DATABASE_URL or
// ./data/faultline.db). Stop the app first: a database in use is refused, and so is an existing one without --force.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { databasePath } from "../db/client";
import { fail, parseCli } from "./lib/cli";

const USAGE = "Usage: npm run restore -- --from FILE [--db PATH] [--force]";

/** integrity_check's answer ("ok" when sound) and whether drizzle's migrations table is there. */
function inspect(file: string, readonly: boolean): { integrity: string; migrations: number | null } {
  const db = new Database(file, { readonly, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const integrity = (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).join("\n");
    const table = db.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
    const migrations = table ? (db.prepare("select count(*) as n from __drizzle_migrations").get() as { n: number }).n : null;
    return { integrity, migrations };
  } finally {
    db.close();
  }
}

/**
 * True when another connection has the database open. In WAL mode a plain BEGIN EXCLUSIVE succeeds while the app
 * sits idle with its connections open, so take the lock in exclusive locking mode: that needs an exclusive lock
 * on the file itself, which no open WAL connection allows.
 */
function inUse(file: string): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma("busy_timeout = 300");
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.prepare("select count(*) from sqlite_master").get();
    db.exec("ROLLBACK");
    return false;
  } catch (e) {
    const code = (e as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return true;
    // Not a database we can open (e.g. corrupt): nothing can be using it as one; --force still decides.
    console.error(`Note: the existing ${file} could not be opened as SQLite (${(e as Error).message}).`);
    return false;
  } finally {
    db?.close();
  }
}

async function main() {
  const args = parseCli(USAGE, { from: { type: "string" }, db: { type: "string" }, force: { type: "boolean", default: false } });
  if (!args.from) fail(`--from FILE is required.\n${USAGE}`, 2);
  const from = path.resolve(args.from);
  const target = path.resolve(args.db ?? databasePath());
  if (!fs.existsSync(from)) fail(`No backup at ${from}.`);
  if (from === target) fail("--from and --db name the same file.");

  let backup: ReturnType<typeof inspect>;
  try {
    backup = inspect(from, true);
  } catch (e) {
    return fail(`${from} is not a usable SQLite backup: ${(e as Error).message}`);
  }
  if (backup.integrity !== "ok") fail(`${from} fails integrity_check; not restoring it:\n${backup.integrity}`);
  if (backup.migrations === null) fail(`${from} has no __drizzle_migrations table; it is not a Faultline database.`);
  console.log(`Backup ${from}: integrity_check ok, ${backup.migrations} migrations applied`);

  if (fs.existsSync(target)) {
    // Refused before the target is even opened: without --force it stays byte for byte as it was.
    if (!args.force) fail(`${target} already exists; pass --force to replace it with the backup (stop the app first).`);
    if (inUse(target)) {
      fail(
        `${target} is in use by another process (is Faultline running on it?). Stop the app first, then run the restore again.`,
      );
    }
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });

  const started = performance.now();
  // Copied beside the target and renamed over it, so a failed copy leaves the current database untouched.
  const temp = `${target}.restoring`;
  const sidecars = (f: string) => [`${f}-wal`, `${f}-shm`, `${f}-journal`];
  for (const f of [temp, ...sidecars(temp)]) fs.rmSync(f, { force: true });
  const source = new Database(from, { readonly: true, fileMustExist: true });
  try {
    // The backup is not live, so one step copies it whole.
    await source.backup(temp, { progress: () => 0x7fffffff });
  } catch (e) {
    fs.rmSync(temp, { force: true });
    fail(`Restore failed while copying: ${(e as Error).message}`);
  } finally {
    source.close();
  }
  const copy = new Database(temp, { fileMustExist: true });
  copy.pragma("journal_mode = DELETE");
  copy.close();

  // The exclusive check above found no user, so the target's -wal/-shm are stale; left in place, a WAL of the
  // old database would be replayed into the restored one.
  for (const f of sidecars(target)) fs.rmSync(f, { force: true });
  fs.renameSync(temp, target);

  const restored = inspect(target, true);
  if (restored.integrity !== "ok") fail(`The restored ${target} fails integrity_check:\n${restored.integrity}`);
  const bytes = fs.statSync(target).size;
  const seconds = (performance.now() - started) / 1000;
  console.log(`Restored ${target} (${bytes} bytes) in ${seconds.toFixed(2)} s; integrity_check: ok. Start the app on it.`);
}

await main();
