/**
 * Folders of Markdown files: reading them safely, and importing them one transaction per file.
 *
 * Reading never leaves the folder: a link whose target lies outside it is refused by name and not opened, a link
 * back to a folder already read (a loop) is refused and not followed, names starting with "." are skipped. Files
 * must be UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured); anything else is refused with the encoding it looks
 * like. Files over MAX_FILE_BYTES are refused unread.
 */
import fs from "node:fs";
import path from "node:path";
import { detect } from "chardet";
import type { Conn } from "../../utils/db.server";
import type { Actor } from "../audit.server";
import { loadLabelMappings, type LabelMappings } from "../source-labels.server";
import { alertKey, importIncidentMarkdown, type AlertDocument } from "./faultline-import.server";
import { parseIncidentMarkdown } from "./faultline-markdown.server";
import { ImportError, type Progress } from "./fields.server";
import { importPublicPostmortem } from "./public-markdown.server";
import type { ImportResult } from "./writes.server";

export type MarkdownFile = { name: string; text: string };
/** A file that was not imported: the message names the file and every problem; `reason` is a short kind, for tallies. */
export type Refusal = { file: string; message: string; reason: string };
export type FolderRead = { files: MarkdownFile[]; refused: Refusal[] };

export const MAX_FILE_BYTES = 2 * 2 ** 20;

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/** UTF-16 without a byte-order mark shows as NUL bytes on one side of most pairs (chardet needs the mark). */
function utf16WithoutMark(buf: Buffer): string | null {
  let even = 0;
  let odd = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] === 0) (i % 2 ? odd++ : even++);
  const pairs = buf.length / 2;
  if (odd > pairs * 0.3 && even < pairs * 0.05) return "UTF-16LE";
  if (even > pairs * 0.3 && odd < pairs * 0.05) return "UTF-16BE";
  return null;
}

/** The text of a file's bytes, or why they are not text this import reads. */
export function decodeText(buf: Buffer): { text: string } | { problem: string; reason: string } {
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: new TextDecoder("utf-16le").decode(buf.subarray(2)) };
  if (buf[0] === 0xfe && buf[1] === 0xff) return { text: new TextDecoder("utf-16be").decode(buf.subarray(2)) };
  const body = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
  let text: string | null = null;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    // Not UTF-8: said below, with what it looks like.
  }
  if (text !== null && !text.includes("\u0000")) return { text };
  const guess = utf16WithoutMark(body) ?? detect(body);
  const looks = guess && !/^UTF-8$/i.test(guess) ? ` (it looks like ${guess})` : "";
  const fix = guess && !/^UTF-(8|16|32)/i.test(guess) ? `: convert it, e.g. iconv -f ${guess} -t UTF-8` : ": save it as UTF-8";
  return { problem: `is not UTF-8 text${looks}${fix}`, reason: "not UTF-8" };
}

