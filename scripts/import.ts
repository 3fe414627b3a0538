// Usage: npm run import -- [--db PATH] [--dry-run] (--markdown DIR | --public DIR | --json FILE)
// --markdown DIR: Faultline Markdown files (as written by `npm run export -- --markdown`).
// --public DIR: public postmortems with YAML front matter (title, url, start_time, end_time, categories, company,
// summary…); labels are mapped onto the taxonomy by content/, the rest kept as source labels.
// Markdown imports match incidents by the file's id (uuid, id, url), then by title and start time, so running one
// again changes nothing; fields a person changed since the last import are kept and reported as conflicts. Each
// file is its own transaction, and a bad file is reported (exit code 1) with all its problems, without stopping
// the others. See content/guides/importing-history.md.
// --json FILE: a database export, into a new, empty database only (kept ids; one transaction), read as it is
// imported, so it may be larger than memory.
// --dry-run: does the same on an in-memory copy of the database and prints what would change; writes nothing.
// --suggest (with --markdown or --public): afterwards, records the class suggester's top class for every incident the
// import wrote that is still unclassified, as suggested (never confirmed): people confirm them in the triage queue.
import { databasePath, openDatabase, openDatabaseCopy, type Db } from "../db/client";
import type { Actor } from "../app/domain/audit.server";
import { DatabaseLockedError, importMarkdownFiles, isDatabaseLocked, readMarkdownFolder, type FolderImportSummary, type FolderRead } from "../app/domain/portability/folder.server";
import { importDatabaseJson, readFileChunks } from "../app/domain/portability/json-import.server";
import { loadLabelMappings } from "../app/domain/source-labels.server";
import { loadTaxonomy, syncTaxonomy } from "../app/domain/taxonomy.server";
import { suggestUnclassified } from "../app/domain/triage.server";
import { isoOrNull } from "../app/utils/dates";
import { Progress, fail, parseCli } from "./lib/cli";

const USAGE = "Usage: npm run import -- [--db PATH] [--dry-run] (--markdown DIR | --public DIR [--suggest] | --json FILE)";
const ACTOR: Actor = { id: null, label: "import" };
const MIB = 2 ** 20;

function parseOptions() {
  const values = parseCli(USAGE, {
    db: { type: "string" },
    markdown: { type: "string" },
    public: { type: "string" },
    json: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    suggest: { type: "boolean", default: false },
  });
  const given = [values.markdown, values.public, values.json].filter((v) => v !== undefined).length;
  if (given !== 1) fail(`Give exactly one of --markdown DIR, --public DIR or --json FILE.\n${USAGE}`, 2);
  // A database export is restored as it was: its classes, and the lack of them, are the export's.
  if (values.suggest && values.json !== undefined) fail(`--suggest goes with --markdown or --public, not --json.\n${USAGE}`, 2);
  return { db: values.db ?? databasePath(), markdown: values.markdown, public: values.public, json: values.json, dryRun: values["dry-run"], suggest: values.suggest };
}

function tally(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${k} (${n})`)
    .join(", ");
}

function report(s: FolderImportSummary, dir: string, secs: string, dryRun: boolean): string {
  const line = (label: string, n: number | string) => `  ${label.padEnd(24)} ${String(n).padStart(6)}`;
  const would = dryRun ? "would be " : "";
  const out = [
    `${dryRun ? "Dry run (nothing written): " : ""}Imported ${dir} in ${secs} s`,
    line("files", s.files),
    line(`${would}created`, s.created),
    line(`${would}updated`, s.updated),
    line("unchanged", s.unchanged),
    line("refused", s.failed.length),
    line("conflicts", s.conflicts.length),
    line("still unclassified", s.unclassified.length),
    line("start time suggested", s.suggestedStarts.length),
  ];
  if (s.failed.length) {
    const reasons: Record<string, number> = {};
    for (const f of s.failed) reasons[f.reason] = (reasons[f.reason] ?? 0) + 1;
    out.push(`  refused because           ${tally(reasons)}`);
  }
  if (Object.keys(s.unmappedLabels).length) out.push(`  unmapped labels (kept)    ${tally(s.unmappedLabels)}`);
  if (Object.keys(s.unknownClasses).length) out.push(`  unknown classes           ${tally(s.unknownClasses)}`);
  if (dryRun) {
    for (const c of s.changes) {
      out.push(`  would ${c.outcome === "created" ? "create" : `update #${c.incidentId}`} ${JSON.stringify(c.title)} (${c.file})${c.outcome === "updated" ? `: ${c.fields.join(", ")}` : ""}`);
    }
  }
  // A person's change is kept; the file's value is not applied. One line per incident and field, so none is missed.
  for (const c of s.conflicts) out.push(`  conflict: #${c.incidentId} ${c.field} changed in the app since the last import: kept (${c.file})`);
  for (const t of s.suggestedStarts) out.push(`  start suggested: #${t.incidentId} ${isoOrNull(t.at)} from ${t.from} (${t.file})`);
  // The same note (an unknown user, say) often concerns many files: one line each, with a count.
  const notes = new Map<string, string[]>();
  for (const w of s.warnings) notes.set(w.message, [...(notes.get(w.message) ?? []), w.file]);
  for (const [message, files] of notes) {
    out.push(`  note: ${files.length === 1 ? `${files[0]}: ${message}` : `${message} (${files.length} files, first ${files[0]})`}`);
  }
  return `${out.join("\n")}\n`;
}

