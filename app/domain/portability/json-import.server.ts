/**
 * Reading a database export (json-export.server.ts) back into an empty database, streamed: @streamparser/json
 * tokenizes the bytes and builds one row at a time, and rows are inserted as they come, so the export may be larger
 * than memory. A small walker over the tokens knows where in the export each token stands (which table, which
 * row), so every error names the JSON path and the byte offset. Everything happens in one transaction: a truncated,
 * malformed or out-of-order file writes nothing.
 */
import fs from "node:fs";
import { Tokenizer, TokenizerError, TokenParser, TokenParserError, TokenType, type ParsedElementInfo, type ParsedTokenInfo } from "@streamparser/json";
import type { Statement } from "better-sqlite3";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../utils/db.server";
import { recordAudit, type Actor } from "../audit.server";
import { ImportError, describe, parseWith, type Progress } from "./fields.server";
import { DATABASE_FORMAT, DATABASE_FORMAT_VERSION, STARTUP_TABLES, exportedTables, quote, type Row, type TableInfo } from "./json-export.server";

const headerSchema = z.object({ format: z.literal(DATABASE_FORMAT), version: z.literal(DATABASE_FORMAT_VERSION) });

const READ_CHUNK_BYTES = 2 ** 20;

/**
 * A file's bytes in chunks, reporting bytes read. The file is opened at once, so a wrong path fails before anything
 * else happens; it is closed when reading ends.
 */
