import { sql } from "drizzle-orm";
import type { Conn, Db } from "../utils/db.server";
import { logger } from "../utils/logger.server";

const DAY_MS = 24 * 3600 * 1000;

/** A refused body is kept only this far (characters): enough to see what was wrong, not a megabyte per refusal. */
export const REJECTED_BODY_CHARS = 4096;

export type RetentionSettings = { days: number; rows: number };

function nonNegative(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** WEBHOOK_RETENTION_DAYS (default 90) and WEBHOOK_RETENTION_ROWS (default 100000); 0 keeps that bound off. */
export function retentionSettings(): RetentionSettings {
  return {
    days: nonNegative(process.env.WEBHOOK_RETENTION_DAYS, 90),
    rows: Math.floor(nonNegative(process.env.WEBHOOK_RETENTION_ROWS, 100_000)),
  };
}

export function truncateRejectedBody(body: string): string {
  return body.length > REJECTED_BODY_CHARS ? body.slice(0, REJECTED_BODY_CHARS) : body;
}

/** Notes that `incidentIds` collected alerts from delivery `deliveryId`, inside the caller's transaction. */
export function citeDelivery(db: Conn, deliveryId: number, incidentIds: number[]): void {
  for (const incidentId of incidentIds) {
    db.run(sql`insert or ignore into incident_deliveries (incident_id, delivery_id) values (${incidentId}, ${deliveryId})`);
  }
}

const BATCH = 2000;
const uncited = sql`not exists (select 1 from incident_deliveries c where c.delivery_id = d.id)`;

/**
 * Removes deliveries older than `days` and all but the newest `rows`, except those an incident cites, and cuts
 * refused bodies still longer than REJECTED_BODY_CHARS. Works in small transactions, so webhook ingestion waits
 * for at most one batch. Returns how many deliveries it removed.
 */
export function pruneDeliveries(db: Db, now = Date.now(), settings = retentionSettings()): { removed: number; truncated: number } {
  let removed = 0;
  const deleteBatch = (where: ReturnType<typeof sql>) => {
    for (;;) {
      const { changes } = db.run(
        sql`delete from alert_deliveries where id in (select d.id from alert_deliveries d where ${where} and ${uncited} limit ${BATCH})`,
      );
      removed += changes;
      if (changes < BATCH) return;
    }
  };
  if (settings.days > 0) deleteBatch(sql`d.received_at < ${now - settings.days * DAY_MS}`);
  if (settings.rows > 0) {
    const edge = db.get<{ id: number } | undefined>(sql`select id from alert_deliveries order by id desc limit 1 offset ${settings.rows}`);
    if (edge) deleteBatch(sql`d.id <= ${edge.id}`);
  }
  const { changes: truncated } = db.run(
    sql`update alert_deliveries set body = substr(body, 1, ${REJECTED_BODY_CHARS}) where outcome = 'rejected' and length(body) > ${REJECTED_BODY_CHARS}`,
  );
  return { removed, truncated };
}

/** Prunes at start and then every WEBHOOK_PRUNE_INTERVAL_MS (default an hour); `stop` for the shutdown list. */
export function startDeliveryPruning(db: Db, intervalMs = Number(process.env.WEBHOOK_PRUNE_INTERVAL_MS) || 3600_000) {
  const run = () => {
    try {
      const settings = retentionSettings();
      const result = pruneDeliveries(db, Date.now(), settings);
      if (result.removed || result.truncated) logger.info({ ...result, ...settings }, "webhook deliveries pruned");
    } catch (err) {
      logger.error({ err }, "pruning webhook deliveries failed");
    }
  };
  const first = setTimeout(run, 1000);
  const timer = setInterval(run, intervalMs);
  first.unref();
  timer.unref();
  return {
    stop: async () => {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
