// The webhook writer thread (ingest-thread.mjs loads it for ingest-writer.ts): with its own connection to the
// database, it parses and validates each delivery's body, keeps a refused one, and stores and applies the rest
// through the group-commit queue. Every delivery it answers was kept: applied, "rejected" or "failed". Its
// connection commits without an fsync: the request thread syncs the WAL before it answers (ingest-writer.ts).
import { parentPort, workerData } from "node:worker_threads";
import { parseDeliveryBody, storeUnappliedDelivery, type IncomingDelivery, type ReceiveResult } from "../../app/domain/alerts.server";
import type { Actor } from "../../app/domain/audit.server";
import { createDeliveryQueue } from "../../app/domain/ingest-queue.server";
import type { Sender } from "../../app/webhooks/index";
import { leaveCheckpointsToCheckpointer } from "../../db/checkpointer";
import { openAnotherConnection } from "../../db/client";

export type WriterRequest = { id: number; delivery: IncomingDelivery & { sender: Sender }; actor: Actor; now: number } | "close";
export type WriterAnswer = { id: number } & ({ result: ReceiveResult } | { invalid: string } | { error: string });

const port = parentPort!;
const db = openAnotherConnection((workerData as { file: string }).file);
leaveCheckpointsToCheckpointer(db);
db.$client.pragma("synchronous = NORMAL");
const queue = createDeliveryQueue(db);
const answer = (a: WriterAnswer) => port.postMessage(a);

port.on("message", (m: WriterRequest) => {
  if (m === "close") {
    // Sent once nothing is in flight: every answer has been posted, so the connection can go.
    db.$client.close();
    port.close();
    return;
  }
  const { id, delivery, actor, now } = m;
  const parsed = parseDeliveryBody(delivery.sender, delivery.body);
  if ("invalid" in parsed) {
    storeUnappliedDelivery(db, delivery, "rejected", parsed.invalid);
    return answer({ id, invalid: parsed.invalid });
  }
  if ("fault" in parsed) {
    storeUnappliedDelivery(db, delivery, "failed", parsed.fault);
    return answer({ id, error: parsed.fault });
  }
  queue.receive({ delivery, events: parsed.events, actor, now }).then(
    (result) => answer({ id, result }),
    (e: unknown) => answer({ id, error: e instanceof Error ? e.message : String(e) }),
  );
});
