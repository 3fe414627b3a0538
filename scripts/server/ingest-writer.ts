import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { logger } from "../../app/utils/logger.server";
import type { ReceiveResult } from "../../app/domain/alerts.server";
import { createWalSync } from "../../db/wal-sync";
import type { WriterAnswer, WriterRequest } from "./ingest-thread";

type Outcome = { result: ReceiveResult } | { invalid: string };

/** The delivery was kept as "failed" (an admin can replay it): applying it, or parsing it, threw. */
export class DeliveryFailed extends Error {}
/**
 * The writer thread stopped before it answered, or could not sync what it wrote: the delivery may not have been
 * kept, so the sender should retry.
 */
export class WriterStopped extends Error {}
type Waiting = { resolve: (r: Outcome) => void; reject: (e: Error) => void };

/**
 * The webhook writer: parses, stores and applies deliveries on a thread of its own (ingest-thread.ts, with its own
 * connection), so the request thread reads and checks the next bodies, and renders pages, while the last ones are
 * written; on a 2-core machine the two halves of the ingest run side by side. A delivery's promise settles when
 * what the writer committed for it (applied, refused, or failed: then kept for replay, as on one thread) is on disk.
 * The writer's commits skip the fsync; this thread syncs the WAL after them (db/wal-sync.ts, one sync for all the
 * answers that arrived meanwhile), so the writer goes on with the next deliveries instead of waiting on the disk,
 * and an answer waits for the sync here, where the event loop is free, not behind the writer's next batch. If the
 * thread dies, what it held is refused with an error (the senders retry; a body that did commit comes back as a
 * duplicate and changes nothing) and the next delivery starts a new one.
 */
export function startIngestWriter(file: string) {
  const waiting = new Map<number, Waiting>();
  const wal = createWalSync(file);
  let syncing = 0;
  let seq = 0;

  function start(): Worker {
    // Each delivery leaves short-lived garbage (its body, parsed events, rows); with a young generation larger than
    // a worker's default the collector took 2 % of the thread at peak instead of 8 %.
    const w = new Worker(new URL("./ingest-thread.mjs", import.meta.url), { workerData: { file }, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    w.on("message", ({ id, ...answer }: WriterAnswer) => {
      const p = waiting.get(id);
      waiting.delete(id);
      syncing++;
      wal.afterCommit((unsynced) => {
        syncing--;
        if (unsynced) p?.reject(new WriterStopped(unsynced.message));
        else if ("error" in answer) p?.reject(new DeliveryFailed(answer.error));
        else p?.resolve(answer);
      });
    });
    w.on("error", (err) => logger.error({ err }, "ingest writer thread failed"));
    w.on("exit", (code) => {
      if (worker === w) worker = null;
      if (!waiting.size) return;
      const error = new WriterStopped(`the ingest writer thread stopped (exit code ${code})`);
      for (const p of waiting.values()) p.reject(error);
      waiting.clear();
    });
    return w;
  }
  // Started now, so the first delivery does not wait for the thread to load.
  let worker: Worker | null = start();

  return {
    /** The delivery's result once on disk, or the reason its body was refused (it was kept as "rejected"). */
    receive(request: Omit<Exclude<WriterRequest, "close">, "id">): Promise<Outcome> {
      worker ??= start();
      const id = ++seq;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker!.postMessage({ id, ...request } satisfies WriterRequest);
      });
    },
    /**
     * Once the server takes no new deliveries: waits for the writer to answer those it holds and for their sync
     * (at most `graceMs`), then closes its connection and ends the thread.
     */
    async stop(graceMs = 5_000): Promise<void> {
      const w = worker;
      worker = null;
      const until = performance.now() + graceMs;
      while ((waiting.size || syncing) && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
      if (w) {
        const exited = once(w, "exit");
        if (waiting.size) await w.terminate();
        else w.postMessage("close" satisfies WriterRequest);
        await exited;
      }
      if (!syncing) wal.close();
    },
  };
}
