/**
 * Colours shared by every chart. The categorical palette keeps at least 3:1 contrast against white (WCAG 1.4.11
 * for graphical objects) and avoids the two family hues, so "ML vs non-ML" never reads as "class 1 vs class 2".
 */
export const CATEGORICAL = [
  "#2353c6", // blue
  "#d55e00", // vermillion
  "#1b7f5a", // green
  "#a6761d", // ochre
  "#c2417f", // magenta
  "#3a8fc8", // sky
  "#8c564b", // brown
  "#6b7f1a", // olive
  "#5d4b9e", // indigo
  "#b2182b", // crimson
] as const;

/** ML-specific failure family. */
export const ML = "#7b3fb8";
/** Non-ML failure family. */
export const NON_ML = "#2f7d8c";
/** "Other" / unclassified buckets. */
export const OTHER = "#8a919c";

/** Highlighted marks (e.g. classes with repeat incidents in the Pareto chart). */
export const HIGHLIGHT = "#d55e00";
/** Lines drawn over bars (cumulative share). */
export const INK = "#2b2f36";

/** Action item states: done, open (not yet due), overdue. */
export const ACTION_COLORS = { done: "#1b7f5a", open: "#6f93d6", overdue: "#c0392b" } as const;

/** Chart furniture. */
export const GRID = "#e3e5ea";
export const AXIS = "#9aa0aa";
export const TEXT = "#4a5160";

/**
 * The colour of a series: its own if given, the family colours for `ml` / `non-ml`, grey for `other` /
 * `unclassified`, otherwise the categorical palette by position.
 */
export function colorFor(key: string, index: number, own?: string): string {
  if (own) return own;
  const k = key.toLowerCase();
  if (k === "ml") return ML;
  if (k === "non-ml") return NON_ML;
  if (k === "other" || k === "unclassified") return OTHER;
  return CATEGORICAL[((index % CATEGORICAL.length) + CATEGORICAL.length) % CATEGORICAL.length];
}
