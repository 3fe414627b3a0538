/**
 * The whole database as JSON: every table's rows with their ids, in foreign-key order, except sessions (everyone
 * signs in again), api_tokens.token_hash (secrets stay behind: imported tokens come back revoked) and tables derived
 * by triggers (full-text index, alert_rule_days). Password hashes are included so people can sign in after a
 * restore: treat the file like the database itself. Reading it back is json-import.server.ts.
 */
import type { Db } from "../../utils/db.server";
import type { Progress } from "./fields.server";

export const DATABASE_FORMAT = "faultline-database";
export const DATABASE_FORMAT_VERSION = 1;


/** Filled by triggers from other tables, or session state: never exported. */
const SKIPPED_TABLES = new Set(["sessions", "alert_rule_days"]);
/** Secrets that stay behind. */
const SKIPPED_COLUMNS: Record<string, string[]> = { api_tokens: ["token_hash"] };
/** Tables the app fills at start-up (the taxonomy from content/): may be present in an "empty" database. */
export const STARTUP_TABLES = new Set(["failure_classes"]);

export type TableInfo = { name: string; columns: string[]; exported: string[]; orderBy: string };

export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The exported tables in foreign-key order (parents first), each with its columns and a stable row order. */
export function exportedTables(sqlite: Db["$client"]): TableInfo[] {
  const names = (
    sqlite
      .prepare(
        `select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'
           and name not like '\\_\\_drizzle%' escape '\\' and name not like 'incidents\\_fts%' escape '\\' order by name`,
      )
      .all() as { name: string }[]
  )
    .map((r) => r.name)
    .filter((n) => !SKIPPED_TABLES.has(n));
  const parents = new Map(
    names.map((n) => [
      n,
      new Set((sqlite.prepare(`pragma foreign_key_list(${quote(n)})`).all() as { table: string }[]).map((f) => f.table).filter((t) => t !== n && names.includes(t))),
    ]),
  );
  const ordered: string[] = [];
  const visit = (n: string, path: Set<string>) => {
    if (ordered.includes(n) || path.has(n)) return;
    path.add(n);
    for (const p of [...parents.get(n)!].sort()) visit(p, path);
    ordered.push(n);
  };
  for (const n of names) visit(n, new Set());
  return ordered.map((name) => {
    const cols = sqlite.prepare(`pragma table_info(${quote(name)})`).all() as { name: string; pk: number }[];
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => quote(c.name));
    const skipped = SKIPPED_COLUMNS[name] ?? [];
    return {
      name,
      columns: cols.map((c) => c.name),
      exported: cols.map((c) => c.name).filter((c) => !skipped.includes(c)),
      orderBy: pk.length ? pk.join(", ") : "rowid",
    };
  });
}

export type Row = Record<string, string | number | null>;

function tableRows(sqlite: Db["$client"], t: TableInfo): IterableIterator<Row> {
  return sqlite.prepare(`select ${t.exported.map(quote).join(", ")} from ${quote(t.name)} order by ${t.orderBy}`).iterate() as IterableIterator<Row>;
}

export type DatabaseExport = { format: typeof DATABASE_FORMAT; version: number; tables: Record<string, Row[]> };

/** Every exported table's rows (see the top of this file for what is left out), parents before children. */
export function exportDatabaseJson(db: Db): DatabaseExport {
  const tables: Record<string, Row[]> = {};
  for (const t of exportedTables(db.$client)) tables[t.name] = [...tableRows(db.$client, t)];
  return { format: DATABASE_FORMAT, version: DATABASE_FORMAT_VERSION, tables };
}

/**
 * The same export as JSON text, in pieces (one row a line), so a large database is written without holding it
 * all in memory: `JSON.parse(pieces.join(""))` deep-equals `exportDatabaseJson(db)`.
 */
export function* exportDatabaseJsonText(db: Db, onProgress?: Progress): Generator<string> {
  const sqlite = db.$client;
  const tables = exportedTables(sqlite);
  const counts = tables.map((t) => (sqlite.prepare(`select count(*) as n from ${quote(t.name)}`).get() as { n: number }).n);
  const total = counts.reduce((a, b) => a + b, 0);
  let done = 0;
  yield `{"format":${JSON.stringify(DATABASE_FORMAT)},"version":${DATABASE_FORMAT_VERSION},"tables":{`;
  for (const [i, t] of tables.entries()) {
    yield `${i ? "," : ""}\n${JSON.stringify(t.name)}:[`;
    let first = true;
    for (const row of tableRows(sqlite, t)) {
      yield `${first ? "" : ","}\n${JSON.stringify(row)}`;
      first = false;
      if ((++done & 1023) === 0) onProgress?.(done, total);
    }
    yield "]";
  }
  yield "\n}}\n";
  onProgress?.(total, total);
}

