import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { loadTaxonomy, syncTaxonomy } from "~/domain/taxonomy.server";
import { launchChromium } from "../helpers/browser";
import { buildFixture } from "../helpers/insights-fixture";
import { ADMIN, incidentIdFrom, setupAdmin, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let browser: Browser;
let admin: Client;

const month = (m: number) => `2026-0${m}-10T08:00`;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  admin = await setupAdmin(server.url);
  // Three months of incidents: data corruption twice on one team (a repeat), one capacity fault, one unclassified;
  // and one in the quarter before, so "then vs now" has a previous period to draw.
  const plan: [string, string, string, string | null][] = [
    ["Feature store timed out", "2025-11-10T08:00", "platform", "dependency"],
    ["Null features in ranking", month(1), "ranking", "data.corruption"],
    ["Null features in ranking again", month(2), "ranking", "data.corruption"],
    ["GPU node lost during training", month(2), "platform", "capacity.accelerator-fault"],
    ["Something odd with search", month(3), "search", null],
  ];
  for (const [title, startedAt, team, cls] of plan) {
    const id = incidentIdFrom(
      await admin.submit("/incidents/new", {
        title,
        severity: "SEV2",
        team,
        detectionSource: "alert",
        startedAt,
        detectedAt: startedAt.replace("08:00", "08:30"),
        mitigatedAt: "",
        resolvedAt: startedAt.replace("08:00", "12:00"),
        summary: "",
        impact: "",
      }),
    );
    if (cls) await admin.submit(`/incidents/${id}/classify`, { primary: cls });
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

async function signedIn(javaScriptEnabled: boolean, viewport?: { width: number; height: number }, base = server.url): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled, acceptDownloads: true, ...(viewport ? { viewport } : {}) });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
  return page;
}

const range = "from=2026-01-01&to=2026-03-31";

