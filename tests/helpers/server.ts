import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startAppProcess } from "../../scripts/lib/app-process";
import { rememberSetupCode } from "./http";

export type RunningServer = {
  url: string;
  dir: string;
  dbFile: string;
  process: ChildProcess;
  /** What the server printed before it listened (a new install's setup code). */
  startupOutput: string;
  /** Graceful stop (SIGTERM); the data folder stays for a restart with `dir`. */
  stop: () => Promise<void>;
  /** Stops and removes the data folder. */
  dispose: () => Promise<void>;
};

/** Starts the built app on a fresh SQLite file in its own folder (or on the folder `dir` of an earlier run). */
export async function startServer(opts: { dir?: string; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "faultline-test-"));
  const dbFile = path.join(dir, "faultline.db");
  const app = await startAppProcess(dbFile, opts.env);
  rememberSetupCode(app.url, app.startupOutput);
  return {
    ...app,
    dir,
    dbFile,
    dispose: async () => {
      await app.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
