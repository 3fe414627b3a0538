// The seed's database connection: opened for a fast bulk load, emptied (only with --reset) before seeding, and
// finished with the derived insights columns, fresh statistics and a checkpoint.
import { openDatabase, type Db } from "../../db/client";
import { recomputeAllRepeats, syncIncidentClassColumns } from "../../app/domain/repeats.server";
import { fail } from "../lib/cli";
import type { Options } from "./options";

export function openSeedDatabase(path: string): Db {
  const db = openDatabase(path);
  const sqlite = db.$client;
  // A seed can simply be re-run, so trade durability for speed on this connection only.
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -131072");
  sqlite.pragma("temp_store = MEMORY");
  return db;
}

export const countRows = (db: Db, table: string) => (db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;

/** Refuses a database that already holds demo data unless --reset; with it, deletes incidents, alerts and models. */
export function refuseOrReset(db: Db, opts: Options): void {
  const sqlite = db.$client;
  const countOf = (table: string) => countRows(db, table);
  const existing = { incidents: countOf("incidents"), alerts: countOf("alerts"), models: countOf("models") };
  if (existing.incidents + existing.alerts + existing.models > 0) {
    if (!opts.reset) {
      sqlite.close();
      fail(
        `${opts.db} already holds ${existing.incidents} incidents, ${existing.alerts} alerts and ${existing.models} models; nothing was changed.\n` +
          `Run again with --reset to replace them (users are kept), or choose another file with --db PATH.`,
      );
    }
    process.stderr.write(`Deleting ${existing.incidents} incidents, ${existing.alerts} alerts and ${existing.models} models…\n`);
    sqlite.transaction(() => {
      sqlite.exec(`
        delete from alerts;
        delete from alert_deliveries;
        delete from incident_classes;
        delete from incident_models;
        delete from timeline_events;
        delete from action_items;
        delete from postmortem_revisions;
        delete from audit_log where entity = 'incident';
        delete from incidents;
        delete from model_versions;
        delete from models;
      `);
    })();
  }

}

/** The insights columns (class copies, repeat flags) are derived in bulk, as after any bulk load. */
export function finishBulkLoad(db: Db): void {
  const sqlite = db.$client;
  db.transaction((tx) => {
    syncIncidentClassColumns(tx);
    recomputeAllRepeats(tx);
  });
  sqlite.pragma("analyze");
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
}
