import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser";
import { ADMIN, setupCodeFor } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});
afterAll(async () => {
  expect(pageErrors, pageErrors.join("\n")).toEqual([]);
  await browser?.close();
  await server?.dispose();
});

async function signIn(page: Page) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
}

/** Browsers of these tests report page errors, so a broken client bundle fails loudly. */
async function newPage(javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  // React reports render errors on the console; HTTP statuses (a 409 conflict is expected) are not script errors.
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(m.text());
  });
  return page;
}
const pageErrors: string[] = [];

describe("an engineer records an outage in Chromium", () => {
  let incidentUrl: string;

  it("creates the admin account on first visit", async () => {
    const page = await newPage();
    await page.goto(server.url);
    await expect.poll(() => page.url()).toMatch(/\/setup$/);
    await page.getByLabel("Setup code").fill(setupCodeFor(server.url));
    await page.getByLabel("Name").fill(ADMIN.name);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create admin account" }).click();
    await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
    await page.context().close();
  });

  it("creates an incident and writes its postmortem from the template", async () => {
    const page = await newPage();
    await signIn(page);
    await page.getByRole("link", { name: "New incident" }).click();
    await page.getByLabel("Title").fill("Fraud model scored every payment as safe");
    await page.getByLabel("Severity").selectOption("SEV1");
    await page.getByLabel("Team").fill("risk");
    await page.getByLabel("Started (UTC)").fill("2026-04-02T08:00");
    await page.getByLabel("Detected (UTC)").fill("2026-04-02T09:30");
    await page.getByLabel("Summary").fill("A retrained model shipped with a swapped feature column.");
    await page.getByRole("button", { name: "Create incident" }).click();
    await page.getByRole("heading", { name: /Fraud model scored/ }).waitFor();
    incidentUrl = page.url();
    await expect.poll(() => page.locator(".metric").first().textContent()).toBe("1h 30mtime to detect");

    await page.getByRole("link", { name: "Write postmortem" }).click();
    const editor = page.getByLabel(/Markdown/);
    expect(await editor.inputValue()).toContain("## Root cause");
    await editor.fill("## Root cause\n\nColumns `amount` and `country` were **swapped** in the export.\n\n<img src=x onerror=alert(1)>");
    await page.getByRole("button", { name: "Save postmortem" }).click();
    await page.getByRole("heading", { name: "Postmortem", level: 2 }).waitFor();
    const article = page.locator("article.prose");
    expect(await article.locator("h2").textContent()).toBe("Root cause");
    expect(await article.locator("strong").textContent()).toBe("swapped");
    expect(await article.innerHTML()).not.toContain("onerror");
    await page.context().close();
  });

  it("shows a conflict, not a silent overwrite, when two people save the same revision", async () => {
    const alice = await newPage();
    const bob = await newPage();
    await Promise.all([signIn(alice), signIn(bob)]);
    await Promise.all([alice.goto(`${incidentUrl}/postmortem`), bob.goto(`${incidentUrl}/postmortem`)]);
    await alice.getByLabel(/Markdown/).fill("## Root cause\n\nAlice's analysis.");
    await alice.getByRole("button", { name: "Save postmortem" }).click();
    await alice.getByRole("heading", { name: "Postmortem", level: 2 }).waitFor();

    await bob.getByLabel(/Markdown/).fill("## Root cause\n\nBob's analysis.");
    await bob.getByRole("button", { name: "Save postmortem" }).click();
    await expect.poll(() => bob.getByRole("alert").first().textContent()).toContain("Nothing was overwritten");
    expect(await bob.getByLabel(/Markdown/).inputValue()).toContain("Bob's analysis.");
    expect(await bob.locator("article.prose").last().textContent()).toContain("Alice's analysis.");

    await alice.reload();
    expect(await alice.locator("article.prose").textContent()).toContain("Alice's analysis.");
    // Bob saves again on purpose, now based on Alice's revision.
    await bob.getByLabel(/Markdown/).fill("## Root cause\n\nAlice's analysis, and Bob's.");
    await bob.getByRole("button", { name: "Save postmortem" }).click();
    await bob.getByRole("heading", { name: "Postmortem", level: 2 }).waitFor();
    expect(await bob.locator("article.prose").textContent()).toContain("Alice's analysis, and Bob's.");
    await alice.context().close();
    await bob.context().close();
  });
});

describe("without JavaScript", () => {
  it("signs in, creates an incident, adds a timeline entry and filters the list", async () => {
    const page = await newPage(false);
    const context = page.context();
    await signIn(page);
    await page.getByRole("link", { name: "New incident" }).click();
    await page.getByLabel("Title").fill("Recommendation cache stampede");
    await page.getByLabel("Team").fill("recs");
    await page.getByLabel("Started (UTC)").fill("2026-05-10T12:00");
    await page.getByRole("button", { name: "Create incident" }).click();
    await page.waitForURL(/\/incidents\/\d+$/);
    const timeline = page.getByRole("form", { name: "Add timeline entry" });
    await timeline.getByLabel("What happened").fill("Cache hit rate dropped to 3%");
    await timeline.getByRole("button", { name: "Add to timeline" }).click();
    await page.waitForLoadState();
    expect(await page.locator("table").first().textContent()).toContain("Cache hit rate dropped to 3%");

    await page.goto(`${server.url}/incidents`);
    await page.getByLabel("Team").selectOption("recs");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/team=recs/);
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("Recommendation cache stampede");
    await context.close();
  });
});
