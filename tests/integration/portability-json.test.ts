// The whole database as JSON: export, streamed import, and every way a file can be refused.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidents } from "../../db/schema";
import { incidentToMarkdown } from "~/domain/portability/faultline-markdown.server";
import { ImportError } from "~/domain/portability/fields.server";
import { DATABASE_FORMAT, exportDatabaseJson, exportDatabaseJsonText, type DatabaseExport } from "~/domain/portability/json-export.server";
import { importDatabaseJson, readFileChunks } from "~/domain/portability/json-import.server";
import { IMPORTER, buildSource, cleanupAll, freshDb, jsonText, run, smallPieces, tableCounts, thrown, tmpDir } from "../helpers/portability";
import type { TestDb } from "../helpers/db";

let src: TestDb;
let richId: number;

beforeAll(() => ({ src, richId } = buildSource()));

afterAll(() => cleanupAll());

describe("database JSON", () => {
  let exported: DatabaseExport;

  beforeAll(() => {
    exported = exportDatabaseJson(src.db);
  });

  it("has a format version and every table but sessions, with password hashes but no token hashes", () => {
    expect(exported.format).toBe(DATABASE_FORMAT);
    expect(exported.version).toBe(1);
    expect(Object.keys(exported.tables)).not.toContain("sessions");
    expect(Object.keys(exported.tables)).not.toContain("alert_rule_days");
    expect(exported.tables.users[0].password_hash).toMatch(/^scrypt\$/);
    expect(exported.tables.api_tokens).toHaveLength(1);
    expect(exported.tables.api_tokens[0]).not.toHaveProperty("token_hash");
    expect(exported.tables.incidents).toHaveLength(2);
    // Parents before children.
    const order = Object.keys(exported.tables);
    expect(order.indexOf("users")).toBeLessThan(order.indexOf("incidents"));
    expect(order.indexOf("incidents")).toBeLessThan(order.indexOf("alerts"));
    expect(order.indexOf("model_versions")).toBeLessThan(order.indexOf("alerts"));
  });

  it("streams the same export as text", () => {
    expect(JSON.parse([...exportDatabaseJsonText(src.db)].join(""))).toEqual(exported);
  });

  /** The copy exports as `expected`, but for two documented differences. */
  function expectCopyOf(t: TestDb, expected: DatabaseExport): void {
    const { audit_log: auditAgain, api_tokens: tokensAgain, ...restAgain } = exportDatabaseJson(t.db).tables;
    const { audit_log: audit, api_tokens: tokens, ...rest } = expected.tables;
    expect(restAgain).toEqual(rest);
    // The import's own audit entry, and tokens come back revoked (no secret to check).
    expect(auditAgain.slice(0, -1)).toEqual(audit);
    expect(auditAgain.at(-1)).toMatchObject({ action: "import", entity: "database", actor_label: "import" });
    expect(tokensAgain.map(({ revoked_at, ...r }) => r)).toEqual(tokens.map(({ revoked_at, ...r }) => r));
    expect(tokensAgain.every((r) => typeof r.revoked_at === "number")).toBe(true);
  }

  const rowCounts = (e: DatabaseExport) => Object.fromEntries(Object.entries(e.tables).map(([name, rows]) => [name, rows.length]));

  // Everything that could end a string, a row or a table early, escapes, and characters of 2, 3 and 4 UTF-8 bytes.
  const TRICKY = 'braces } ] { [ "quoted": a back\\slash, \\" and \\u0041 as text, a new\nline, a\ttab, \u2028, ü, 中文, 🚨🧯 and 𝔘';

  /** The export with tricky text in incidents and the timeline. */
  function trickyExport(): DatabaseExport {
    const e = structuredClone(exported);
    e.tables.incidents[0].impact = TRICKY;
    e.tables.timeline_events[0].body = `${TRICKY}}`;
    e.tables.users[0].name = `"${TRICKY}"`;
    return e;
  }

  /** The same data with 2-space indentation, CRLF line ends, the keys of each row reversed and "tables" first. */
  function reshaped(e: DatabaseExport): string {
    const tables = Object.fromEntries(Object.entries(e.tables).map(([name, rows]) => [name, rows.map((r) => Object.fromEntries(Object.entries(r).reverse()))]));
    // JSON.stringify escapes line breaks inside strings, so every raw "\n" here is whitespace.
    return JSON.stringify({ tables, version: e.version, format: e.format }, null, 2).replaceAll("\n", "\r\n");
  }

  it("imports into an empty database keeping ids, and exports the same again", () => {
    const t = freshDb();
    const { rows } = importDatabaseJson(t.db, jsonText(exported), IMPORTER);
    expect(rows.incidents).toBe(2);
    expectCopyOf(t, exported);
    // Derived tables were rebuilt by their triggers: the rule rollup and full-text search match the source.
    const rollup = "select rule_name, day, alerts, fires, deliveries, real_alerts from alert_rule_days where alerts > 0 order by 1, 2";
    expect(t.db.$client.prepare(rollup).all()).toEqual(src.db.$client.prepare(rollup).all());
    expect(t.db.$client.prepare("select rowid from incidents_fts where incidents_fts match 'nan_guard'").all()).toEqual([{ rowid: richId }]);
    // And the Markdown of the copy is the same, ids included.
    expect(incidentToMarkdown(t.db, richId)).toBe(incidentToMarkdown(src.db, richId));
  });

  it("imports the export's own text pieces as they are produced, losslessly", () => {
    const t = freshDb();
    const { rows } = importDatabaseJson(t.db, exportDatabaseJsonText(src.db), IMPORTER);
    expect(rows).toEqual(rowCounts(exported));
    expectCopyOf(t, exported);
    expect(incidentToMarkdown(t.db, richId)).toBe(incidentToMarkdown(src.db, richId));
  });

  it("reads any layout of the same JSON: indentation, CRLF, row keys in another order, tables before the format", () => {
    const tricky = trickyExport();
    const t = freshDb();
    expect(importDatabaseJson(t.db, [reshaped(tricky)], IMPORTER).rows).toEqual(rowCounts(tricky));
    expectCopyOf(t, tricky);
    expect(t.db.select({ impact: incidents.impact }).from(incidents).where(eq(incidents.id, tricky.tables.incidents[0].id as number)).get()).toEqual({ impact: TRICKY });
  });

  it("reads text cut anywhere: inside strings, escapes, keys and characters (1 to 7 characters a chunk)", () => {
    const tricky = trickyExport();
    for (const text of [JSON.stringify(tricky), reshaped(tricky)]) {
      const t = freshDb();
      expect(importDatabaseJson(t.db, smallPieces(text), IMPORTER).rows).toEqual(rowCounts(tricky));
      expectCopyOf(t, tricky);
    }
  });

  it("reads a file in byte chunks, characters split anywhere, reporting bytes read", () => {
    const text = reshaped(trickyExport());
    const file = path.join(tmpDir(), "tricky.json");
    fs.writeFileSync(file, text);
    const size = fs.statSync(file).size;
    for (const chunkBytes of [1, 2, 3, 5, 7, 4096]) {
      const progress: number[] = [];
      expect(Buffer.concat([...readFileChunks(file, (done, total) => progress.push(done, total), chunkBytes)]).toString("utf8")).toBe(text);
      expect(progress.slice(-2)).toEqual([size, size]);
    }
    // Multi-byte characters cut between chunks of 1, 2 and 3 bytes still import whole.
    for (const chunkBytes of [1, 2, 3]) {
      const t = freshDb();
      expect(importDatabaseJson(t.db, readFileChunks(file, undefined, chunkBytes), IMPORTER).rows).toEqual(rowCounts(trickyExport()));
      expectCopyOf(t, trickyExport());
    }
    expect(() => readFileChunks(path.join(tmpDir(), "missing.json"))).toThrow(/ENOENT/);
    expect(() => readFileChunks(tmpDir())).toThrow(/is not a file/);
  });

  it("refuses a truncated file, naming where it ends, and writes nothing", () => {
    const pieces = [...exportDatabaseJsonText(src.db)];
    const text = pieces.join("");
    const midRow = text.slice(0, text.indexOf('"title":', text.indexOf('\n"incidents":[')) + 12);
    const afterUsers = pieces.slice(0, pieces.indexOf("]", pieces.findIndex((p) => p.includes('"users":['))) + 1).join("");
    const cases: [string, RegExp][] = [
      [midRow, /^tables\.incidents\[0\] is cut short: the file ends at byte \d+ \(truncated\?\)$/],
      [afterUsers, /^tables is cut short: the file ends at byte \d+ \(truncated\?\)$/],
      [text.slice(0, text.lastIndexOf("}")), /^the file ends at byte \d+, before the export does \(truncated\?\)$/],
      [text.slice(0, 20), /^format is cut short/],
    ];
    // And cut every 97 characters: always an ImportError, never a partial import.
    for (let n = 1; n < text.length - 2; n += 97) cases.push([text.slice(0, n), /cut short|ends at byte|not valid JSON/]);
    const t = freshDb();
    const before = tableCounts(t);
    for (const [cut, problem] of cases) {
      const err = thrown(() => importDatabaseJson(t.db, smallPieces(cut), IMPORTER));
      expect(err, cut.slice(-40)).toBeInstanceOf(ImportError);
      expect(err.message, cut.slice(-40)).toMatch(problem);
      expect(tableCounts(t)).toEqual(before);
    }
    expect(thrown(() => importDatabaseJson(t.db, [midRow], IMPORTER)).message).toContain(`ends at byte ${Buffer.byteLength(midRow)} `);
    expect(tableCounts(t).users).toBe(0);
  });

  it("refuses tables out of the export's order, or twice, naming the table", () => {
    const t = freshDb();
    const reversed = { ...exported, tables: Object.fromEntries(Object.entries(exported.tables).reverse()) };
    const [lastTable, next] = Object.keys(reversed.tables);
    const err = thrown(() => importDatabaseJson(t.db, jsonText(reversed), IMPORTER));
    expect(err).toBeInstanceOf(ImportError);
    expect(err.message).toMatch(new RegExp(`^tables\\.${next} comes after tables\\.${lastTable}: tables must be in the order the export writes them`));
    const twice = `{"format":"${DATABASE_FORMAT}","version":1,"tables":{"users":[],"users":[]}}`;
    expect(thrown(() => importDatabaseJson(t.db, [twice], IMPORTER)).message).toBe("tables.users appears twice");
    expect(tableCounts(t).users).toBe(0);
  });

  it("refuses malformed JSON with a byte offset or row path, and writes nothing", () => {
    const t = freshDb();
    const before = tableCounts(t);
    const text = [...exportDatabaseJsonText(src.db)].join("");
    const end = Buffer.byteLength(text);
    const cases: [string, string | RegExp][] = [
      [`${text}x`, `not valid JSON at byte ${end}: expected the end of the file after the export, found "x"`],
      [`${text} {}`, `not valid JSON at byte ${end + 1}: expected the end of the file after the export, found "{"`],
      ["", 'format must be "faultline-database": this is not a Faultline database export (the file is empty)'],
      [`  [${text}]`, 'format must be "faultline-database": this is not a Faultline database export (no JSON object at byte 2)'],
      [text.replace('"id":1,', '"id":1,,'), /^tables\.\w+\[0\] is not valid JSON at byte \d+: /],
      [text.replace('"version":1', '"version":1 "x"'), /^not valid JSON at byte \d+: expected "," or "}", found "\\""$/],
      [text.replace(/\]\n}}\n$/, "}\n}}"), /^tables\.\w+ is not valid JSON at byte \d+: expected "," or "\]", found "}"$/],
      [text.replace('"id":1,', '"id":[1},'), /^tables\.\w+\[0\] is not valid JSON at byte \d+: expected "," or "\]", found "}"$/],
      [text.replace('"faultline-database"', '"faultline-\ndatabase"'), "format is not valid JSON at byte 21: a control character (U+000a) inside text"],
      [`{"format":"${DATABASE_FORMAT}","version":1,"tables":{"users":{}}}`, "tables.users must be a list (got a mapping)"],
      [`{"format":"${DATABASE_FORMAT}","version":1,"tables":{"users":[null]}}`, "tables.users[0] must be a mapping (got null)"],
      [`{"format":"${DATABASE_FORMAT}","version":1,"tables":[]}`, "tables must be a mapping (got a list)"],
      [`{"format":"${DATABASE_FORMAT}","version":1}`, "tables is required"],
      [`{"tables":{"users":[{"id":1,"flag":true}]},"version":1,"format":"${DATABASE_FORMAT}"}`, "tables.users[0].flag must be text, a number or null (got true)"],
    ];
    for (const [input, problem] of cases) {
      const err = thrown(() => importDatabaseJson(t.db, smallPieces(input), IMPORTER));
      expect(err, input.slice(0, 60)).toBeInstanceOf(ImportError);
      if (typeof problem === "string") expect(err.message).toBe(problem);
      else expect(err.message).toMatch(problem);
      expect(tableCounts(t)).toEqual(before);
    }
  });

  it("names the row that cannot be inserted, though rows go in several to a statement", () => {
    const t = freshDb();
    const before = tableCounts(t);
    const twice = structuredClone(exported);
    twice.tables.timeline_events[2].id = twice.tables.timeline_events[0].id;
    const err = thrown(() => importDatabaseJson(t.db, jsonText(twice), IMPORTER));
    expect(err).toBeInstanceOf(ImportError);
    expect(err.message).toBe("tables.timeline_events[2] cannot be inserted: UNIQUE constraint failed: timeline_events.id");
    expect(tableCounts(t)).toEqual(before);
  });

  it("checks the format and version wherever they are, rolling back rows read before them", () => {
    const t = freshDb();
    const before = tableCounts(t);
    const { format: _f, version: _v, tables } = exported;
    expect(thrown(() => importDatabaseJson(t.db, jsonText({ tables, version: 1, format: "other" }), IMPORTER)).message).toMatch(/^format must be "faultline-database"/);
    expect(thrown(() => importDatabaseJson(t.db, jsonText({ tables, format: DATABASE_FORMAT, version: 2 }), IMPORTER)).message).toBe("version must be one of 1 (got 2)");
    expect(thrown(() => importDatabaseJson(t.db, jsonText({ tables, format: DATABASE_FORMAT }), IMPORTER)).message).toMatch(/^version must be one of 1/);
    expect(tableCounts(t)).toEqual(before);
    // Unknown top-level keys are ignored, as before.
    expect(importDatabaseJson(t.db, jsonText({ note: { made: ["by", "hand"] }, ...exported }), IMPORTER).rows).toEqual(rowCounts(exported));
  });

  it("refuses a database that already holds data, changing nothing", () => {
    const before = tableCounts(src);
    const err = thrown(() => importDatabaseJson(src.db, jsonText(exported), IMPORTER));
    expect(err.message).toMatch(/^Refusing to import: the database already holds data \(1 users, 2 incidents, /);
    expect(err.message).toMatch(/new, empty database/);
    expect(tableCounts(src)).toEqual(before);
  });

  it("rolls back entirely when rows refer to missing parents", () => {
    const t = freshDb();
    const broken = JSON.parse(JSON.stringify(exported)) as DatabaseExport;
    broken.tables.users = [];
    const before = tableCounts(t);
    const err = thrown(() => importDatabaseJson(t.db, jsonText(broken), IMPORTER));
    expect(err).toBeInstanceOf(ImportError);
    expect(err.message).toMatch(/^tables\.\w+ has a row \(rowid \d+\) referring to a missing users row/);
    expect(tableCounts(t)).toEqual(before);
  });

  it("names the field of a malformed export", () => {
    const t = freshDb();
    expect(thrown(() => importDatabaseJson(t.db, jsonText({ format: "something-else" }), IMPORTER)).message).toMatch(/^format must be "faultline-database"/);
    expect(thrown(() => importDatabaseJson(t.db, jsonText({ ...exported, version: 2 }), IMPORTER)).message).toMatch(/^version must be one of 1/);
    const badCell = JSON.parse(JSON.stringify(exported)) as DatabaseExport;
    (badCell.tables.incidents[1] as Record<string, unknown>).title = { nested: true };
    expect(thrown(() => importDatabaseJson(t.db, jsonText(badCell), IMPORTER)).message).toMatch(/^tables\.incidents\[1\]\.title /);
    const badTable = { ...exported, tables: { ...exported.tables, sessions: [] } };
    expect(thrown(() => importDatabaseJson(t.db, jsonText(badTable), IMPORTER)).message).toMatch(/^tables\.sessions is not a table/);
    const badColumn = JSON.parse(JSON.stringify(exported)) as DatabaseExport;
    badColumn.tables.models[0].colour = "red";
    expect(thrown(() => importDatabaseJson(t.db, jsonText(badColumn), IMPORTER)).message).toMatch(/^tables\.models\[0\]\.colour is not a column/);
    expect(tableCounts(t).incidents).toBe(0);
  });
});

describe("npm run export / import --json (child processes)", () => {
  it("round-trips a database through a JSON file read in chunks, and refuses a missing file before creating a database", () => {
    const dir = tmpDir();
    const file = path.join(dir, "all.json");
    const target = path.join(dir, "copy.db");

    const exp = run("scripts/export.ts", ["--db", src.file, "--json", file]);
    expect(exp.code, exp.stderr).toBe(0);
    const imp = run("scripts/import.ts", ["--db", target, "--json", file]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stderr).toContain("MiB read: 1/1 (100%)");
    expect(imp.stdout).toMatch(/^Imported \d+ rows from .*all\.json into .*copy\.db in [\d.]+ s\n/);
    expect(imp.stdout).toMatch(/\n  incidents\s+2\n/);

    const again = run("scripts/import.ts", ["--db", target, "--json", file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/all\.json: Refusing to import: the database already holds data/);

    const missing = run("scripts/import.ts", ["--db", path.join(dir, "none.db"), "--json", path.join(dir, "missing.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing\.json: ENOENT/);
    expect(fs.existsSync(path.join(dir, "none.db"))).toBe(false);
  });
});
