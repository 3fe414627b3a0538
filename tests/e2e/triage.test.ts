import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { SYSTEM } from "~/domain/audit.server";
import { suggestUnclassified } from "~/domain/triage.server";
import { launchChromium, signedInPage as signedInPageAs } from "../helpers/browser";
import { ADMIN, incidentIdFrom, setupAdmin, type Client } from "../helpers/http";
import { readRow } from "../helpers/db";
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
  expect(pageErrors, pageErrors.join("\n")).toEqual([]);
});

const newIncident = async (title: string, summary: string, startedAt: string) =>
  incidentIdFrom(
    await admin.submit("/incidents/new", { title, severity: "SEV2", team: "ranking", detectionSource: "alert", startedAt, detectedAt: "", mitigatedAt: "", resolvedAt: "", summary, impact: "" }),
  );

const classOf = (id: number) => readRow(server.dbFile, "select class_status as status, primary_class_id as cls from incidents where id = ?", id);

const signedInPage = (javaScriptEnabled: boolean) => signedInPageAs(browser, server.url, ADMIN, { javaScriptEnabled, errors: pageErrors });

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");

describe("the triage queue", () => {
  it("confirms suggestions one by one with the keyboard", async () => {
    const older = await newIncident("Pretraining stalls on faulty GPUs", "Uncorrectable ECC errors on GPU hosts kept interrupting the training job.", "2026-03-01T10:00");
    const newer = await newIncident("Credit features arrive null", "Half the feature partition was written with null values.", "2026-04-01T10:00");
    const db = openDatabase(server.dbFile);
    try {
      expect(await suggestUnclassified(db, [newer], SYSTEM)).toEqual({ suggested: 1 });
    } finally {
      db.$client.close();
    }
    expect(classOf(newer)).toEqual({ status: "suggested", cls: "data.corruption" });

    const page = await signedInPage(true);
    await page.goto(`${server.url}/taxonomy/triage`);
    // Newest first, and the first incident has the focus.
    await expect.poll(() => focusedId(page)).toBe(`incident-${newer}`);
    await page.keyboard.press("j");
    expect(await focusedId(page)).toBe(`incident-${older}`);
    await page.keyboard.press("k");
    expect(await focusedId(page)).toBe(`incident-${newer}`);

    // c confirms the recorded suggestion; the list reloads and the focus stays in place, now on the next incident.
    await page.keyboard.press("c");
    await page.locator(`#incident-${newer}`).waitFor({ state: "detached" });
    expect(classOf(newer)).toEqual({ status: "confirmed", cls: "data.corruption" });
    await expect.poll(() => focusedId(page)).toBe(`incident-${older}`);

    // 1 takes the first suggestion of an unclassified incident.
    const first = await page.locator(`#incident-${older} [data-hotkey="1"]`).textContent();
    expect(first).toMatch(/^1 · Take Capacity, resources & hardware › /);
    await page.keyboard.press("1");
    await page.getByText("Nothing to triage").waitFor();
    expect(classOf(older)).toMatchObject({ status: "confirmed", cls: expect.stringMatching(/^capacity\./) });
    await page.context().close();
  });

  it("works without JavaScript: take a suggestion, or pick another class for a selection", async () => {
    const a = await newIncident("Config flag pushed to every region", "A configuration change went to all regions at once without a canary.", "2026-05-01T10:00");
    const b = await newIncident("Loss turned NaN", "The training loss diverged to NaN after a few thousand steps.", "2026-05-02T10:00");
    const page = await signedInPage(false);
    await page.goto(`${server.url}/taxonomy/triage`);
    await page.locator(`#incident-${a}`).getByRole("button", { name: /Take Change & deployment › / }).first().click();
    await page.getByRole("heading", { name: "Triage queue" }).waitFor();
    expect(classOf(a)).toMatchObject({ status: "confirmed", cls: expect.stringMatching(/^change\./) });
    await page.getByLabel(`Another class for #${b}`).selectOption("training.divergence");
    await page.locator(`#incident-${b}`).getByRole("button", { name: "Confirm this class" }).click();
    await page.getByText("Nothing to triage").waitFor();
    expect(classOf(b)).toEqual({ status: "confirmed", cls: "training.divergence" });
    await page.context().close();
  });
});
