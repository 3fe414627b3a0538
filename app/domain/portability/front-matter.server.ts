/** YAML front matter, shared by the Faultline and public Markdown formats. */
import YAML from "yaml";
import { ImportError } from "./fields.server";

/** Splits "---\nyaml\n---\nbody"; the body is returned exactly as written. */
export function splitFrontMatter(text: string, source: string | null = null): { data: Record<string, unknown>; body: string } {
  const raw = text.replace(/^\uFEFF/, "");
  const open = /^---[ \t]*\r?\n/.exec(raw);
  if (!open) throw new ImportError("front matter", "is missing (the file must start with a --- line)", source);
  const rest = raw.slice(open[0].length);
  const close = /^---[ \t]*(?:\r?\n|$)/.exec(rest) ?? /\r?\n---[ \t]*(?:\r?\n|$)/.exec(rest);
  if (!close) throw new ImportError("front matter", "is not closed (no --- line after it)", source);
  let data: unknown;
  try {
    data = YAML.parse(rest.slice(0, close.index), { uniqueKeys: true });
  } catch (e) {
    throw new ImportError("front matter", `is not valid YAML (${(e as Error).message.split("\n")[0]})`, source);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw new ImportError("front matter", "must be a set of key: value lines", source);
  }
  return { data: data as Record<string, unknown>, body: rest.slice(close.index + close[0].length) };
}

