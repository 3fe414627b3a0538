import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser";
import { ADMIN, incidentIdFrom, setupAdmin, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let browser: Browser;
let admin: Client;

const month = (m: number) => `2026-0${m}-10T08:00`;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  admin = await setupAdmin(server.url);
  // Three months of incidents: data corruption twice on one team (a repeat), one capacity fault, one unclassified.
  const plan: [string, string, string, string | null][] = [
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

async function signedIn(javaScriptEnabled: boolean): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
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
    expect(await page.locator("main p.muted").first().textContent()).toBe("4 incidents started 2026-01-01 – 2026-03-31 (UTC), 3 of them classified.");
    expect(await page.locator('section.insight svg[role="img"]').count()).toBe(9);
    const pareto = page.locator("#pareto");
    const table = pareto.locator("table");
    expect(await table.locator("tbody tr").count()).toBe(2);
    expect(await table.locator("tbody tr").first().textContent()).toContain("Data quality & distribution shift");
    expect(await page.locator("#repeats table").textContent()).toContain("2026-Q1");
    const monthly = page.locator("#classes-by-month svg");
    expect(await monthly.getAttribute("aria-label")).toContain("4");
    await page.context().close();
  });

  it("keeps filters in the URL and offers each table as CSV", async () => {
    const page = await signedIn(true);
    await page.goto(`${server.url}/insights?${range}`);
    await page.getByLabel("Team").selectOption("ranking");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/team=ranking/);
    await expect.poll(() => page.locator("main p.muted").first().textContent()).toContain("2 incidents");
    const download = page.waitForEvent("download");
    await page.locator("#pareto").getByRole("link", { name: "CSV" }).click();
    const file = await (await download).path();
    const csv = (await import("node:fs")).readFileSync(file!, "utf8");
    expect(csv).toBe("class,incidents,repeats,cumulative share %\r\nData quality & distribution shift,2,1,100\r\n");
    await page.context().close();
  });

  it("prints a report with a written summary", async () => {
    const page = await signedIn(false);
    await page.goto(`${server.url}/insights/report?${range}`);
    const summary = await page.getByRole("region", { name: "Summary" }).textContent();
    expect(summary).toContain("4 incidents started in the period; 3 (75%) are classified.");
    expect(summary).toContain("Data quality & distribution shift (2, 67%)");
    expect(summary).toContain("1 incident (33% of classified) repeated");
    expect(await page.locator('svg[role="img"]').count()).toBe(9);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("form").count()).toBe(1);
    expect(await page.locator("header.topbar").isVisible()).toBe(false);
    await page.context().close();
  });
});
