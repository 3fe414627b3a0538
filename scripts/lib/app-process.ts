import { spawn, type ChildProcess } from "node:child_process";

/** `startupOutput`: what it printed up to "listening" (e.g. a new install's setup code). */
export type AppProcess = { url: string; startupOutput: string; process: ChildProcess; stop: () => Promise<void> };

/**
 * Runs a TypeScript script under tsx (`nodeArgs` before it, e.g. --cpu-prof) and resolves with its URL once it
 * prints "listening on http://host:port". Its later output is left for callers to read from `process`. `cwd` is the
 * checkout to run it in (another one, built, to compare against).
 */
export async function startListeningScript(
  script: string,
  opts: { args?: string[]; env?: Record<string, string>; nodeArgs?: string[]; cwd?: string } = {},
): Promise<AppProcess> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), "--import", "tsx", script, ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const onData = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 20 s:\n${output}`)), 20_000);
    const check = () => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
  });
  // Keep draining the pipes (a full pipe would block the child) without holding its output in memory.
  child.stdout!.removeAllListeners("data").resume();
  child.stderr!.removeAllListeners("data").resume();
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    url,
    startupOutput: output,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * Starts the built app (`npm run build` first) as `npm start` would, on `dbFile` and a free loopback port,
 * and resolves once it listens. Used by the tests and the benchmarks.
 */
export function startAppProcess(
  dbFile: string,
  env: Record<string, string> = {},
  opts: { nodeArgs?: string[]; cwd?: string } = {},
): Promise<AppProcess> {
  return startListeningScript("scripts/server.ts", {
    env: { NODE_ENV: "production", DATABASE_URL: dbFile, PORT: "0", HOST: "127.0.0.1", ...env },
    ...opts,
  });
}
