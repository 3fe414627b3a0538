import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export function databasePath(): string {
  return path.resolve(process.env.DATABASE_URL ?? "./data/faultline.db");
}

// Resolved from the working directory: this file is also bundled into build/, where its own URL differs.
const migrationsFolder = path.resolve("db/migrations");

/** better-sqlite3's native module did not load: not built for this Node.js, or npm skipped its install script. */
export class SqliteBindingError extends Error {}

function connect(file: string): Database.Database {
  try {
    return new Database(file);
  } catch (e) {
    const { code, message } = e as NodeJS.ErrnoException;
    if (code !== "ERR_DLOPEN_FAILED" && code !== "ERR_DLOPEN_DISABLED" && !/bindings file|NODE_MODULE_VERSION/.test(message)) throw e;
    throw new SqliteBindingError(
      `SQLite's native module (better-sqlite3) does not load on Node.js ${process.version}: run \`npm rebuild better-sqlite3\` (${code ?? message.split("\n")[0]}).`,
    );
  }
}

/**
 * The database holds password hashes and everything written about incidents: a folder we create is 0700, and the
 * file is 0600 before SQLite opens it (SQLite gives its -wal and -shm files the database file's mode).
 */
function makePrivate(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, "a", 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
    } catch (e) {
      // Someone else's file we may still write (a shared group): leave its mode to its owner.
      if ((e as NodeJS.ErrnoException).code !== "EPERM") throw e;
    }
  }
}

/** Opens a SQLite file with the pragmas every connection needs and applies pending migrations. */
export function openDatabase(file = databasePath()): Db {
  if (file !== ":memory:") makePrivate(file);
  return prepare(connect(file));
}

/**
 * One more connection to a database this process has open already (a worker thread's). It skips makePrivate: an
 * open and close of the file outside SQLite drops every POSIX lock the process holds on it, the other
 * connections' included, so another process could then take the database as unused (or corrupt it).
 */
export function openAnotherConnection(file: string): Db {
  return prepare(connect(file));
}

/**
 * An in-memory copy of a database file (an empty database when there is no such file), migrated like the file would
 * be: what a dry run works on, so it can never write to the file.
 */
export function openDatabaseCopy(file: string): Db {
  if (!fs.existsSync(file)) return prepare(new Database(":memory:"));
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const image = source.serialize();
    // Header bytes 18-19 say "WAL"; an in-memory database cannot be in WAL mode, so the copy says "rollback journal".
    image[18] = image[19] = 1;
    return prepare(new Database(image));
  } finally {
    source.close();
  }
}

function prepare(sqlite: Database.Database): Db {
  if (!sqlite.memory) sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // WAL with synchronous=FULL: a write acknowledged to a client survives power loss, not only a crash.
  sqlite.pragma("synchronous = FULL");
  const db = drizzle(sqlite, { schema }) as Db;
  // Two connections write (the server's and the webhook writer thread's). A deferred transaction that reads, then
  // writes after the other committed, fails at once with SQLITE_BUSY; one that takes the write lock at BEGIN
  // waits its turn under busy_timeout instead. So a transaction is IMMEDIATE unless its caller says otherwise.
  const transaction = db.transaction.bind(db);
  db.transaction = (fn, config) => transaction(fn, { behavior: "immediate", ...config });
  migrate(db, { migrationsFolder });
  // Gathers planner statistics where they are missing or stale (cheap; SQLite's advice for long-lived connections).
  sqlite.pragma("optimize = 0x10002");
  return db;
}

const globalForDb = globalThis as unknown as { __faultlineDb?: Db };

/** The one handle of this process, shared by the server script and the Remix build (and kept across dev rebuilds). */
export function getDb(): Db {
  globalForDb.__faultlineDb ??= openDatabase();
  return globalForDb.__faultlineDb;
}

export function closeDb(): void {
  globalForDb.__faultlineDb?.$client.close();
  globalForDb.__faultlineDb = undefined;
}
