import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contrastRatio, DARK_TEXT, LIGHT_TEXT, textOn } from "~/components/charts/colour";
import { ACTION_COLORS, AXIS, CATEGORICAL, colorFor, HIGHLIGHT, INK, ML, NON_ML, OTHER, TEXT, UNCLASSIFIED_INK } from "~/components/charts/palette";
import { closestPair, deltaE2000, MACHADO_2009, simulate, toLab } from "../helpers/colour-vision";

/** Below this CIEDE2000 distance two series colours are hard to tell apart at a glance. */
const MIN_DISTANCE = 15;

// Colours that appear side by side in one chart.
const SETS: [string, readonly string[]][] = [
  ["class series and Other classes", [...CATEGORICAL, OTHER]],
  ["ML-specific vs non-ML", [ML, NON_ML]],
  ["action item states", Object.values(ACTION_COLORS)],
  ["Pareto bars and repeats", [CATEGORICAL[0], HIGHLIGHT]],
];
const VISION = [
  ["normal vision", null],
  ["protanopia", MACHADO_2009.protanopia],
  ["deuteranopia", MACHADO_2009.deuteranopia],
] as const;

describe("CIEDE2000 and the simulation", () => {
  it("matches Sharma, Wu & Dalal's published test pairs", () => {
    expect(deltaE2000([50, 2.6772, -79.7751], [50, 0, -82.7485])).toBeCloseTo(2.0425, 4);
    expect(deltaE2000([50, 0, 0], [50, -1, 2])).toBeCloseTo(2.3669, 4);
    expect(deltaE2000([50, 2.5, 0], [73, 25, -18])).toBeCloseTo(27.1492, 4);
    expect(deltaE2000([60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387])).toBeCloseTo(1.2644, 4);
  });

  it("keeps greys grey and merges red with green for a deuteranope", () => {
    const grey = toLab(simulate("#808080", MACHADO_2009.deuteranopia));
    expect(Math.hypot(grey[1], grey[2])).toBeLessThan(1);
    const [red, green] = ["#d62728", "#2ca02c"];
    const seen = (m: (typeof VISION)[number][1]) => deltaE2000(toLab(simulate(red, m)), toLab(simulate(green, m)));
    expect(seen(null)).toBeGreaterThan(50);
    expect(seen(MACHADO_2009.deuteranopia)).toBeLessThan(15);
  });

  it("would catch the old palette, whose eight colours collapsed under deuteranopia", () => {
    const old = ["#2353c6", "#d55e00", "#1b7f5a", "#a6761d", "#c2417f", "#3a8fc8", "#8c564b", "#6b7f1a", "#8a919c"];
    expect(closestPair(old, MACHADO_2009.deuteranopia).distance).toBeLessThan(MIN_DISTANCE);
  });
});

describe("the chart palette", () => {
  for (const [what, colours] of SETS) {
    for (const [vision, m] of VISION) {
      it(`keeps ${what} apart with ${vision} (CIEDE2000 ≥ ${MIN_DISTANCE})`, () => {
        const { distance, pair } = closestPair(colours, m);
        expect(distance, `${pair.join(" vs ")}`).toBeGreaterThanOrEqual(MIN_DISTANCE);
      });
    }
  }

  it("keeps Other classes and Unclassified apart: solid grey vs a hatch of a darker ink", () => {
    expect(OTHER).not.toBe(UNCLASSIFIED_INK);
    expect(contrastRatio(OTHER, UNCLASSIFIED_INK)).toBeGreaterThanOrEqual(2);
    expect(colorFor("other", 0)).toBe(OTHER);
  });

  it("gives chart text at least 4.5:1 on white, and every fill a label colour with 4.5:1", () => {
    for (const c of [TEXT, INK]) expect(contrastRatio(c, "#ffffff"), c).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(AXIS, "#ffffff")).toBeGreaterThanOrEqual(3);
    for (const fill of [...CATEGORICAL, OTHER, ML, NON_ML, HIGHLIGHT, ...Object.values(ACTION_COLORS)]) {
      expect([DARK_TEXT, LIGHT_TEXT]).toContain(textOn(fill));
      expect(contrastRatio(fill, textOn(fill)), fill).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("paints the family badges with the charts' family colours, white text at 4.5:1", () => {
    const css = fs.readFileSync(path.resolve("app/styles.css"), "utf8");
    const variable = (name: string) => new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, "i").exec(css)?.[1]?.toLowerCase();
    expect([variable("ml"), variable("nonml")]).toEqual([ML, NON_ML]);
    for (const fill of [ML, NON_ML]) expect(contrastRatio(fill, "#ffffff"), fill).toBeGreaterThanOrEqual(4.5);
  });
});
