import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type RunningServer = {
  url: string;
  dir: string;
  dbFile: string;
  process: ChildProcess;
  /** Graceful stop (SIGTERM); the data folder stays for `restart`. */
  stop: () => Promise<void>;
  /** Removes the data folder after stopping. */
  dispose: () => Promise<void>;
};

/**
 * Starts the built app (`npm run build` first) as `npm start` would, on a fresh SQLite file and a free port.
 * Pass `dir` to reuse a data folder from an earlier run.
 */
export async function startServer(opts: { dir?: string; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "faultline-test-"));
  const dbFile = path.join(dir, "faultline.db");
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/server.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_ENV: "production", DATABASE_URL: dbFile, PORT: "0", HOST: "127.0.0.1", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return {
    url,
    dir,
    dbFile,
    process: child,
    stop,
    dispose: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
