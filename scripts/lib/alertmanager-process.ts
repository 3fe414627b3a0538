import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ALERTMANAGER_PATH } from "./tools";

export type AlertmanagerProcess = { url: string; pid: number; stop: () => Promise<void> };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/**
 * Starts Debian's prometheus-alertmanager on loopback with `config` (YAML), clustering off and its own data
 * folder in a temp directory, and resolves once it is ready. Used by the tests and the ingest bench.
 */
export async function startAlertmanagerProcess(config: string): Promise<AlertmanagerProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-am-"));
  fs.writeFileSync(path.join(dir, "alertmanager.yml"), config);
  const port = await freePort();
  const child = spawn(
    ALERTMANAGER_PATH,
    [
      `--config.file=${path.join(dir, "alertmanager.yml")}`,
      `--storage.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited: ${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`alertmanager not ready in 20 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
