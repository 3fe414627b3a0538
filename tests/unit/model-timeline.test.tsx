import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ModelTimeline } from "~/components/charts/model-timeline";
import { ML, NON_ML } from "~/components/charts/palette";

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);

describe("ModelTimeline", () => {
  const versions = [
    { version: "v1", status: "retired", deployedAt: day("2026-01-01"), retiredAt: day("2026-02-01") },
    { version: "v2", status: "serving", deployedAt: day("2026-02-01"), retiredAt: null },
  ];
  const incidents = [
    { id: 7, title: "Null features", startedAt: day("2026-01-15"), version: "v1", family: "ml" },
    { id: 9, title: "GPU node lost", startedAt: day("2026-02-20"), version: "v2", family: "non-ml" },
    { id: 11, title: "Unknown version", startedAt: day("2026-02-21"), version: "v0", family: null },
  ];
  const svg = renderToStaticMarkup(
    <ModelTimeline versions={versions} incidents={incidents} now={day("2026-03-01")} width={700} label="ranking" />,
  );

  it("draws one bar per version from deploy to retirement (or now)", () => {
    const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(rects).toHaveLength(2);
    // Domain Jan 1 .. Mar 1 (59 days) over x 110..684: v1 spans 31 days, v2 28 days.
    const px = (700 - 16 - 110) / 59;
    expect(rects[0][0]).toBeCloseTo(110, 1);
    expect(rects[0][1]).toBeCloseTo(31 * px, 1);
    expect(rects[1][1]).toBeCloseTo(28 * px, 1);
  });

  it("places incidents on their version's row at their start, coloured by family, linking to them", () => {
    expect(svg.match(/<circle class="incident"/g)).toHaveLength(2);
    expect(svg).toContain('href="/incidents/7"');
    expect(svg).toContain(`fill="${ML}"`);
    expect(svg).toContain(`fill="${NON_ML}"`);
    expect(svg).toContain("<title>#7 Null features (2026-01-15, ML-specific)</title>");
    expect(svg).not.toContain("/incidents/11");
    expect(svg).toContain('aria-label="ranking: 2 versions, 2 incident links"');
  });

  it("labels rows and the time axis", () => {
    expect(svg).toMatch(/>v1<\/text>/);
    expect(svg).toMatch(/>2026-02-01<\/text>/);
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it("says so when there is nothing to draw", () => {
    const empty = renderToStaticMarkup(<ModelTimeline versions={[]} incidents={[]} now={0} label="x" />);
    expect(empty).toContain("No deployed versions");
  });
});
