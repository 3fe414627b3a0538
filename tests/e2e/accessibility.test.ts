import os from "node:os";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import Database from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser";
import { ADMIN, createIncidentByForm, setupAdmin, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";
import { signedInPage } from "../helpers/signed-in-page";

let server: RunningServer;
let browser: Browser;
let admin: Client;
let ids: { incident: number; draft: number };

/** Every axe violation of the page, one readable line each (rule, impact, where, what). */
async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}) at ${n.target.join(" ")}: ${n.failureSummary?.replace(/\s+/g, " ")}`),
  );
}

async function token(scope: "api" | "webhook"): Promise<string> {
  const res = await admin.submit("/settings/tokens", { intent: "create", name: `${scope} token`, scope });
  return /<p class="secret">([^<]+)<\/p>/.exec(await res.text())![1];
}

const post = (url: string, tokenValue: string, body: unknown) =>
  fetch(`${server.url}${url}`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${tokenValue}` }, body: JSON.stringify(body) });

/** Data on every page: incidents (classified, with postmortem, timeline, actions, a model version), alerts, deliveries. */
async function seed() {
  const apiToken = await token("api");
  const webhookToken = await token("webhook");
  for (const [version, deployedAt] of [
    ["2026.09.1", "2026-09-01T00:00:00Z"],
    ["2026.10.1", "2026-10-01T00:00:00Z"],
  ]) {
    expect((await post("/api/v1/models/ranker/versions", apiToken, { version, deployedAt, codeRef: "9f2c1e0" })).status).toBe(201);
  }
  const alerts = {
    alerts: [
      { name: "RankerLatencyHigh", status: "firing", severity: "critical", labels: { model: "ranker", model_version: "2026.10.1" }, startsAt: "2026-10-12T07:55:00Z" },
      { name: "FeatureFreshnessLow", status: "firing", severity: "warning", labels: { pipeline: "features" }, startsAt: "2026-10-12T08:00:00Z" },
    ],
  };
  expect((await post("/api/webhooks/generic", webhookToken, alerts)).status).toBeLessThan(300);

  const create = (title: string, severity: string, startedAt: string, team: string) =>
    createIncidentByForm(admin, {
      title,
      severity,
      team,
      detectionSource: "alert",
      startedAt,
      detectedAt: startedAt.replace(/T(\d\d):00/, "T$1:15"),
      summary: "The ranker read features from a stale snapshot.",
      impact: "Click-through fell 8% for two hours.",
    });
  const incident = await create("Ranker served stale embeddings", "SEV2", "2026-10-12T08:00", "ranking");
  const second = await create("Ranker served stale embeddings again", "SEV3", "2026-11-02T10:00", "ranking");
  const third = await create("GPU node lost during training", "SEV3", "2026-08-20T14:00", "platform");
  await create("Unexplained latency on search", "SEV4", "2026-07-05T09:00", "search");
  await admin.submit(`/incidents/${incident}/classify`, { primary: "data.corruption", contributing: "capacity.latency-slo", trigger: "pipeline" });
  await admin.submit(`/incidents/${second}/classify`, { primary: "data.corruption" });
  await admin.submit(`/incidents/${third}/classify`, { primary: "capacity.accelerator-fault" });
  await admin.submit(`/incidents/${incident}/postmortem`, { intent: "save", rev: "0", markdown: "## Root cause\n\nA **stale** snapshot.\n\n| step | time |\n|---|---|\n| rollback | 09:30 |" });
  await admin.submit(`/incidents/${incident}`, { intent: "timeline.add", at: "2026-10-12T09:30", kind: "rollback", body: "Rolled back the ranker to 2026.09.1" });
  await admin.submit(`/incidents/${incident}`, { intent: "action.add", title: "Alert on feature freshness", owner: "sam", dueAt: "2026-11-01", kind: "detect" });
  await admin.submit(`/incidents/${second}`, { intent: "action.add", title: "Snapshot checksum in the loader", owner: "", dueAt: "", kind: "prevent" });
  const db = new Database(server.dbFile, { readonly: true });
  const version = db.prepare("select id from model_versions where version = '2026.10.1'").get() as { id: number };
  const draft = db.prepare("select id from incidents where status = 'draft' order by id limit 1").get() as { id: number };
  db.close();
  await admin.submit(`/incidents/${incident}`, { intent: "model.link", versionId: String(version.id), role: "suspected_cause" });
  const moved = await admin.submit(`/incidents/${third}/status?to=resolved`, {
    to: "resolved",
    detectedAt: "2026-08-20T14:15",
    mitigatedAt: "2026-08-20T15:00",
    resolvedAt: "2026-08-20T16:00",
  });
  expect(moved.status).toBe(302);
  return { incident, draft: draft.id };
}

