import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_PATH } from "../../scripts/lib/tools";

/** Debian's Chromium, headless, with the background traffic a closed network refuses turned off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
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
