import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postAlerts, startAlertmanager, type RunningAlertmanager } from "../helpers/alertmanager";
import { launchChromium } from "../helpers/browser";
import { ADMIN, setupAdmin } from "../helpers/http";
import { freePort, startReceiver, startSmtp } from "../helpers/receivers";
import { startServer, type RunningServer } from "../helpers/server";

const BOB = { name: "Bob Reviewer", email: "bob@example.com", password: "bob's long password" };

let server: RunningServer;
let browser: Browser;
let alertmanager: RunningAlertmanager;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let chat: Awaited<ReturnType<typeof startReceiver>>;
const pageErrors: string[] = [];

beforeAll(async () => {
  [smtp, chat] = await Promise.all([startSmtp(), startReceiver()]);
  const port = await freePort();
  [server, browser] = await Promise.all([
    startServer({ env: { SMTP_URL: smtp.url, NOTIFY_INTERVAL_MS: "200", PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } }),
    launchChromium(),
  ]);
  const admin = await setupAdmin(server.url);
  expect((await admin.submit("/settings/users", { intent: "create", ...BOB, role: "editor" })).status).toBe(302);
  const events = ["draft_opened", "assigned", "review_requested", "review_decided", "mentioned", "action_digest"];
  expect((await admin.submit("/settings/notifications", { intent: "channel.create", name: "incidents", kind: "slack", url: `${chat.url}/slack`, secret: "", events })).status).toBe(302);
  const tokenPage = await (await admin.submit("/settings/tokens", { intent: "create", name: "alertmanager", scope: "webhook" })).text();
  const token = /<p class="secret">([^<]+)<\/p>/.exec(tokenPage)![1];
  alertmanager = await startAlertmanager({ webhookUrl: `${server.url}/api/webhooks/alertmanager`, token });
});
afterAll(async () => {
  expect(pageErrors, pageErrors.join("\n")).toEqual([]);
  await browser?.close();
  await alertmanager?.stop();
  await server?.dispose();
  await smtp?.stop();
  await chat?.stop();
});

/** A signed-in page that counts what a person does: full page loads (documents) and clicks. */
async function personPage(who: { email: string; password: string }, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(m.text());
  });
  const tally = { loads: 0, navigations: 0, clicks: 0 };
  page.on("load", () => tally.loads++);
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) tally.navigations++;
  });
  await page.goto(`${server.url}/login`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
  Object.assign(tally, { loads: 0, navigations: 0, clicks: 0 });
  const click = async (target: Locator) => {
    tally.clicks++;
    await target.click();
  };
  /** Picking from a drop-down is one click for a person. */
  const choose = async (target: Locator, option: string | { value: string }) => {
    tally.clicks++;
    await target.selectOption(typeof option === "string" ? { label: option } : option);
  };
  return { page, tally, click, choose, close: () => context.close() };
}

/** Waits until the page shows `text` (after a fetcher or a full post). */
const shows = (where: Page | Locator, text: string | RegExp) => where.getByText(text).first().waitFor();

async function fireAlert(rule: string) {
  await postAlerts(alertmanager.url, [
    {
      labels: { alertname: rule, model: "fraud-scoring", severity: "critical", team: "risk" },
      annotations: { summary: `${rule}: fraud scores collapsed`, runbook_url: "https://runbooks.example.com/fraud" },
      startsAt: new Date().toISOString(),
      generatorURL: "http://prometheus.example.com/graph?g0.expr=fraud",
    },
  ]);
}

const mailsTo = (email: string) => smtp.mails.filter((m) => m.to.includes(email)).map((m) => m.subject);

