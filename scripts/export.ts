// Usage: npm run export -- [--db PATH] (--markdown DIR | --json FILE)
// --markdown DIR: every incident as DIR/YYYY-MM-DD-<title>.md (Faultline Markdown: YAML front matter with all
// structured fields, classes, timeline, action items, models and alerts; the postmortem as the body).
// --json FILE: the whole database as JSON (every table except sessions; no token secrets; includes password
// hashes, so keep the file as safe as the database). Progress goes to stderr, the summary to stdout.
import fs from "node:fs";
import path from "node:path";
import { databasePath, openDatabase } from "../db/client";
import { exportMarkdownFiles } from "../app/domain/portability/faultline-markdown.server";
import { exportDatabaseJsonText } from "../app/domain/portability/json-export.server";
import { Progress, fail, parseCli } from "./lib/cli";

const USAGE = "Usage: npm run export -- [--db PATH] (--markdown DIR | --json FILE)";



function parseOptions() {
  const values = parseCli(USAGE, { db: { type: "string" }, markdown: { type: "string" }, json: { type: "string" } });
  if ((values.markdown === undefined) === (values.json === undefined)) fail(`Give exactly one of --markdown DIR or --json FILE.\n${USAGE}`, 2);
  return { db: values.db ?? databasePath(), markdown: values.markdown, json: values.json };
}

function main() {
  const opts = parseOptions();
  if (!fs.existsSync(opts.db)) fail(`${opts.db} does not exist; nothing to export.`);
  const db = openDatabase(opts.db);
  const t0 = performance.now();
  try {
    if (opts.markdown !== undefined) {
      const dir = path.resolve(opts.markdown);
      fs.mkdirSync(dir, { recursive: true });
      const bar = new Progress("incidents");
      let n = 0;
      for (const file of exportMarkdownFiles(db, (done, total) => bar.update(done, total))) {
        fs.writeFileSync(path.join(dir, file.name), file.text);
        n++;
      }
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      process.stdout.write(`Exported ${n} incident${n === 1 ? "" : "s"} from ${opts.db} to ${dir} in ${secs} s\n`);
    } else {
      const file = path.resolve(opts.json!);
      // The export holds password hashes: readable by its owner only, like the database.
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      // Written to a temporary name and renamed, so an interrupted export never leaves a truncated file behind.
      const tmp = `${file}.partial`;
      const fd = fs.openSync(tmp, "w", 0o600);
      fs.fchmodSync(fd, 0o600);
      const bar = new Progress("rows");
      let bytes = 0;
      try {
        for (const piece of exportDatabaseJsonText(db, (done, total) => bar.update(done, total))) {
          bytes += fs.writeSync(fd, piece);
        }
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      process.stdout.write(`Exported ${opts.db} to ${file} (${(bytes / 1024).toFixed(0)} KiB) in ${secs} s\n`);
    }
  } finally {
    db.$client.close();
  }
}

main();
