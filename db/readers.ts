import { Worker } from "node:worker_threads";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * The worker script. Both this file (db/readers.ts) and the built server's bundle of it (build/index.js) sit one
 * folder below the app root, so one relative URL finds it from either.
 */
const WORKER_FILE = new URL("../db/reader-worker.mjs", import.meta.url);

type Pending = { resolve: (rows: unknown[]) => void; reject: (e: Error) => void };
type Pool = { workers: { worker: Worker; busy: number }[]; pending: Map<number, Pending> };

const dialect = new SQLiteSyncDialect();
const pools = new Map<string, Pool>();
let seq = 0;

function poolFor(file: string, size: number): Pool {
  let pool = pools.get(file);
  if (pool) return pool;
  const pending = new Map<number, Pending>();
  const workers = Array.from({ length: size }, () => {
    const slot = { worker: new Worker(WORKER_FILE, { workerData: { file } }), busy: 0 };
    slot.worker.unref();
    slot.worker.on("message", (m: { id: number; rows?: unknown[]; error?: string }) => {
      slot.busy--;
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.rows!);
    });
    // A worker that dies (its file unreadable, the database gone) fails what it holds, and the next call starts afresh.
    slot.worker.on("error", (e) => {
      pools.delete(file);
      for (const w of workers) void w.worker.terminate();
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    });
    return slot;
  });
  pools.set(file, (pool = { workers, pending }));
  return pool;
}

/**
 * Runs independent read queries at the same time on a small pool of worker threads (one read-only connection
 * each), so a page that needs several heavy aggregates waits for the slowest, not for their sum.
 * Falls back to the calling connection for in-memory databases.
 */
export function readInParallel<T extends unknown[][]>(db: Db, queries: { [K in keyof T]: SQL }): Promise<T> {
  const file = db.$client.name;
  if (!file || file === ":memory:" || db.$client.memory) {
    return Promise.resolve(queries.map((q) => db.all(q)) as T);
  }
  const pool = poolFor(file, 4);
  return Promise.all(
    queries.map((q) => {
      const { sql, params } = dialect.sqlToQuery(q);
      const id = ++seq;
      const slot = pool.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      slot.busy++;
      return new Promise<unknown[]>((resolve, reject) => {
        pool.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, sql, params });
      });
    }),
  ) as Promise<T>;
}
