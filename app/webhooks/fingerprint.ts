import { createHash } from "node:crypto";

/** 16 hex chars of sha256 over the labels sorted by name as `name=value\n` lines: independent of key order. */
export function stableFingerprint(labels: Record<string, string>): string {
  const text = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}\n`)
    .join("");
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16);
}