describe("insights in Chromium", () => {
  it("draws every chart as SVG without JavaScript, with the numbers beside it", async () => {
    const page = await signedIn(false);
    await page.goto(`${server.url}/insights?${range}`);
    expect(await page.locator("main p.insight-scope").textContent()).toBe("4 incidents started 2026-01-01 – 2026-03-31 (UTC), 3 of them with a confirmed class.");
    // Each chart is drawn at three widths; the card shows the one that fits.
    expect(await page.locator('section.insight svg[role="img"]').count()).toBe(11 * 3);
    expect(await page.locator('section.insight svg[role="img"]:visible').count()).toBe(11);
    const pareto = page.locator("#pareto");
    const table = pareto.locator("table");
    expect(await table.locator("tbody tr").count()).toBe(2);
    expect(await table.locator("tbody tr").first().textContent()).toContain("Data quality & distribution shift");
    expect(await page.locator("#repeats table").textContent()).toContain("2026-Q1");
    const monthly = page.locator("#classes-over-time svg:visible");
    expect(await monthly.getAttribute("aria-label")).toContain("4 in total over 3 periods");
    await page.context().close();
  });

  it("keeps filters in the URL and offers each table as CSV", async () => {
    const page = await signedIn(true);
    await page.goto(`${server.url}/insights?${range}`);
    await page.getByLabel("Team").selectOption("ranking");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/team=ranking/);
    await expect.poll(() => page.locator("main p.insight-scope").textContent()).toContain("2 incidents");
    const download = page.waitForEvent("download");
    await page.locator("#pareto").getByRole("link", { name: "CSV" }).click();
    const file = await (await download).path();
    const csv = (await import("node:fs")).readFileSync(file!, "utf8");
    expect(csv).toBe("class,incidents,share of classified %,cumulative share %,repeats,note\r\nData quality & distribution shift,2,100,100,1,few (under 5)\r\n");
    await page.context().close();
  });

  it("prints a report with a written summary", async () => {
    const page = await signedIn(false);
    await page.goto(`${server.url}/insights/report?${range}`);
    const summary = await page.getByRole("region", { name: "Summary" }).textContent();
    expect(summary).toContain("4 incidents started in the period; 3 (75%) have a confirmed class.");
    expect(summary).toContain("Data quality & distribution shift (2, 67%)");
    expect(summary).toContain("1 incident (33% of classified) repeated");
    expect(await page.locator('svg[role="img"]:visible').count()).toBe(11);
    expect(await page.getByRole("heading", { level: 2 }).first().textContent()).toBe("What changed most since 2025-10-03 – 2025-12-31");
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("form").count()).toBe(1);
    expect(await page.locator("header.topbar").isVisible()).toBe(false);
    await page.context().close();
  });

  it("keeps chart text at 11 px or more on a 390 px phone and fills the card on a desktop", async () => {
    for (const [width, minFont, layout] of [
      [390, 11, "narrow"],
      [1280, 11, "wide"],
    ] as const) {
      const page = await signedIn(true, { width, height: 900 });
      await page.goto(`${server.url}/insights?${range}`);
      const charts = await page.evaluate(() =>
        [...document.querySelectorAll<SVGSVGElement>("section.insight svg.chart")]
          .filter((svg) => svg.getBoundingClientRect().width > 0)
          .map((svg) => {
            const box = svg.getBoundingClientRect();
            const card = svg.closest("section")!;
            const style = getComputedStyle(card);
            const inner = card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            const scale = box.width / svg.viewBox.baseVal.width;
            const fonts = [...svg.querySelectorAll("text")].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
            return { layout: svg.parentElement!.className, width: box.width, inner, right: box.right, viewport: window.innerWidth, smallest: Math.min(...fonts) };
          }),
      );
      expect(charts).toHaveLength(11);
      for (const c of charts) {
        expect(c.layout, `${width} px`).toContain(`chart-layout-${layout}`);
        expect(c.smallest, `smallest chart text at ${width} px`).toBeGreaterThanOrEqual(minFont);
        expect(c.right, "inside the viewport").toBeLessThanOrEqual(c.viewport);
        // Uses the card's width (the narrow drawing stops growing at 480 px).
        expect(c.width).toBeGreaterThanOrEqual(Math.min(c.inner, 480) - 1);
      }
      await page.context().close();
    }
  });

  it("prints the report without mostly blank pages", async () => {
    // The hand-built fixture has nine classes, so its cards and tables run longer than a printed half page.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-print-"));
    const db = openDatabase(path.join(dir, "faultline.db"));
    syncTaxonomy(db, loadTaxonomy());
    buildFixture(db);
    db.$client.close();
    const fixture = await startServer({ dir });
    try {
      await setupAdmin(fixture.url);
      const page = await signedIn(true, { width: 794, height: 1123 }, fixture.url);
      await page.goto(`${fixture.url}/insights/report?from=2024-02-01&to=2024-05-31`);
      await page.emulateMedia({ media: "print" });
      // A block that may not break is moved whole to the next page when it does not fit, leaving the rest of the
      // page blank: none may be taller than half a page, so no page is left mostly blank.
      const blocks = await page.evaluate(() =>
        [...document.querySelectorAll("main *")].map((e) => ({
          what: `${e.tagName.toLowerCase()}#${e.id}.${e.className}`,
          avoid: ["avoid", "avoid-page"].includes(getComputedStyle(e).breakInside),
          height: e.getBoundingClientRect().height,
        })),
      );
      expect(blocks.some((b) => b.what.includes("insight") && b.height > 1123 / 2)).toBe(true);
      for (const b of blocks.filter((x) => x.avoid)) expect(b.height, b.what).toBeLessThanOrEqual(1123 / 2);
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      // A4 at 96 dpi with no margins is 794 x 1123 px: as many pages as the content needs, give or take one.
      const pdf = await page.pdf({ width: "794px", height: "1123px", margin: { top: "0", bottom: "0", left: "0", right: "0" } });
      const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page\b/g) ?? []).length;
      expect(pages).toBeGreaterThan(1);
      expect(pages).toBeLessThanOrEqual(Math.ceil(height / 1123) + 1);
      await page.context().close();
    } finally {
      await fixture.dispose();
    }
  });

});
