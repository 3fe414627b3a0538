// Usage: npm run import -- [--db PATH] (--markdown DIR | --public DIR | --json FILE) [--suggest]
// --markdown DIR: Faultline Markdown files (as written by `npm run export -- --markdown`).
// --public DIR: public postmortems with YAML front matter (title, url, start_time, end_time, categories, company,
// summary); categories are mapped onto the taxonomy, the rest reported.
// Markdown imports match incidents by title and start time, so running one again changes nothing; each file is
// its own transaction, and a bad file is reported (exit code 1) without stopping the others.
// --json FILE: a database export, into a new, empty database only (kept ids; one transaction), read as it is
// imported, so it may be larger than memory.
// --suggest: afterwards, records the class suggester's top class for every imported incident left unclassified,
// as suggested (never confirmed): people confirm them in the triage queue.
import { databasePath, openDatabase } from "../db/client";
import type { Actor } from "../app/domain/audit.server";
import {
  importDatabaseJson,
  importMarkdownFiles,
  readMarkdownFolder,
  readTextChunks,
  type FolderImportSummary,
  type MarkdownFile,
} from "../app/domain/portability.server";
import { loadTaxonomy, syncTaxonomy } from "../app/domain/taxonomy.server";
import { suggestUnclassified, unclassifiedSince, writeMark } from "../app/domain/triage.server";
import { Progress, fail, parseCli } from "./lib/cli";

const USAGE = "Usage: npm run import -- [--db PATH] (--markdown DIR | --public DIR | --json FILE) [--suggest]";
const ACTOR: Actor = { id: null, label: "import" };
const MIB = 2 ** 20;



function parseOptions() {
  const values = parseCli(USAGE, {
    db: { type: "string" },
    markdown: { type: "string" },
    public: { type: "string" },
    json: { type: "string" },
    suggest: { type: "boolean", default: false },
  });
  const given = [values.markdown, values.public, values.json].filter((v) => v !== undefined).length;
  if (given !== 1) fail(`Give exactly one of --markdown DIR, --public DIR or --json FILE.\n${USAGE}`, 2);
  return { db: values.db ?? databasePath(), markdown: values.markdown, public: values.public, json: values.json, suggest: values.suggest };
}

function tally(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${k} (${n})`)
    .join(", ");
}

function report(s: FolderImportSummary, dir: string, secs: string): string {
  const line = (label: string, n: number | string) => `  ${label.padEnd(24)} ${String(n).padStart(6)}`;
  const out = [
    `Imported ${dir} in ${secs} s`,
    line("files", s.files),
    line("created", s.created),
    line("updated", s.updated),
    line("unchanged", s.unchanged),
    line("failed", s.failed.length),
  ];
  const categories = Object.keys(s.unmappedCategories).length;
  if (categories) out.push(`  unclassified categories  ${tally(s.unmappedCategories)}`);
  if (Object.keys(s.unknownClasses).length) out.push(`  unknown classes          ${tally(s.unknownClasses)}`);
  // The same note (an unknown user, say) often concerns many files: one line each, with a count.
  const notes = new Map<string, string[]>();
  for (const w of s.warnings) notes.set(w.message, [...(notes.get(w.message) ?? []), w.file]);
  for (const [message, files] of notes) {
    out.push(`  note: ${files.length === 1 ? `${files[0]}: ${message}` : `${message} (${files.length} files, first ${files[0]})`}`);
  }
  return `${out.join("\n")}\n`;
}

async function main() {
  const opts = parseOptions();
  // Inputs are opened before the database is, so a typo in a path does not leave an empty database behind.
  // The JSON file is read while it is imported, in chunks: an export can be larger than memory.
  const bar = new Progress(opts.json !== undefined ? "MiB read" : "files");
  let chunks: Iterable<string> = [];
  if (opts.json !== undefined) {
    try {
      chunks = readTextChunks(opts.json, (done, total) => bar.update(Math.ceil(done / MIB), Math.ceil(total / MIB)));
    } catch (e) {
      fail(`${opts.json}: ${(e as Error).message}`);
    }
  }
  let files: MarkdownFile[] = [];
  if (opts.json === undefined) {
    try {
      files = readMarkdownFolder((opts.markdown ?? opts.public)!);
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const db = openDatabase(opts.db);
  const mark = writeMark(db);
  const t0 = performance.now();
  const secs = () => ((performance.now() - t0) / 1000).toFixed(1);
  let code = 0;
  try {
    if (opts.json !== undefined) {
      try {
        const { rows } = importDatabaseJson(db, chunks, ACTOR);
        const total = Object.values(rows).reduce((a, b) => a + b, 0);
        process.stdout.write(
          `Imported ${total} rows from ${opts.json} into ${opts.db} in ${secs()} s\n` +
            Object.entries(rows)
              .filter(([, n]) => n > 0)
              .map(([t, n]) => `  ${t.padEnd(24)} ${String(n).padStart(9)}\n`)
              .join(""),
        );
      } catch (e) {
        fail(`${opts.json}: ${(e as Error).message}`);
      }
    } else {
      const dir = (opts.markdown ?? opts.public)!;
      // Class ids are checked against the taxonomy, so it must be in the database first (as at app start).
      syncTaxonomy(db, loadTaxonomy());
      const summary = importMarkdownFiles(db, opts.markdown !== undefined ? "faultline" : "public", files, ACTOR, (done, total) =>
        bar.update(done, total),
      );
      process.stdout.write(report(summary, dir, secs()));
      for (const f of summary.failed) process.stderr.write(`error: ${f.message}\n`);
      if (summary.failed.length) code = 1;
    }
    if (opts.suggest) {
      syncTaxonomy(db, loadTaxonomy());
      const { suggested } = await suggestUnclassified(db, unclassifiedSince(db, mark), ACTOR);
      process.stdout.write(`  suggested classes ${String(suggested).padStart(9)} (not confirmed: see /taxonomy/triage)\n`);
    }
  } finally {
    if (db.$client.open) db.$client.close();
  }
  process.exitCode = code;
}

await main();
