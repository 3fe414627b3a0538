import fs from "node:fs";
import path from "node:path";
import { count, eq, sql } from "drizzle-orm";
import { INCIDENT_STATUSES, incidents, type IncidentStatus } from "../../db/schema";
import type { Db } from "../utils/db.server";
import { countOpenActionItems } from "./actions.server";

// Resolved from the working directory, like the migrator's folder (this module is also bundled into build/).
const journalFile = path.resolve("db/migrations/meta/_journal.json");

/**
 * Why this process cannot serve (for /healthz), or null when it can: the database file is writable and takes a
 * write lock, and every migration shipped with this build has been applied. Says nothing about the data.
 */
export function healthProblem(db: Db): string | null {
  const file = db.$client.name;
  try {
    if (file !== ":memory:") {
      fs.accessSync(file, fs.constants.W_OK);
      fs.accessSync(path.dirname(file), fs.constants.W_OK);
    }
    db.$client.exec("begin immediate; rollback");
  } catch (e) {
    return `database not writable: ${(e as Error).message}`;
  }
  try {
    const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: { when: number; tag: string }[] };
    const latest = journal.entries.at(-1);
    const applied = db.get<{ at: number | null }>(sql`select max(created_at) as at from __drizzle_migrations`)?.at ?? 0;
    if (latest && applied < latest.when) return `migrations pending: ${latest.tag} not applied`;
  } catch (e) {
    return `migrations unknown: ${(e as Error).message}`;
  }
  return null;
}

/**
 * The numbers /metrics reports as gauges, counted at scrape time: incidents per status (one range count each on
 * incidents_status_started_idx) and open/overdue action items (two range counts on action_items_status_due_idx).
 */
export function operationalCounts(db: Db, now = Date.now()) {
  const byStatus = Object.fromEntries(
    INCIDENT_STATUSES.map((status) => [status, db.select({ n: count() }).from(incidents).where(eq(incidents.status, status)).get()!.n]),
  ) as Record<IncidentStatus, number>;
  return { incidents: byStatus, actionItems: countOpenActionItems(db, now) };
}
