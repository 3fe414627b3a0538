// The checkpointer's worker thread (see checkpointer.ts): its own connection, a PASSIVE checkpoint every interval.
// Plain JavaScript, so it runs as it is under tsx, the built server, or bare node (workers get no TypeScript loader).
import { workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { file, intervalMs } = workerData;
const db = new Database(file);
db.pragma("busy_timeout = 1000");
setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or closing: the next tick tries again.
  }
}, intervalMs);
