/**
 * Colours shared by every chart. The series colours stay apart (CIEDE2000 ≥ 15) for normal vision and under
 * simulated protanopia and deuteranopia (tests/unit/palette.test.ts); no series is told apart by colour alone
 * anyway: "Unclassified" is a pattern, partial periods are hatched, and every mark has a <title> and a table row.
 */
export const CATEGORICAL = [
  "#0077bb", // blue
  "#d55e00", // vermillion
  "#33bbee", // cyan
  "#332288", // indigo
  "#ddcc77", // sand
  "#8c564b", // brown
] as const;

/** ML-specific failure family. */
export const ML = "#7b3fb8";
/** Non-ML failure family. */
export const NON_ML = "#1b7f5a";
/** "Other classes": a solid grey; "Unclassified" is a hatch of UNCLASSIFIED_INK on white, so the two never match. */
export const OTHER = "#8a919c";
export const UNCLASSIFIED_INK = "#4a5160";

/** Highlighted marks (classes with repeat incidents in the Pareto chart), against CATEGORICAL[0]. */
export const HIGHLIGHT = "#d55e00";
/** Lines drawn over bars (cumulative share). */
export const INK = "#1d2330";

/** Action item states: done, open (not yet due), overdue. */
export const ACTION_COLORS = { done: "#009e73", open: "#56b4e9", overdue: "#d55e00" } as const;

/** Chart furniture; TEXT keeps 7:1 on white. */
export const GRID = "#e3e5ea";
export const AXIS = "#767c88";
export const TEXT = "#3d4452";

/** The colour of a series by position, with the fixed ones for the families and "Other classes". */
export function colorFor(key: string, index: number): string {
  const k = key.toLowerCase();
  if (k === "ml") return ML;
  if (k === "non-ml") return NON_ML;
  if (k === "other") return OTHER;
  return CATEGORICAL[((index % CATEGORICAL.length) + CATEGORICAL.length) % CATEGORICAL.length];
}
