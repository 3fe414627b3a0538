import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

export const CONTENT_DIR = path.resolve(process.env.CONTENT_DIR ?? "content");

export type ContentFile = { file: string; data: Record<string, unknown>; body: string };

export class ContentError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${path.relative(process.cwd(), file)}: ${problem}`);
  }
}

const cache = new Map<string, { mtimeMs: number; parsed: ContentFile }>();

/** Reads "---\nyaml\n---\nmarkdown"; cached by path and mtime. Throws ContentError naming the file. */
export function readContentFile(file: string): ContentFile {
  const { mtimeMs } = fs.statSync(file);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.parsed;
  const raw = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(raw);
  if (!m) throw new ContentError(file, "missing front matter (the file must start with a --- block)");
  let data: unknown;
  try {
    data = YAML.parse(m[1]);
  } catch (e) {
    throw new ContentError(file, `front matter is not valid YAML (${(e as Error).message.split("\n")[0]})`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw new ContentError(file, "front matter must be a set of key: value lines");
  }
  const parsed = { file, data: data as Record<string, unknown>, body: m[2] };
  cache.set(file, { mtimeMs, parsed });
  return parsed;
}

/** Every .md file under a content folder, sorted by path (so load order is stable). */
export function listContentFiles(dir: string): string[] {
  const root = path.join(CONTENT_DIR, dir);
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join(root, f))
    .sort();
}

export type Template = { id: string; name: string; markdown: string };

export function listTemplates(): Template[] {
  return listContentFiles("templates").map((file) => {
    const { data, body } = readContentFile(file);
    const id = String(data.id ?? path.basename(file, ".md"));
    return { id, name: String(data.name ?? id), markdown: body.trimStart() };
  });
}
