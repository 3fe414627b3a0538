import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, signedInPage } from "../helpers/browser";
import { ADMIN, createIncidentByForm, setupAdmin, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let browser: Browser;
let admin: Client;
const pageErrors: string[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  admin = await setupAdmin(server.url);
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

// A 1×1 transparent GIF, as a tracking pixel or a dashboard snapshot would answer.
const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

describe("pages under the nonce CSP in Chromium", () => {
  it("hydrate: no CSP violation, client-side navigation and a JavaScript-only form work", async () => {
    const page = await signedInPage(browser, server.url, ADMIN, { errors: pageErrors });
    await page.evaluate(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener("securitypolicyviolation", (e) => w.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    // A marker on window survives only if Remix's router (hydrated from the nonce'd inline scripts) handles the click.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Insights" }).click();
    await page.getByRole("heading", { name: "Insights", level: 1 }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    // Signing out through Remix's <Form> (fetch, then client redirect) keeps the same document too.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Faultline" }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(pageErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("load an allowed host's image and never fetch a third party's pixel from a postmortem", async () => {
    expect((await admin.submit("/settings/images", { hosts: "grafana.example.com" })).status).toBe(302);
    const id = await createIncidentByForm(admin, { title: "Pixel in the write-up", severity: "SEV3", startedAt: "2026-01-01T10:00" });
    const editor = await admin.html(`/incidents/${id}/postmortem`);
    const rev = /name="rev" value="(\d+)"/.exec(editor.body)?.[1] ?? "0";
    const markdown = "![p99](https://grafana.example.com/p99.gif)\n\n![reader](https://tracker.example/pixel.gif?reader=1)";
    expect((await admin.submit(`/incidents/${id}/postmortem`, { intent: "save", rev, markdown })).status).toBe(302);

    const page = await signedInPage(browser, server.url, ADMIN, { errors: pageErrors });
    const fetched: string[] = [];
    await page.context().route(/^https:\/\//, (route) => {
      fetched.push(new URL(route.request().url()).host);
      return route.fulfill({ status: 200, contentType: "image/gif", body: GIF });
    });
    await page.goto(`${server.url}/incidents/${id}`);
    const allowed = page.locator('img[alt="p99"]');
    await allowed.waitFor();
    await expect.poll(() => allowed.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    await page.getByRole("link", { name: "reader" }).waitFor();
    expect(fetched).toEqual(["grafana.example.com"]);
  });
});
