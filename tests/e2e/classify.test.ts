import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, signedInPage as signedInPageAs } from "../helpers/browser";
import { ADMIN, incidentIdFrom, setupAdmin, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let browser: Browser;
let admin: Client;
const pageErrors: string[] = [];

const incident = (title: string, startedAt: string, summary: string) => ({
  title,
  severity: "SEV2",
  team: "ranking",
  detectionSource: "alert",
  startedAt,
  detectedAt: "",
  mitigatedAt: "",
  resolvedAt: "",
  summary,
  impact: "",
});

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  admin = await setupAdmin(server.url);
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  expect(pageErrors, pageErrors.join("\n")).toEqual([]);
});

const signedInPage = (javaScriptEnabled: boolean) => signedInPageAs(browser, server.url, ADMIN, { javaScriptEnabled, errors: pageErrors });

describe.each([true, false])("classifying an incident (JavaScript %s)", (js) => {
  it("names the class, flags the repeat and shows the open actions already paid for", async () => {
    const tag = js ? "js" : "nojs";
    const first = incidentIdFrom(
      await admin.submit("/incidents/new", incident(`Null user features in ranking ${tag}`, "2026-02-01T10:00", "A partition of user features was half written.")),
    );
    await admin.submit(`/incidents/${first}/classify`, { primary: "data.corruption", trigger: "pipeline" });
    await admin.submit(`/incidents/${first}`, { intent: "action.add", title: `Validate partition row counts ${tag}`, owner: "kim", dueAt: "2026-03-01", kind: "prevent" });
    const second = incidentIdFrom(
      await admin.submit("/incidents/new", incident(`Ranking trained on corrupted features ${tag}`, "2026-04-01T10:00", "Half-written user feature partition again.")),
    );

    const page = await signedInPage(js);
    await page.goto(`${server.url}/incidents/${second}/classify`);
    expect(await page.locator("section", { hasText: "Similar past incidents" }).textContent()).toContain(`Null user features in ranking ${tag}`);
    await page.getByLabel("Primary class (root cause)").selectOption("data.corruption");
    await page.getByLabel("Trigger").selectOption("pipeline");
    await page.getByLabel("Lifecycle stage").selectOption("data_collection");
    await page.getByLabel("Missing validation or canary", { exact: false }).first().check();
    await page.getByRole("button", { name: "Save classification" }).click();
    await page.getByRole("heading", { name: "Classification" }).waitFor();

    const classification = await page.locator("dl.facts").first().textContent();
    expect(classification).toContain("Data quality & distribution shift › Data corruption");
    expect(classification).toContain("ML-specific");
    expect(classification).toContain("Pipeline");
    expect(classification).toContain("Data collection");
    const repeat = page.getByRole("region", { name: "Repeat incident" });
    expect(await repeat.textContent()).toContain(`Null user features in ranking ${tag}`);
    expect(await repeat.textContent()).toContain(`Already paid for, still open: Validate partition row counts ${tag}`);

    await page.goto(`${server.url}/taxonomy/data`);
    const rows = page.locator("tbody tr");
    expect(await rows.filter({ hasText: tag }).count()).toBe(2);
    expect(await page.locator('svg[role="img"] rect').count()).toBe(12);
    await page.context().close();
  });
});

describe("the taxonomy page", () => {
  it("shows every top-level class with its definition and the share of ML vs non-ML causes", async () => {
    const page = await signedInPage(false);
    await page.goto(`${server.url}/taxonomy`);
    for (const name of ["Orchestration", "Capacity", "Data quality", "Feedback loops"]) {
      expect(await page.locator("li", { hasText: name }).count(), name).toBeGreaterThan(0);
    }
    expect(await page.getByRole("region", { name: "Share of causes" }).textContent()).toContain(
      "Of 4 confirmed incidents, 0% had a non-ML root cause and 100% an ML-specific one.",
    );
    await page.locator("summary", { hasText: "Data quality" }).first().click();
    expect(await page.locator("li#data .prose h2").first().textContent()).toBe("Definition");
    await page.context().close();
  });
});
