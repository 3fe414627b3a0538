import type { Db } from "../utils/db.server";
import { receiveDeliveries, storeUnappliedDelivery, type ParsedDelivery, type ReceiveResult } from "./alerts.server";

type Waiting = { item: ParsedDelivery; resolve: (r: ReceiveResult) => void; reject: (e: Error) => void };

/**
 * Group commit for webhook deliveries. Deliveries parsed in the same turn of the event loop (those that arrived
 * while the previous commit was being written) are stored and applied in one transaction, each under its own
 * savepoint, so they share one fsync; each promise settles only after that transaction has committed.
 */
export function createDeliveryQueue(db: Db, maxBatch = 64) {
  const waiting: Waiting[] = [];
  let scheduled = false;

  function flush() {
    scheduled = false;
    const batch = waiting.splice(0, maxBatch);
    if (waiting.length) schedule();
    let results: (ReceiveResult | Error)[];
    try {
      results = receiveDeliveries(db, batch.map((w) => w.item));
    } catch (e) {
      // The commit itself failed (disk full, I/O error): none of the batch was stored. Keep the bodies if we can.
      const error = e instanceof Error ? e : new Error(String(e));
      try {
        db.transaction((tx) => batch.forEach((w) => storeUnappliedDelivery(tx, w.item.delivery, "failed", error.message)));
      } catch {
        // The database refuses writes altogether; the senders will retry.
      }
      for (const w of batch) w.reject(error);
      return;
    }
    results.forEach((r, i) => (r instanceof Error ? batch[i].reject(r) : batch[i].resolve(r)));
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    receive(item: ParsedDelivery): Promise<ReceiveResult> {
      return new Promise((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        schedule();
      });
    },
  };
}
