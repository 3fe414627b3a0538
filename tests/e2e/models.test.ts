import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser";
import { ADMIN, incidentIdFrom, setupAdmin } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  expect(pageErrors, pageErrors.join("\n")).toEqual([]);
});

describe("an engineer links an outage to the model version that caused it", () => {
  it("adds a model and versions, links a version to the incident, and sees it on the model's timeline", async () => {
    const admin = await setupAdmin(server.url);
    const incidentId = incidentIdFrom(
      await admin.submit("/incidents/new", {
        title: "Ranking model served random order",
        severity: "SEV2",
        team: "ranking",
        detectionSource: "dashboard",
        startedAt: "2026-03-10T09:00",
        detectedAt: "",
        mitigatedAt: "",
        resolvedAt: "",
        summary: "",
        impact: "",
      }),
    );
    await admin.submit(`/incidents/${incidentId}/classify`, { primary: "compat.wrong-version" });

    const page = await browser.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(m.text());
    });
    await page.goto(`${server.url}/login`);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();

    await page.getByRole("link", { name: "Models" }).click();
    await page.getByLabel("Name").fill("ranker");
    await page.getByLabel("Team").fill("ranking");
    await page.getByRole("button", { name: "Add model" }).click();
    await page.getByRole("heading", { name: "ranker", level: 1 }).waitFor();

    for (const [version, deployed] of [
      ["2026.02.1", "2026-02-01T00:00"],
      ["2026.03.1", "2026-03-01T00:00"],
    ]) {
      await page.getByLabel("Version", { exact: true }).fill(version);
      await page.getByLabel("Deployed (UTC)").fill(deployed);
      await page.getByRole("button", { name: "Save version" }).click();
      await page.locator("tbody tr", { hasText: version }).waitFor();
    }
    const rows = page.locator("tbody tr");
    expect(await rows.nth(0).textContent()).toContain("serving");
    expect(await rows.nth(1).textContent()).toContain("retired");

    await page.goto(`${server.url}/incidents/${incidentId}`);
    const linkForm = page.getByRole("form", { name: "Link a model version" });
    await linkForm.getByLabel("Model version").selectOption({ label: "ranker 2026.03.1 (serving)" });
    await linkForm.getByLabel("Role").selectOption("suspected_cause");
    await linkForm.getByRole("button", { name: "Link version" }).click();
    await page.locator("td", { hasText: /^suspected cause$/ }).waitFor();

    await page.getByRole("link", { name: "ranker" }).first().click();
    await page.getByRole("heading", { name: "ranker", level: 1 }).waitFor();
    const dot = page.locator('svg[role="group"] a[aria-label] circle.incident');
    expect(await dot.count()).toBe(1);
    expect(await dot.getAttribute("fill")).toBe("#7b3fb8");
    expect(await page.locator("tbody tr", { hasText: "2026.03.1" }).textContent()).toMatch(/serving.*1/);
    await page.getByRole("link", { name: "2026.03.1" }).click();
    await page.getByRole("link", { name: /Ranking model served random order/ }).waitFor();
    await page.context().close();
  });
});