function importJson(db: Db, file: string, chunks: Iterable<Uint8Array>, target: string, secs: () => string, dryRun: boolean): void {
  const { rows } = importDatabaseJson(db, chunks, ACTOR);
  const total = Object.values(rows).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `${dryRun ? "Dry run (nothing written): " : ""}Imported ${total} rows from ${file} into ${target} in ${secs()} s\n` +
      Object.entries(rows)
        .filter(([, n]) => n > 0)
        .map(([t, n]) => `  ${t.padEnd(24)} ${String(n).padStart(9)}\n`)
        .join(""),
  );
}

async function main() {
  const opts = parseOptions();
  // Inputs are opened before the database is, so a typo in a path does not leave an empty database behind.
  // The JSON file is read while it is imported, in chunks: an export can be larger than memory.
  const bar = new Progress(opts.json !== undefined ? "MiB read" : "files");
  let chunks: Iterable<Uint8Array> = [];
  let folder: FolderRead = { files: [], refused: [] };
  let mappings: ReturnType<typeof loadLabelMappings> | null = null;
  try {
    if (opts.json !== undefined) chunks = readFileChunks(opts.json, (done, total) => bar.update(Math.ceil(done / MIB), Math.ceil(total / MIB)));
    else {
      folder = readMarkdownFolder((opts.markdown ?? opts.public)!);
      mappings = loadLabelMappings();
    }
  } catch (e) {
    fail(opts.json !== undefined ? `${opts.json}: ${(e as Error).message}` : (e as Error).message);
  }
  let db: Db | null = null;
  const t0 = performance.now();
  const secs = () => ((performance.now() - t0) / 1000).toFixed(1);
  let code = 0;
  try {
    db = opts.dryRun ? openDatabaseCopy(opts.db) : openDatabase(opts.db);
    if (opts.json !== undefined) {
      try {
        importJson(db, opts.json, chunks, opts.db, secs, opts.dryRun);
      } catch (e) {
        if (isDatabaseLocked(e)) throw e;
        fail(`${opts.json}: ${(e as Error).message}`);
      }
    } else {
      const dir = (opts.markdown ?? opts.public)!;
      // Class ids are checked against the taxonomy, so it must be in the database first (as at app start).
      syncTaxonomy(db, loadTaxonomy());
      const summary = importMarkdownFiles(db, opts.markdown !== undefined ? "faultline" : "public", folder.files, ACTOR, {
        refused: folder.refused,
        mappings: mappings!,
        onProgress: (done, total) => bar.update(done, total),
      });
      process.stdout.write(report(summary, dir, secs(), opts.dryRun));
      for (const f of summary.failed) process.stderr.write(`error: ${f.message}\n`);
      if (summary.failed.length) code = 1;
      if (opts.suggest) {
        const { suggested } = await suggestUnclassified(db, summary.unclassified, ACTOR);
        process.stdout.write(`  suggested classes ${String(suggested).padStart(9)} (not confirmed: see /taxonomy/triage)\n`);
      }
    }
  } catch (e) {
    if (!(e instanceof DatabaseLockedError) && !isDatabaseLocked(e)) throw e;
    const detail = e instanceof DatabaseLockedError ? e.message : "the database is locked by another connection";
    fail(`${opts.db}: ${detail}. Nothing more was written; run the import again when the other process is done (files already imported are matched, not duplicated).`);
  } finally {
    if (db?.$client.open) db.$client.close();
  }
  process.exitCode = code;
}

await main();
