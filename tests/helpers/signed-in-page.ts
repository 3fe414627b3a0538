import type { Browser, Page } from "playwright-core";
import { ADMIN } from "./http";

/** A new browser context signed in as the setup admin, on the incidents page. */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  opts: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: opts.javaScriptEnabled ?? true, viewport: opts.viewport });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
  return page;
}
