import Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "../../db/client";

export type TestDb = { db: Db; file: string; cleanup: () => void };

/** A freshly migrated SQLite file in its own temp directory; call `cleanup` in afterAll. */
export function makeTestDb(): TestDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-test-"));
  const file = path.join(dir, "test.db");
  const db = openDatabase(file);
  return {
    db,
    file,
    cleanup() {
      if (db.$client.open) db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One row of a query against a SQLite file, read on a connection of its own (e.g. the database of a running server). */
export function readRow(file: string, query: string, ...params: unknown[]): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(query).get(...params);
  } finally {
    db.close();
  }
}
