import { chromium, type Browser, type Page } from "playwright-core";
import { ADMIN } from "./http";

/** Debian's Chromium, headless, with the background traffic a closed network refuses turned off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** A new browser context signed in as `who` (the setup admin by default), on the incidents page. */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  opts: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number }; who?: { email: string; password: string } } = {},
): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: opts.javaScriptEnabled ?? true, viewport: opts.viewport });
  const page = await context.newPage();
  const who = opts.who ?? ADMIN;
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
  return page;
}
