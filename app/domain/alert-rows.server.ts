import type Database from "better-sqlite3";
import type { IncidentStatus } from "../../db/schema";
import type { Db } from "../utils/db.server";

type Sqlite = Db["$client"];
type Statement = Database.Statement<unknown[]>;

/** What ingest needs to know of an alert it has seen before. */
export type AlertState = {
  fingerprint: string;
  id: number;
  status: "firing" | "resolved";
  startsAt: number | null;
  incidentId: number | null;
  incidentStatus: IncidentStatus | null;
};

/** An alert as ingest writes it; `id` is null for a new alert. */
export type AlertRow = {
  sender: string;
  fingerprint: string;
  ruleName: string;
  status: "firing" | "resolved";
  severity: string | null;
  labels: string;
  annotations: string;
  startsAt: number | null;
  endsAt: number | null;
  /** 1 when this delivery starts a new firing of the alert. */
  fired: 0 | 1;
  incidentId: number | null;
  modelVersionId: number | null;
  id: number | null;
};

// Rows go to SQLite as bound values of one multi-row statement per chunk: a statement per alert would run the
// alert_rule_days triggers' setup per alert, and rows passed as JSON cost SQLite more to take apart than to store.
const CHUNK = 64;
const INSERT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)";
const UPDATE_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

const insertSql = (n: number) =>
  `insert into alerts (sender, fingerprint, rule_name, status, severity, labels, annotations, starts_at, ends_at,
     first_received_at, last_received_at, fire_count, delivery_count, incident_id, model_version_id)
   values ${Array(n).fill(INSERT_ROW).join(", ")}`;

// VALUES columns are column1..column11: id, rule, status, severity, labels, annotations, starts, ends, fired,
// incident, model version.
const updateSql = (n: number) =>
  `update alerts set rule_name = u.column2, status = u.column3, severity = u.column4, labels = u.column5,
     annotations = u.column6, starts_at = u.column7, ends_at = u.column8, last_received_at = ?,
     delivery_count = delivery_count + 1, fire_count = fire_count + u.column9, incident_id = u.column10,
     model_version_id = coalesce(u.column11, model_version_id)
   from (values ${Array(n).fill(UPDATE_ROW).join(", ")}) as u
   where alerts.id = u.column1`;

type Prepared = { insert: Map<number, Statement>; update: Map<number, Statement>; known: Database.Statement<[string, string], AlertState> };
const perConnection = new WeakMap<Sqlite, Prepared>();

function prepared(sqlite: Sqlite): Prepared {
  let p = perConnection.get(sqlite);
  if (!p) {
    const known = sqlite.prepare<[string, string], AlertState>(
      `select a.fingerprint, a.id, a.status, a.starts_at as startsAt, a.incident_id as incidentId, i.status as incidentStatus
       from alerts a left join incidents i on i.id = a.incident_id
       where a.sender = ? and a.fingerprint in (select value from json_each(?))`,
    );
    perConnection.set(sqlite, (p = { insert: new Map(), update: new Map(), known }));
  }
  return p;
}

function statement(sqlite: Sqlite, cache: Map<number, Statement>, sql: (n: number) => string, n: number): Statement {
  let s = cache.get(n);
  if (!s) cache.set(n, (s = sqlite.prepare<unknown[]>(sql(n))));
  return s;
}

/** The key of an alert in knownAlerts' map. */
export const alertKey = (a: { sender: string; fingerprint: string }) => `${a.sender}\u0000${a.fingerprint}`;

/** Those of `alerts` that exist already, by alertKey: one query per sender (a delivery has one). */
export function knownAlerts(sqlite: Sqlite, alerts: { sender: string; fingerprint: string }[]): Map<string, AlertState> {
  const bySender = new Map<string, string[]>();
  for (const a of alerts) {
    const fingerprints = bySender.get(a.sender);
    if (fingerprints) fingerprints.push(a.fingerprint);
    else bySender.set(a.sender, [a.fingerprint]);
  }
  const known = new Map<string, AlertState>();
  for (const [sender, fingerprints] of bySender) {
    for (const r of prepared(sqlite).known.all(sender, JSON.stringify(fingerprints))) known.set(alertKey({ sender, fingerprint: r.fingerprint }), r);
  }
  return known;
}

/** Runs `sql(n)` once per chunk of at most 64 rows, binding `lead` and then each row's `values`. */
function runInChunks(sqlite: Sqlite, cache: Map<number, Statement>, sql: (n: number) => string, rows: AlertRow[], lead: unknown[], values: (r: AlertRow) => unknown[]): void {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    statement(sqlite, cache, sql, chunk.length).run([...lead, ...chunk.flatMap(values)]);
  }
}

/** Inserts the new alerts and updates the known ones (`id` set), received at `now`, in statements of up to 64 rows. */
export function writeAlertRows(sqlite: Sqlite, rows: AlertRow[], now: number): void {
  const p = prepared(sqlite);
  runInChunks(sqlite, p.insert, insertSql, rows.filter((r) => r.id === null), [], (r) => [
    r.sender, r.fingerprint, r.ruleName, r.status, r.severity, r.labels, r.annotations, r.startsAt, r.endsAt, now, now, r.fired, r.incidentId, r.modelVersionId,
  ]);
  runInChunks(sqlite, p.update, updateSql, rows.filter((r) => r.id !== null), [now], (r) => [
    r.id, r.ruleName, r.status, r.severity, r.labels, r.annotations, r.startsAt, r.endsAt, r.fired, r.incidentId, r.modelVersionId,
  ]);
}
