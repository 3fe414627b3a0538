import fs from "node:fs";

/** The outside programs tests and benches drive: Debian's packages, or wherever these variables point. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ALERTMANAGER_PATH = process.env.ALERTMANAGER_PATH ?? "/usr/bin/prometheus-alertmanager";

/** `problem` when `file` is not an executable, else null. */
function unlessExecutable(file: string, problem: string): string | null {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return null;
  } catch {
    return problem;
  }
}

/** What to install for the browser tests (one line), or null when Chromium is there. */
export const chromiumMissing = () =>
  unlessExecutable(CHROMIUM_PATH, `browser tests need Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`);

/** Why Alertmanager cannot run here (one line), or null when it can. */
export const alertmanagerMissing = () =>
  unlessExecutable(ALERTMANAGER_PATH, `${ALERTMANAGER_PATH} not found: install prometheus-alertmanager (apt-get install prometheus-alertmanager) or set ALERTMANAGER_PATH`);
