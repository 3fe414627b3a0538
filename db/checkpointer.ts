import { Worker } from "node:worker_threads";
import type { Db } from "./client";

// Runs in a worker thread with its own connection: a PASSIVE checkpoint never blocks writers, and doing it here
// keeps the copy and fsync of the WAL off the request thread.
const WORKER = `
const { workerData } = require("node:worker_threads");
const Database = require("better-sqlite3");
const db = new Database(workerData.file);
db.pragma("busy_timeout = 1000");
setInterval(() => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {}
}, workerData.intervalMs);
`;

/**
 * Moves WAL checkpoints off the main thread: a worker checkpoints every `intervalMs`, and the main connection
 * only checkpoints itself as a safety net once the WAL passes about 40 MB.
 */
export function startCheckpointer(db: Db, file: string, intervalMs = 1000): Worker {
  db.$client.pragma("wal_autocheckpoint = 10000");
  const worker = new Worker(WORKER, { eval: true, workerData: { file, intervalMs } });
  worker.unref();
  return worker;
}
