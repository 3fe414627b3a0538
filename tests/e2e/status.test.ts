import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser";
import { createIncidentByForm, setupAdmin, type Client } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";
import { signedInPage } from "../helpers/signed-in-page";

let server: RunningServer;
let browser: Browser;
let admin: Client;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  admin = await setupAdmin(server.url);
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

/** A SEV3 incident started 2026-11-20 08:00 whose timeline says it was rolled back at 09:30. */
async function incidentWithRollback(title: string): Promise<number> {
  const id = await createIncidentByForm(admin, {
    title,
    severity: "SEV3",
    team: "ranking",
    detectionSource: "alert",
    startedAt: "2026-11-20T08:00",
    detectedAt: "2026-11-20T08:10",
  });
  await admin.submit(`/incidents/${id}`, { intent: "timeline.add", at: "2026-11-20T09:30", kind: "rollback", body: "Rolled back the ranker to v41" });
  return id;
}

describe.each([
  ["with JavaScript", true],
  ["without JavaScript", false],
])("changing status in Chromium %s", (_name, js) => {
  it("asks when it happened, refuses a bad time, and records the confirmed ones", async () => {
    const id = await incidentWithRollback(`Stale embeddings (${js ? "js" : "no js"})`);
    const page = await signedInPage(browser, server.url, { javaScriptEnabled: js });
    await page.goto(`${server.url}/incidents/${id}`);
    await page.getByRole("navigation", { name: "Change status" }).getByRole("link", { name: "mitigated" }).click();
    await page.getByRole("heading", { name: `Move #${id} to mitigated` }).waitFor();
    // Suggested from the rollback entry, not the time of the click.
    expect(await page.getByLabel("Mitigated (UTC)").inputValue()).toBe("2026-11-20T09:30");
    await page.getByLabel("Mitigated (UTC)").fill("2026-11-20T08:05");
    await page.getByRole("button", { name: "Move to mitigated" }).click();
    await page.getByText("Must not be before detected time.").first().waitFor();
    expect(await page.getByLabel("Mitigated (UTC)").inputValue()).toBe("2026-11-20T08:05");

    await page.getByLabel("Mitigated (UTC)").fill("2026-11-20T09:30");
    await page.getByRole("button", { name: "Move to mitigated" }).click();
    await page.waitForURL(new RegExp(`/incidents/${id}$`));
    await page.getByText("time to mitigate").waitFor();
    expect(await page.locator(".metric").nth(1).textContent()).toBe("1h 30mtime to mitigate");
    expect(await page.locator("tr.timeline-status").textContent()).toContain("investigating → mitigated");

    // Closing straight from mitigated is refused with the reason; resolving first, then closing, works.
    await page.goto(`${server.url}/incidents/${id}/status?to=closed`);
    await page.getByLabel("Resolved (UTC)").fill("2026-11-20T11:00");
    await page.getByRole("button", { name: "Move to closed" }).click();
    await page.getByText("Nothing was changed:").waitFor();
    expect(await page.getByRole("alert").first().textContent()).toContain("it was never marked resolved");

    await page.getByRole("link", { name: "Move it to resolved" }).click();
    await page.getByLabel("Resolved (UTC)").fill("2026-11-20T11:00");
    await page.getByRole("button", { name: "Move to resolved" }).click();
    await page.waitForURL(new RegExp(`/incidents/${id}$`));
    await page.getByRole("navigation", { name: "Change status" }).getByRole("link", { name: "closed" }).click();
    await page.getByRole("button", { name: "Move to closed" }).click();
    await page.waitForURL(new RegExp(`/incidents/${id}$`));
    expect(await page.locator(".badge.status-closed").textContent()).toBe("closed");
    expect(await page.locator(".metric").nth(2).textContent()).toBe("3h 00mtime to resolve");
    await page.context().close();
  });
});
