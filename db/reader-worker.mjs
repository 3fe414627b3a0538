// @ts-check
// A reader thread for db/readers.ts: one read-only connection, prepared statements cached by SQL text.
// Plain JavaScript so it runs as it is under the built server, tsx and vitest alike (no loader in a worker).
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const db = new Database(workerData.file, { readonly: true });
db.pragma("busy_timeout = 5000");
/** @type {Map<string, import("better-sqlite3").Statement>} */
const statements = new Map();

parentPort?.on("message", (/** @type {{ id: number; sql: string; params: unknown[] }} */ { id, sql, params }) => {
  try {
    let stmt = statements.get(sql);
    if (!stmt) statements.set(sql, (stmt = db.prepare(sql)));
    parentPort?.postMessage({ id, rows: stmt.all(...params) });
  } catch (e) {
    parentPort?.postMessage({ id, error: String((e instanceof Error && e.message) || e) });
  }
});
