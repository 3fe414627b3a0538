// Usage: tsx scripts/check-test-tools.ts   (run by `npm test` first)
// Stops the test run at once, with one line naming what to install, when a tool the browser tests need is missing.
// Alertmanager is optional: without it only the real-Alertmanager test is skipped, and it says so.
import { alertmanagerMissing, chromiumMissing } from "./lib/tools";
import { fail } from "./lib/cli";

const chromium = chromiumMissing();
if (chromium) fail(`npm test: ${chromium}`);
const alertmanager = alertmanagerMissing();
if (alertmanager) process.stderr.write(`npm test: the real-Alertmanager test will be skipped: ${alertmanager}\n`);
