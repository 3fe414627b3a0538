import { spawn, type ChildProcess } from "node:child_process";

export type AppProcess = { url: string; process: ChildProcess; stop: () => Promise<void> };

/**
 * Starts the built app (`npm run build` first) as `npm start` would, on `dbFile` and a free loopback port,
 * and resolves once it listens; `cwd` is the checkout to run (another one, built, to compare against).
 * Used by the tests and the benchmarks.
 */
export async function startAppProcess(dbFile: string, env: Record<string, string> = {}, cwd = process.cwd()): Promise<AppProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/server.ts"], {
    cwd,
    env: { ...process.env, NODE_ENV: "production", DATABASE_URL: dbFile, PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start in 20 s:\n${output}`)), 20_000);
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
      reject(new Error(`app exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    url,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