/** Every .md file under a folder (recursively, sorted by path; names relative to the folder), and the files refused. */
export function readMarkdownFolder(dir: string): FolderRead {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${dir} is not a folder.`);
  const root = fs.realpathSync(dir);
  const files: MarkdownFile[] = [];
  const refused: Refusal[] = [];
  const refuse = (file: string, problem: string, reason: string) => refused.push({ file, message: `${file}: ${problem}`, reason });
  const visited = new Set([root]);

  const visit = (real: string, rel: string) => {
    const entries = fs.readdirSync(real, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const name = rel ? path.join(rel, entry.name) : entry.name;
      const isMarkdown = entry.name.toLowerCase().endsWith(".md");
      let target = path.join(real, entry.name);
      if (entry.isSymbolicLink()) {
        let resolved: string;
        try {
          resolved = fs.realpathSync(target);
        } catch {
          if (isMarkdown) refuse(name, "is a link to nothing (its target does not exist)", "broken link");
          continue;
        }
        if (!inside(root, resolved)) {
          // Refused from its path alone: the target is never opened.
          if (isMarkdown || fs.statSync(resolved, { throwIfNoEntry: false })?.isDirectory()) refuse(name, "is a link to a place outside the folder: not read", "link outside the folder");
          continue;
        }
        target = resolved;
      }
      const stat = fs.statSync(target);
      if (stat.isDirectory()) {
        if (visited.has(target)) {
          refuse(name, "links back to a folder already read (a loop): not followed", "link loop");
          continue;
        }
        visited.add(target);
        visit(target, name);
      } else if (stat.isFile() && isMarkdown) {
        if (stat.size > MAX_FILE_BYTES) {
          refuse(name, `is ${(stat.size / 2 ** 20).toFixed(1)} MiB: the limit for one file is ${MAX_FILE_BYTES / 2 ** 20} MiB`, "too large");
          continue;
        }
        const decoded = decodeText(fs.readFileSync(target));
        if ("problem" in decoded) refuse(name, decoded.problem, decoded.reason);
        else files.push({ name, text: decoded.text });
      }
    }
  };
  visit(root, "");
  files.sort((a, b) => (a.name < b.name ? -1 : 1));
  refused.sort((a, b) => (a.file < b.file ? -1 : 1));
  return { files, refused };
}

export type FolderImportSummary = {
  files: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Files not imported (nothing of them was written), with every problem of each. */
  failed: Refusal[];
  /** Created or updated incidents and the fields written (all of them for a created one). */
  changes: { file: string; incidentId: number; title: string; outcome: "created" | "updated"; fields: string[] }[];
  /** Fields kept because a person changed them since the last import, by incident. */
  conflicts: { file: string; incidentId: number; title: string; field: string }[];
  /** Incidents created or updated by this run that are still unclassified (for a later suggestion pass). */
  unclassified: number[];
  /** Incidents whose start time was suggested (the file had none): a person confirms it. */
  suggestedStarts: { file: string; incidentId: number; at: number; from: string }[];
  /** Unknown class id -> number of files naming it. */
  unknownClasses: Record<string, number>;
  /** Label with no mapping onto the taxonomy -> number of files using it (kept on the incidents as source labels). */
  unmappedLabels: Record<string, number>;
  warnings: { file: string; message: string }[];
};

/** SQLite could not get the lock it waited for: another connection holds the database. */
export class DatabaseLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseLockedError";
  }
}

export function isDatabaseLocked(e: unknown): boolean {
  return e instanceof Error && /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown }).code ?? ""));
}

/** The short kind of a refusal, for tallies: the first problem with its quoted values left out. */
function refusalReason(e: unknown): string {
  if (!(e instanceof ImportError)) return "could not be written";
  const p = e.problems[0];
  return `${p.field ? `${p.field} ` : ""}${p.problem.replace(/\s*\(got .*\)$/, "").replace(/: .*$/, "")}`;
}

export type FolderImportOptions = { onProgress?: Progress; refused?: readonly Refusal[]; mappings?: LabelMappings };

/**
 * Imports files one transaction each, continuing past bad ones (every problem of a file is collected; nothing of
 * it is written). Running it again on the same files changes nothing. A locked database stops the run with a
 * DatabaseLockedError (the files before were imported).
 */
export function importMarkdownFiles(db: Conn, format: "faultline" | "public", files: MarkdownFile[], actor: Actor, opts: FolderImportOptions = {}): FolderImportSummary {
  const refused = opts.refused ?? [];
  const summary: FolderImportSummary = {
    files: files.length + refused.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: [...refused],
    changes: [],
    conflicts: [],
    unclassified: [],
    suggestedStarts: [],
    unknownClasses: {},
    unmappedLabels: {},
    warnings: [],
  };
  const mappings = opts.mappings ?? loadLabelMappings();
  const claimed = new Set<number>();
  const pendingAlerts = new Map<string, AlertDocument>();
  if (format === "faultline") {
    for (const f of files) {
      try {
        for (const a of parseIncidentMarkdown(f.text, f.name).doc.alerts) pendingAlerts.set(alertKey(a), a);
      } catch {
        // Reported when the file itself is imported.
      }
    }
  }
  const tally = (counts: Record<string, number>, keys: string[]) => {
    for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
  };
  files.forEach((f, i) => {
    let r: ImportResult;
    try {
      const o = { source: f.name, claimed, mappings };
      r = format === "faultline" ? importIncidentMarkdown(db, f.text, actor, { ...o, pendingAlerts }) : importPublicPostmortem(db, f.text, actor, o);
    } catch (e) {
      if (isDatabaseLocked(e)) {
        throw new DatabaseLockedError(`the database is locked by another connection (waited for it, then gave up at ${f.name}, after ${i} of ${files.length} files)`);
      }
      // Any failure rolled back that file's transaction; the others go on.
      const message = e instanceof ImportError ? e.message : `${f.name}: ${(e as Error).message}`;
      summary.failed.push({ file: f.name, message, reason: refusalReason(e) });
      opts.onProgress?.(i + 1, files.length);
      return;
    }
    claimed.add(r.incidentId);
    summary[r.outcome]++;
    if (r.outcome !== "unchanged") {
      summary.changes.push({ file: f.name, incidentId: r.incidentId, title: r.title, outcome: r.outcome, fields: r.changed });
      if (!r.classified) summary.unclassified.push(r.incidentId);
    }
    for (const field of r.conflicts) summary.conflicts.push({ file: f.name, incidentId: r.incidentId, title: r.title, field });
    if (r.suggestedStart) summary.suggestedStarts.push({ file: f.name, incidentId: r.incidentId, ...r.suggestedStart });
    tally(summary.unknownClasses, r.unknownClasses);
    tally(summary.unmappedLabels, r.unmappedLabels);
    for (const w of r.warnings) summary.warnings.push({ file: f.name, message: w });
    opts.onProgress?.(i + 1, files.length);
  });
  return summary;
}
