import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Db } from "./client";

// Resolved from the working directory, like the migrations: this file may also be bundled into build/.
const workerFile = path.resolve("db/checkpoint-worker.mjs");

/**
 * A writing connection of a process whose checkpointer runs checkpoints only itself as a safety net, once the WAL
 * passes about 40 MB; SQLite's default (4 MB) would have it checkpoint after most commits of an alert storm.
 */
export function leaveCheckpointsToCheckpointer(db: Db): void {
  db.$client.pragma("wal_autocheckpoint = 10000");
}

/**
 * Moves WAL checkpoints off the writing threads: a worker with its own connection checkpoints every `intervalMs`
 * (a PASSIVE checkpoint never blocks writers, and the copy and fsync of the WAL stay off the request thread). Every
 * 100 ms: an alert storm writes some 15,000 WAL pages a second, so with a second between checkpoints the WAL passed
 * the writers' 10,000-page safety net first and the webhook writer thread checkpointed itself, mid-storm (ingest p99
 * 30 ms against 21 ms, decision 016); a checkpoint with nothing to copy costs next to nothing.
 */
export function startCheckpointer(db: Db, file: string, intervalMs = 100): Worker {
  leaveCheckpointsToCheckpointer(db);
  const worker = new Worker(workerFile, { workerData: { file, intervalMs } });
  worker.unref();
  return worker;
}
