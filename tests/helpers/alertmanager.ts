import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export type RunningAlertmanager = { url: string; stop: () => Promise<void> };

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
 * Starts Debian's prometheus-alertmanager on loopback with clustering off and its own storage, routing every
 * alert to one webhook receiver. Short group timings keep the test quick.
 */
export async function startAlertmanager(opts: { webhookUrl: string; token: string; repeatInterval?: string }): Promise<RunningAlertmanager> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-am-"));
  const config = `
route:
  receiver: faultline
  group_by: ['alertname', 'model']
  group_wait: 1s
  group_interval: 2s
  repeat_interval: ${opts.repeatInterval ?? "1h"}
receivers:
  - name: faultline
    webhook_configs:
      - url: '${opts.webhookUrl}'
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: '${opts.token}'
`;
  fs.writeFileSync(path.join(dir, "alertmanager.yml"), config);
  const port = await freePort();
  const bin = process.env.ALERTMANAGER_PATH ?? "/usr/bin/prometheus-alertmanager";
  const child: ChildProcess = spawn(
    bin,
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
  child.stdout!.on("data", (c) => (output += c));
  child.stderr!.on("data", (c) => (output += c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited: ${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`alertmanager not ready in 20 s: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Injects alerts through Alertmanager's API v2, as Prometheus would. */
export async function postAlerts(amUrl: string, alerts: unknown[]): Promise<void> {
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(alerts),
  });
  if (!res.ok) throw new Error(`alertmanager refused alerts: ${res.status} ${await res.text()}`);
}