export function readFileChunks(file: string, onProgress?: Progress, chunkBytes = READ_CHUNK_BYTES): Iterable<Uint8Array> {
  const fd = fs.openSync(file, "r");
  let size: number;
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file} is not a file.`);
    size = stat.size;
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return (function* () {
    let done = 0;
    try {
      for (;;) {
        // A fresh buffer each time: the tokenizer may still refer to the last one.
        const buf = Buffer.allocUnsafe(chunkBytes);
        const n = fs.readSync(fd, buf);
        if (n <= 0) break;
        done += n;
        onProgress?.(done, Math.max(size, done));
        yield buf.subarray(0, n);
      }
    } finally {
      fs.closeSync(fd);
    }
  })();
}

/** The format and version checks; with `complete` false, of the keys read so far (the rest is checked at the end). */
function checkHeader(header: { format?: unknown; version?: unknown }, complete: boolean): void {
  if (!complete && !("format" in header)) return;
  if (header.format !== DATABASE_FORMAT) throw new ImportError("format", `must be "${DATABASE_FORMAT}": this is not a Faultline database export`);
  if (!complete && !("version" in header)) return;
  parseWith(headerSchema, header, null);
}

function refuseNonEmpty(sqlite: Db["$client"], tables: TableInfo[]): void {
  const nonEmpty = [...tables.map((t) => t.name).filter((n) => !STARTUP_TABLES.has(n)), "sessions"]
    .map((name) => ({ name, n: (sqlite.prepare(`select count(*) as n from ${quote(name)}`).get() as { n: number }).n }))
    .filter((t) => t.n > 0);
  if (nonEmpty.length) {
    throw new Error(
      `Refusing to import: the database already holds data (${nonEmpty.map((t) => `${t.n} ${t.name}`).join(", ")}). ` +
        "A database export can only be read into a new, empty database file.",
    );
  }
}

// Rows go in several to a statement. Each statement with a trigger is a savepoint, and FTS5 writes out its pending
// index at every savepoint: one row per statement made importing incidents quadratic (a segment per row).
const ROWS_PER_INSERT = 1000;
/** SQLite's default cap on parameters in one statement. */
const MAX_INSERT_VARIABLES = 32766;

/** Inserts one table's rows a batch at a time, naming the row when one cannot be inserted. */
class TableInserter {
  private readonly columns: Set<string>;
  private readonly verb: string;
  private readonly statements = new Map<string, Statement<unknown[]>>();
  private batch: Row[] = [];
  private batchCols: string[] = [];
  private batchKey = "";
  private batchStart = 0;
  count = 0;

  constructor(
    private readonly sqlite: Db["$client"],
    private readonly t: TableInfo,
    private readonly now: number,
  ) {
    this.columns = new Set(t.exported);
    this.verb = STARTUP_TABLES.has(t.name) ? "insert or replace" : "insert";
  }

  private statement(cols: string[], rows: number) {
    const key = `${rows}:${cols.join("\u0000")}`;
    let stmt = this.statements.get(key);
    if (!stmt) {
      const tuple = `(${cols.map(() => "?").join(", ")})`;
      stmt = this.sqlite.prepare<unknown[]>(`${this.verb} into ${quote(this.t.name)} (${cols.map(quote).join(", ")}) values ${Array(rows).fill(tuple).join(", ")}`);
      this.statements.set(key, stmt);
    }
    return stmt;
  }

  add(row: Row, i: number): void {
    const rowPath = `tables.${this.t.name}[${i}]`;
    for (const col of Object.keys(row)) {
      const v: unknown = row[col];
      if (v !== null && typeof v !== "string" && !(typeof v === "number" && Number.isFinite(v))) {
        throw new ImportError(`${rowPath}.${col}`, `must be text, a number or null (got ${describe(v)})`);
      }
      if (!this.columns.has(col)) throw new ImportError(`${rowPath}.${col}`, "is not a column this database imports");
    }
    if (this.t.name === "api_tokens") {
      // The secret stayed behind: a placeholder no sha-256 equals, and the token shown as revoked.
      row.token_hash = `imported:${String(row.id)}:${i}`;
      row.revoked_at ??= this.now;
    }
    const cols = Object.keys(row);
    const key = cols.join("\u0000");
    if (key !== this.batchKey) {
      this.flush();
      this.batchKey = key;
      this.batchCols = cols;
    }
    if (!this.batch.length) this.batchStart = i;
    this.batch.push(row);
    this.count++;
    if (this.batch.length >= Math.min(ROWS_PER_INSERT, Math.floor(MAX_INSERT_VARIABLES / cols.length))) this.flush();
  }

  flush(): void {
    if (!this.batch.length) return;
    const cols = this.batchCols;
    const values: unknown[] = [];
    for (const row of this.batch) for (const c of cols) values.push(row[c]);
    try {
      this.statement(cols, this.batch.length).run(values);
    } catch (e) {
      // The failed statement changed nothing: row by row again, so the error names the row.
      this.batch.forEach((row, k) => {
        try {
          this.statement(cols, 1).run(cols.map((c) => row[c]));
        } catch (rowError) {
          throw new ImportError(`tables.${this.t.name}[${this.batchStart + k}]`, `cannot be inserted: ${(rowError as Error).message}`);
        }
      });
      throw new ImportError(`tables.${this.t.name}[${this.batchStart}]`, `cannot be inserted: ${(e as Error).message}`);
    }
    this.batch = [];
  }
}

/** Where a token stands: one frame per open object or array, with the member or element being read. */
type Frame = { array: boolean; key: string | number | null; state: "next" | "colon" | "value" | "done" };

const VALUE_TOKENS = new Set([TokenType.LEFT_BRACE, TokenType.LEFT_BRACKET, TokenType.STRING, TokenType.NUMBER, TokenType.TRUE, TokenType.FALSE, TokenType.NULL]);

function tokenText(t: ParsedTokenInfo): string {
  switch (t.token) {
    case TokenType.STRING:
      return '"';
    case TokenType.NUMBER:
      return String(t.value)[0];
    case TokenType.TRUE:
    case TokenType.FALSE:
    case TokenType.NULL:
      return String(t.value)[0] ?? "n";
    default:
      return String(t.value);
  }
}

function tokenDescription(t: ParsedTokenInfo): string {
  if (t.token === TokenType.LEFT_BRACE) return "a mapping";
  if (t.token === TokenType.LEFT_BRACKET) return "a list";
  return describe(t.value);
}

/** Follows the tokens of the export, so that errors can say where they are and tables can be checked as they start. */
class ExportWalker {
  readonly frames: Frame[] = [];
  seenRoot = false;
  rootClosed = false;

  /** The JSON path of what is being read: a top-level key, then a table, then a row (deeper values are the row's). */
  path(): string | null {
    let out: string | null = null;
    for (let i = 0; i < Math.min(this.frames.length, 3); i++) {
      const f = this.frames[i];
      if (f.state !== "colon" && f.state !== "value") break;
      out = out === null ? String(f.key) : typeof f.key === "number" ? `${out}[${f.key}]` : `${out}.${f.key}`;
    }
    return out;
  }

  /** The path of the value about to start (for checks of its type). */
  childPath(): string | null {
    const top = this.frames.at(-1);
    if (!top) return null;
    const { key, state } = top;
    if (top.array) top.key = typeof key === "number" ? key + 1 : 0;
    top.state = "value";
    const path = this.path();
    Object.assign(top, { key, state });
    return path;
  }

  /** Moves past a token the parser accepted; `onPop` hears of each container that closed, with its depth. */
  step(t: ParsedTokenInfo, onPop: (depth: number) => void): void {
    const top = this.frames.at(-1);
    if (top && !top.array && top.state === "next" && t.token === TokenType.STRING) {
      top.key = t.value as string;
      top.state = "colon";
      return;
    }
    if (VALUE_TOKENS.has(t.token)) {
      this.seenRoot = true;
      if (top?.array) top.key = typeof top.key === "number" ? top.key + 1 : 0;
      const container = t.token === TokenType.LEFT_BRACE || t.token === TokenType.LEFT_BRACKET;
      if (top) top.state = container ? "value" : "done";
      if (container) this.frames.push({ array: t.token === TokenType.LEFT_BRACKET, key: null, state: "next" });
      return;
    }
    if (t.token === TokenType.COMMA && top) top.state = "next";
    if (t.token === TokenType.RIGHT_BRACE || t.token === TokenType.RIGHT_BRACKET) {
      onPop(this.frames.length);
      this.frames.pop();
      const parent = this.frames.at(-1);
      if (parent) parent.state = "done";
      else this.rootClosed = true;
    }
  }

  /** What the parser expected in `state`, in words. */
  expected(state: string): string {
    const top = this.frames.at(-1);
    if (this.rootClosed || state === "ENDED") return "the end of the file after the export";
    if (state === "KEY") return "a quoted key";
    if (state === "COLON") return '":"';
    if (state === "COMMA") return top?.array ? '"," or "]"' : '"," or "}"';
    return "a value";
  }

  malformed(at: number, problem: string): ImportError {
    const path = this.path();
    return path === null
      ? new ImportError(null, `not valid JSON at byte ${at}: ${problem}`)
      : new ImportError(path, `is not valid JSON at byte ${at}: ${problem}`);
  }
}

/** The library's message about malformed JSON, in our words, with the path and byte offset. */
function translate(walker: ExportWalker, e: Error, token: ParsedTokenInfo | null): ImportError {
  if (e instanceof TokenParserError && token) {
    const state = /in state (\w+)/.exec(e.message)?.[1] ?? "VALUE";
    return walker.malformed(token.offset, `expected ${walker.expected(state)}, found ${JSON.stringify(tokenText(token))}`);
  }
  const m = /^Unexpected "([\s\S]*)" at chunk position "\d+" \(absolute position "(\d+)"\) in state (\w+)/.exec(e.message);
  if (!m) return walker.malformed(0, e.message);
  const [, ch, at, state] = m;
  const code = ch.charCodeAt(0);
  if (walker.rootClosed) return walker.malformed(Number(at), `expected the end of the file after the export, found ${JSON.stringify(ch)}`);
  if (state.startsWith("STRING") && code < 0x20) return walker.malformed(Number(at), `a control character (U+${code.toString(16).padStart(4, "0")}) inside text`);
  if (state.startsWith("STRING")) return walker.malformed(Number(at), `a bad escape in text (${JSON.stringify(ch)})`);
  if (state.startsWith("NUMBER")) return walker.malformed(Number(at), `a malformed number (${JSON.stringify(ch)})`);
  if (/^(TRUE|FALSE|NULL)/.test(state)) return walker.malformed(Number(at), `a malformed true, false or null (${JSON.stringify(ch)})`);
  return walker.malformed(Number(at), `expected ${walker.expected("VALUE")}, found ${JSON.stringify(ch)}`);
}

/**
 * Reads a database export, given in chunks (`readFileChunks` for a file; text chunks work too), into an empty
 * database (only the taxonomy synced from content/ may be there; the export's classes replace it), keeping every id,
 * in one transaction. Tables must come in the order the export writes them. Imported API tokens cannot
 * authenticate (their secrets were not exported) and come back revoked.
 */
export function importDatabaseJson(db: Db, source: Iterable<string | Uint8Array>, actor: Actor): { rows: Record<string, number> } {
  const sqlite = db.$client;
  const tables = exportedTables(sqlite);
  const order = new Map(tables.map((t, i) => [t.name, i]));
  const header: { format?: unknown; version?: unknown } = {};
  const counts: Record<string, number> = {};
  const now = Date.now();
  const walker = new ExportWalker();
  let tablesRead = false;
  let last = -1;
  let inserter: TableInserter | null = null;
  let bytes = 0;

  /** Checks a value as it starts: the export's shape (an object, tables a mapping of lists of mappings). */
  const onValueStart = (t: ParsedTokenInfo) => {
    const depth = walker.frames.length;
    if (depth === 0) {
      if (t.token !== TokenType.LEFT_BRACE) {
        throw new ImportError("format", `must be "${DATABASE_FORMAT}": this is not a Faultline database export (no JSON object at byte ${t.offset})`);
      }
      return;
    }
    const path = walker.childPath()!;
    const under = walker.frames[0].key;
    if (depth === 1 && under === "tables") {
      if (tablesRead) throw new ImportError("tables", "appears twice");
      tablesRead = true;
      // Usually the format and version come first: a wrong file is refused before any row is read.
      checkHeader(header, false);
      refuseNonEmpty(sqlite, tables);
      if (t.token !== TokenType.LEFT_BRACE) throw new ImportError("tables", `must be a mapping (got ${tokenDescription(t)})`);
    } else if (depth === 2 && under === "tables") {
      const name = String(walker.frames[1].key);
      const index = order.get(name);
      if (index === undefined) throw new ImportError(path, "is not a table this database imports (exported by a newer version?)");
      if (index === last) throw new ImportError(path, "appears twice");
      // Insert triggers (full-text index, rule rollups) need the parent rows in place first.
      if (index < last) throw new ImportError(path, `comes after tables.${tables[last].name}: tables must be in the order the export writes them (parents first)`);
      last = index;
      if (t.token !== TokenType.LEFT_BRACKET) throw new ImportError(path, `must be a list (got ${tokenDescription(t)})`);
      inserter = new TableInserter(sqlite, tables[index], now);
    } else if (depth === 3 && under === "tables" && t.token !== TokenType.LEFT_BRACE) {
      throw new ImportError(path, `must be a mapping (got ${tokenDescription(t)})`);
    }
  };

  const onPop = (depth: number) => {
    if (depth === 3 && walker.frames[0].key === "tables" && inserter) {
      inserter.flush();
      counts[String(walker.frames[1].key)] = inserter.count;
      inserter = null;
    }
  };

  const parser = new TokenParser({ paths: ["$.format", "$.version", "$.tables.*.*"], keepStack: false });
  parser.onValue = ({ value, key, stack }: ParsedElementInfo) => {
    if (stack.length === 1) header[key as "format" | "version"] = value;
    else inserter?.add(value as Row, key as number);
  };
  parser.onError = (e) => {
    throw e;
  };
  let current: ParsedTokenInfo | null = null;
  const tokenizer = new Tokenizer();
  tokenizer.onToken = (t: ParsedTokenInfo) => {
    current = t;
    // Inside a row only brackets move the walker (paths stop at the row): the other tokens, most of the file, go straight on.
    if (walker.frames.length > 3 && t.token > TokenType.RIGHT_BRACKET) {
      parser.write(t);
      return;
    }
    if (walker.rootClosed) {
      throw walker.malformed(t.offset, `expected the end of the file after the export, found ${JSON.stringify(tokenText(t))}`);
    }
    const top = walker.frames.at(-1);
    if (VALUE_TOKENS.has(t.token) && !(top && !top.array && top.state === "next")) onValueStart(t);
    parser.write(t);
    walker.step(t, onPop);
  };
  tokenizer.onError = (e) => {
    throw e;
  };

  const feed = (chunk: string | Uint8Array) => {
    bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
    try {
      tokenizer.write(chunk);
    } catch (e) {
      if (e instanceof TokenizerError || e instanceof TokenParserError) throw translate(walker, e, e instanceof TokenParserError ? current : null);
      throw e;
    }
  };

  db.transaction((tx) => {
    // Cycles and rows referring forward are checked once, at the end, rather than row by row.
    tx.run(sql`pragma defer_foreign_keys = on`);
    for (const chunk of source) feed(chunk);
    if (!walker.seenRoot) {
      throw new ImportError("format", `must be "${DATABASE_FORMAT}": this is not a Faultline database export (the file is empty)`);
    }
    if (!walker.rootClosed) {
      const path = walker.path();
      throw path === null
        ? new ImportError(null, `the file ends at byte ${bytes}, before the export does (truncated?)`)
        : new ImportError(path, `is cut short: the file ends at byte ${bytes} (truncated?)`);
    }
    try {
      tokenizer.end();
    } catch (e) {
      throw walker.malformed(bytes, `expected the end of the file after the export (${(e as Error).message.split(".")[0]})`);
    }
    checkHeader(header, true);
    if (!tablesRead) throw new ImportError("tables", "is required");
    const broken = sqlite.prepare("pragma foreign_key_check").all() as { table: string; rowid: number; parent: string }[];
    if (broken.length) {
      const b = broken[0];
      throw new ImportError(`tables.${b.table}`, `has a row (rowid ${b.rowid}) referring to a missing ${b.parent} row${broken.length > 1 ? ` (and ${broken.length - 1} more)` : ""}`);
    }
    recordAudit(tx, actor, "import", "database", "json", { format: DATABASE_FORMAT, version: DATABASE_FORMAT_VERSION, rows: counts });
  });
  return { rows: counts };
}