async function walk(js: boolean, rule: string) {
  await fireAlert(rule);
  const ada = await personPage({ email: ADMIN.email, password: ADMIN.password }, js);
  const { page, click, choose } = ada;
  /** A status move opens the page that asks when it happened; the prefilled times are taken as they are. */
  const moveTo = async (status: string) => {
    await click(page.getByRole("navigation", { name: "Change status" }).getByRole("link", { name: status, exact: true }));
    await click(page.getByRole("button", { name: `Move to ${status}` }));
  };
  // The draft an alert opened, found from the list.
  await page.goto(`${server.url}/incidents`);
  ada.tally.loads = 0;
  ada.tally.navigations = 0;
  const draftLink = page.getByRole("link", { name: `${rule}: fraud scores collapsed` });
  try {
    await expect.poll(async () => (await page.reload(), await draftLink.count()), { timeout: 30_000 }).toBe(1);
  } catch (e) {
    const deliveries = await (await fetch(`${alertmanager.url}/api/v2/alerts`)).text();
    throw new Error(`no draft for ${rule}: ${(e as Error).message}\nAlertmanager holds: ${deliveries}\nlist: ${await page.locator("main").textContent()}`);
  }
  ada.tally.loads = 0;
  ada.tally.navigations = 0;
  await click(draftLink);
  await page.getByRole("heading", { name: new RegExp(`${rule}: fraud scores collapsed`) }).waitFor();
  const incidentUrl = page.url().replace(/#.*$/, "");
  // Labels and annotations of the alert are shown, the runbook as a link.
  expect(await page.locator("#alerts a", { hasText: "runbook" }).getAttribute("href")).toBe("https://runbooks.example.com/fraud");

  // Claim it: Ada owns it and it leaves draft.
  await click(page.getByRole("button", { name: "Claim it" }));
  await expect.poll(() => page.locator("#people dd").first().textContent()).toContain(ADMIN.name);
  await expect.poll(() => page.locator(".badge.status-investigating").count()).toBe(1);

  // A timeline entry and an action item for Bob; the forms clear after each success.
  const timeline = page.getByRole("form", { name: "Add timeline entry" });
  await click(timeline.getByLabel("What happened"));
  await timeline.getByLabel("What happened").fill("Rolled fraud-scoring back to the previous version");
  // A rollback entry is what the status page offers as the time it was mitigated.
  await choose(timeline.getByLabel("Kind"), "rollback");
  await timeline.getByRole("button", { name: "Add to timeline" }).scrollIntoViewIfNeeded();
  const formTop = () => timeline.evaluate((f) => Math.round(f.getBoundingClientRect().top));
  const [scrolledTo, topBefore] = [await page.evaluate(() => window.scrollY), await formTop()];
  await click(timeline.getByRole("button", { name: "Add to timeline" }));
  await shows(page.locator("#timeline table"), "Rolled fraud-scoring back");
  if (js) {
    // Saved in place: the form is empty again, the cursor back in its first field, and the page did not jump.
    await expect.poll(() => timeline.getByLabel("What happened").inputValue()).toBe("");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("at");
    // No jump to the top or to the section: the page stays down here and the form stays on screen, within the
    // height of the row that appeared above it (the browser's scroll anchoring absorbs most of it).
    expect(scrolledTo).toBeGreaterThan(200);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThanOrEqual(scrolledTo);
    expect(Math.abs((await formTop()) - topBefore)).toBeLessThan(80);
  } else {
    // A plain post lands back on the timeline section.
    expect(page.url()).toMatch(/#timeline$/);
  }
  const actionForm = page.getByRole("form", { name: "Add action item" });
  await click(actionForm.getByLabel("Action"));
  await actionForm.getByLabel("Action").fill(`Validate score distribution (${rule})`);
  await choose(actionForm.getByLabel("Assigned to"), BOB.name);
  await click(actionForm.getByRole("button", { name: "Add action item" }));
  await shows(page.locator("#actions table"), "Validate score distribution");
  if (js) await expect.poll(() => actionForm.getByLabel("Action").inputValue()).toBe("");

  await moveTo("resolved");
  await expect.poll(() => page.locator(".badge.status-resolved").count()).toBe(1);

  // The postmortem is drafted from the facts; the short template replaces the editor's text.
  await click(page.getByRole("link", { name: "Write postmortem" }));
  const editor = page.getByLabel(/Markdown/);
  await expect.poll(() => editor.inputValue()).toContain("## Where we got lucky");
  const draft = await editor.inputValue();
  expect(draft).toContain(`${rule} firing`);
  expect(draft).toContain("Rolled fraud-scoring back to the previous version");
  expect(draft).toContain(`| Validate score distribution (${rule}) | prevent | ${BOB.name} |`);
  expect(draft).toContain("Status: draft → investigating");
  expect(draft).not.toContain("2024-03-04");
  await click(page.getByRole("link", { name: "Short postmortem for SEV3/SEV4" }));
  await expect.poll(() => editor.inputValue()).not.toContain("## Where we got lucky");
  expect(await editor.inputValue()).toContain("Validate score distribution");
  expect(await editor.inputValue()).toContain("Rolled fraud-scoring back to the previous version"); // its timeline too
  await click(page.getByRole("button", { name: "Save postmortem" }));
  await page.locator("#postmortem article.prose").waitFor();
  expect(await page.locator("#postmortem article.prose").textContent()).toContain(`Validate score distribution (${rule})`);

  // Review requested from Bob; closing is refused until he approves.
  await moveTo("in review");
  await expect.poll(() => page.locator(".badge.status-in_review").count()).toBe(1);
  await click(page.getByRole("form", { name: "Request review" }).getByLabel(BOB.name));
  await click(page.getByRole("button", { name: "Request review" }));
  await expect.poll(() => page.locator("#review .reviewers").textContent()).toContain("review requested");
  await moveTo("closed");
  await shows(page.getByRole("alert"), "its review is not approved");

  // Bob finds the request on My work, comments quoting a passage and mentioning Ada, and approves.
  const bob = await personPage(BOB, js);
  await bob.click(bob.page.getByRole("link", { name: "My work" }));
  await bob.click(bob.page.getByRole("link", { name: new RegExp(`${rule}: fraud scores collapsed`) }).first());
  const review = bob.page.getByRole("form", { name: "Comment on the postmortem" });
  await bob.click(review.getByLabel("Quote (optional)"));
  await review.getByLabel("Quote (optional)").fill("Rolled fraud-scoring back to the previous version");
  await bob.click(review.getByLabel("Comment", { exact: true }));
  await review.getByLabel("Comment", { exact: true }).fill("Say how long the rollback took. @ada please add the numbers.");
  await bob.click(review.getByRole("button", { name: "Comment", exact: true }));
  await shows(bob.page.locator("#review .comments"), "Say how long the rollback took.");
  if (js) await expect.poll(() => review.getByLabel("Comment", { exact: true }).inputValue()).toBe("");
  await bob.click(review.getByRole("button", { name: "Approve" }));
  await expect.poll(() => bob.page.locator("#review .reviewers").textContent()).toContain("approved");

  // Ada closes it.
  await page.goto(incidentUrl); // Ada comes back to the incident
  await moveTo("closed");
  // A SEV1 closes only with a confirmed class: the refusal links to the classify page, and closing then succeeds.
  await shows(page.getByRole("alert"), "its primary class is not confirmed");
  await click(page.getByRole("region", { name: "Closing rules" }).getByRole("link", { name: "Classify it" }));
  await choose(page.getByLabel("Primary class (root cause)"), { value: "quality.accuracy-regression" });
  await click(page.getByRole("button", { name: "Save classification" }));
  await page.getByRole("heading", { name: "Classification" }).waitFor();
  await moveTo("closed");
  await expect.poll(() => page.locator(".badge.status-closed").count()).toBe(1);
  await expect.poll(() => page.locator("#history summary").textContent()).toMatch(/recorded change/);
  const history = await page.locator("#history table").textContent();
  expect(history).toContain("Status: in review → closed");
  expect(history).toContain(`Review requested from ${BOB.name}`);

  // The notices arrived: Bob was told of his action item and the review request, Ada of the mention and the approval.
  await expect.poll(() => [mailsTo(BOB.email).filter((s) => s.includes(rule)).length, mailsTo(ADMIN.email).filter((s) => s.includes(rule)).length], { timeout: 20_000 }).toEqual([2, 2]);
  expect(mailsTo(ADMIN.email).filter((s) => s.includes(rule)).sort()).toEqual([
    expect.stringMatching(new RegExp(`^bob@example.com approved the postmortem of #\\d+ ${rule}`)),
    expect.stringMatching(new RegExp(`^bob@example.com mentioned ${ADMIN.name} on #\\d+ ${rule}`)),
  ]);
  await expect.poll(() => chat.hits.filter((h) => h.body.includes(`Alert opened draft`) && h.body.includes(rule)).length, { timeout: 20_000 }).toBe(1);
  const walkTally = { ada: { ...ada.tally }, bob: { ...bob.tally } };
  await ada.close();
  await bob.close();
  return { incidentUrl, tally: walkTally };
}

describe("alert → claimed → drafted from facts → reviewed and approved → closed, notified", () => {
  it("with JavaScript: forms post in place, keep the scroll and clear after success", async () => {
    const { tally } = await walk(true, "FraudScoresCollapsedJs");
    console.log(`walk with JavaScript: Ada ${tally.ada.clicks} clicks, ${tally.ada.loads} page loads (${tally.ada.navigations} navigations); Bob ${tally.bob.clicks} clicks, ${tally.bob.loads} page loads`);
  });

  it("without JavaScript: every step works as plain forms and links", async () => {
    const { tally } = await walk(false, "FraudScoresCollapsedNoJs");
    console.log(`walk without JavaScript: Ada ${tally.ada.clicks} clicks, ${tally.ada.loads} page loads; Bob ${tally.bob.clicks} clicks, ${tally.bob.loads} page loads`);
  });
});

describe("editing keeps your place", () => {
  it("asks before deleting (a dialog with JavaScript, a confirmation page without) and before leaving unsaved text", async () => {
    for (const js of [true, false]) {
      const ada = await personPage({ email: ADMIN.email, password: ADMIN.password }, js);
      const { page } = ada;
      await page.goto(`${server.url}/incidents/new`);
      await page.getByLabel("Title").fill(`Edit test ${js ? "js" : "no-js"}`);
      await page.getByLabel("Started (UTC)").fill("2026-05-10T12:00");
      await page.getByRole("button", { name: "Create incident" }).click();
      await page.waitForURL(/\/incidents\/\d+$/);
      const timeline = page.getByRole("form", { name: "Add timeline entry" });
      await timeline.getByLabel("What happened").fill("Typo'd entry");
      await timeline.getByRole("button", { name: "Add to timeline" }).click();
      await shows(page.locator("#timeline table"), "Typo'd entry");
      // Edit it on its own page.
      await page.locator("#timeline").getByRole("link", { name: /^Edit entry/ }).click();
      await page.getByRole("heading", { name: "Edit timeline entry" }).waitFor();
      await page.getByLabel("What happened").fill("Corrected entry");
      await page.getByRole("button", { name: "Save entry" }).click();
      await shows(page.locator("#timeline table"), "Corrected entry");
      if (js) {
        let asked = "";
        page.once("dialog", (d) => ((asked = d.message()), void d.dismiss()));
        await page.locator("#timeline").getByRole("link", { name: "Delete" }).click();
        expect(asked).toMatch(/^Delete the entry of .* The history keeps what it said\.$/);
        expect(await page.locator("#timeline tbody tr").count()).toBe(1);
        page.once("dialog", (d) => void d.accept());
        await page.locator("#timeline").getByRole("link", { name: "Delete" }).click();
      } else {
        await page.locator("#timeline").getByRole("link", { name: "Delete" }).click();
        await page.getByRole("heading", { name: "Delete this timeline entry?" }).waitFor();
        await page.getByRole("button", { name: "Delete entry" }).click();
      }
      await shows(page, "No timeline entries yet.");
      await page.locator("#history summary").click();
      await shows(page.locator("#history"), "Timeline entry deleted");
      expect(await page.locator("#history").textContent()).toContain("“Corrected entry”");

      if (js) {
        // Unsaved postmortem text: leaving through a link asks first; staying keeps the text.
        await page.getByRole("link", { name: "Write postmortem" }).click();
        const editor = page.getByLabel(/Markdown/);
        await editor.fill("## Summary\n\nHalf-written thoughts");
        let warned = "";
        page.once("dialog", (d) => ((warned = d.message()), void d.dismiss()));
        await page.getByRole("link", { name: "← Back to the incident" }).click();
        await expect.poll(() => warned).toContain("unsaved postmortem text");
        expect(page.url()).toMatch(/\/postmortem/);
        expect(await editor.inputValue()).toContain("Half-written thoughts");
      }
      await ada.close();
    }
  });
});