/** What sticks out past the right edge when the page scrolls sideways (empty when it does not). */
function pageOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    // Name the elements that stick out (a scrolling table's cells may), so a failure says what to fix.
    const named = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest("table, pre"))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${typeof el.className === "string" && el.className ? "." + el.className.split(" ").join(".") : ""}`);
    return named.length ? named : ["(page wider than the viewport)"];
  });
}

const mainPages = () => [
  "/incidents",
  "/incidents/new",
  `/incidents/${ids.incident}`,
  `/incidents/${ids.incident}/edit`,
  `/incidents/${ids.incident}/postmortem`,
  `/incidents/${ids.incident}/revisions/1`,
  `/incidents/${ids.incident}/classify`,
  `/incidents/${ids.incident}/status?to=closed`,
  `/incidents/${ids.draft}`,
  "/actions",
  "/alerts",
  "/alerts/rules",
  "/models",
  "/models/ranker",
  "/models/ranker/2026.10.1",
  "/taxonomy",
  "/taxonomy/data.corruption",
  "/insights",
  "/insights/report",
  "/settings/users",
  "/account/password",
  "/settings/tokens",
  "/settings/deliveries",
  "/settings/audit",
];

let setupViolations: string[];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  // The setup page exists only until the first admin is created: check it first, then fill the app with data.
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/setup`);
  await page.getByRole("button", { name: "Create admin account" }).waitFor();
  setupViolations = await axeViolations(page);
  await page.context().close();
  admin = await setupAdmin(server.url);
  ids = await seed();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe("accessibility (axe-core) in Chromium", () => {
  it("finds no violation on the first-run setup page and the sign-in page", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/login`);
    expect({ setup: setupViolations, login: await axeViolations(page) }).toEqual({ setup: [], login: [] });
    await page.context().close();
  });

  it("finds no violation on any main page, signed in, with data", async () => {
    const page = await signedInPage(browser, server.url);
    const found: Record<string, string[]> = {};
    for (const url of mainPages()) {
      const res = await page.goto(`${server.url}${url}`);
      expect(res?.status(), url).toBe(200);
      const violations = await axeViolations(page);
      if (violations.length) found[url] = violations;
    }
    expect(found).toEqual({});
    await page.context().close();
  }, 300_000);

  it("finds no violation in error states: a refused status change and a failed sign-in", async () => {
    const page = await signedInPage(browser, server.url);
    await page.goto(`${server.url}/incidents/${ids.incident}/status?to=closed`);
    await page.getByRole("button", { name: "Move to closed" }).click();
    await page.getByText("Nothing was changed:").waitFor();
    const refused = await axeViolations(page);
    const context = await browser.newContext();
    const guest = await context.newPage();
    await guest.goto(`${server.url}/login`);
    await guest.getByLabel("Email").fill(ADMIN.email);
    await guest.getByLabel("Password").fill("not the password");
    await guest.getByRole("button", { name: "Sign in" }).click();
    await guest.getByRole("alert").first().waitFor();
    expect({ refused, login: await axeViolations(guest) }).toEqual({ refused: [], login: [] });
    await context.close();
    await page.context().close();
  });

  it("lets a keyboard user skip to the content", async () => {
    const page = await signedInPage(browser, server.url);
    await page.goto(`${server.url}/incidents`);
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await skip.isVisible()).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForURL(/#main$/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    await page.context().close();
  });
});

describe("a 390 px wide phone", () => {
  const phone = { width: 390, height: 844 };

  it("has no sideways page scroll on any main page; wide tables scroll inside their card", async () => {
    const guest = await (await browser.newContext({ viewport: phone })).newPage();
    const page = await signedInPage(browser, server.url, { viewport: phone });
    const overflowing: Record<string, string[]> = {};
    for (const url of ["/login", ...mainPages()]) {
      const at = url === "/login" ? guest : page;
      await at.goto(`${server.url}${url}`);
      const wide = await pageOverflow(at);
      if (wide.length) overflowing[url] = wide;
    }
    await guest.context().close();
    expect(overflowing).toEqual({});
    // A wide table stays a table and scrolls sideways inside its own box.
    await page.goto(`${server.url}/incidents`);
    const table = page.getByRole("table").first();
    expect(await table.getByRole("row").count()).toBeGreaterThan(1);
    expect(await table.evaluate((el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).overflowX === "auto")).toBe(true);
    await page.context().close();
  }, 300_000);

  it.each([
    ["with JavaScript", true],
    ["without JavaScript", false],
  ])("collapses the navigation into a menu that works %s", async (_name, js) => {
    const page = await signedInPage(browser, server.url, { viewport: phone, javaScriptEnabled: js });
    const nav = page.getByRole("navigation", { name: "Main" });
    const insights = nav.getByRole("link", { name: "Insights" });
    expect(await insights.isVisible()).toBe(false);
    const header = await page.locator("header.topbar").boundingBox();
    expect(header!.height).toBeLessThan(80);
    await page.getByText("Menu").click();
    if (js) {
      expect(await axeViolations(page)).toEqual([]);
      const shot = path.join(os.tmpdir(), "faultline-390px-menu.png");
      await page.screenshot({ path: shot });
      console.log(`390 px screenshot, menu open: ${shot}`);
    }
    await insights.click();
    await page.getByRole("heading", { name: "Insights", level: 1 }).waitFor();
    expect(await page.locator("details.nav-menu").getAttribute("open")).toBeNull(); // closed after navigating
    if (js) {
      await page.goto(`${server.url}/incidents/${ids.incident}`);
      await page.getByRole("heading", { name: /Ranker served stale embeddings/ }).waitFor();
      const shot = path.join(os.tmpdir(), "faultline-390px-incident.png");
      await page.screenshot({ path: shot, fullPage: false });
      console.log(`390 px screenshot: ${shot}`);
    }
    await page.context().close();
  });
});
