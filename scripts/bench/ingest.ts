// Usage: npm run bench:ingest -- [--compare] [--seconds 8] [--rounds 3] [--rate 100] [--rate-seconds 10] [--batch 50]
//          [--concurrency 4] [--profile DIR]
// Measures webhook ingest of the built app on a fresh SQLite file: peak alerts/s with `concurrency` requests in
// flight (groups of `batch` new alerts), then response-time percentiles at a fixed `rate` of requests per second.
// --compare also starts Prometheus Alertmanager (its own POST /api/v2/alerts, a receiver that drops notifications)
// and a bare node:http + better-sqlite3 store (scripts/bench/bare-store.ts), each on fresh state, drives all three
// with the same generator in alternating rounds, and prints the ratios. --profile writes the app's CPU profile.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../db/client";
import { createToken } from "../../app/domain/tokens.server";
import { startAlertmanagerProcess } from "../lib/alertmanager-process";
import { alertmanagerMissing } from "../lib/tools";
import { startAppProcess, startListeningScript } from "../lib/app-process";
import { fail, parseCli } from "../lib/cli";
import { percentile } from "./lib";

const USAGE =
  "Usage: npm run bench:ingest -- [--compare] [--seconds 8] [--rounds 3] [--rate 100] [--rate-seconds 10] [--batch 50] [--concurrency 4] [--profile DIR]";
const args = parseCli(USAGE, {
  compare: { type: "boolean", default: false },
  seconds: { type: "string", default: "8" },
  rounds: { type: "string", default: "3" },
  rate: { type: "string", default: "100" },
  "rate-seconds": { type: "string", default: "10" },
  batch: { type: "string", default: "50" },
  concurrency: { type: "string", default: "4" },
  profile: { type: "string" },
});
const [seconds, rounds, rate, rateSeconds, batch, concurrency] = [args.seconds, args.rounds, args.rate, args["rate-seconds"], args.batch, args.concurrency].map(Number);
if (![seconds, rounds, rate, rateSeconds, batch, concurrency].every((n) => Number.isFinite(n) && n > 0)) fail(USAGE, 2);
if (args.compare && alertmanagerMissing()) fail(`--compare needs Alertmanager: ${alertmanagerMissing()}`);

/** One alert as Prometheus posts it to Alertmanager; the webhook targets get the same alerts in a group. */
type Alert = { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL: string };

type Target = {
  name: string;
  url: string;
  /** A server-rendered page of the same process, fetched now and then during peak rounds (Faultline only). */
  page?: string;
  headers: Record<string, string>;
  /** The request body carrying these alerts, as this target takes them. */
  body: (alerts: Alert[], group: { rule: string; model: string }) => string;
  pid: number;
  stop: () => Promise<void>;
};

/** CPU seconds a process has used so far (user + system, all its threads), from /proc; NaN where there is none. */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const RULES = ["FeatureFreshnessLag", "PredictionDriftHigh", "ServingLatencyP99High", "TrainingLossNaN", "LabelJoinRateLow"];
const MODELS = ["ranking", "fraud-scoring", "search-embeddings", "ads-ctr"];
let seq = 0;

/** A group of `batch` new firing alerts (a unique `shard` label, so every alert is a real write everywhere). */
function group() {
  const n = seq++;
  const rule = RULES[n % RULES.length];
  const model = MODELS[n % MODELS.length];
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const alerts: Alert[] = Array.from({ length: batch }, (_, i) => ({
    labels: { alertname: rule, model, model_version: `v${n % 7}`, severity: "warning", team: "ml-platform", shard: `${n}-${i}` },
    annotations: { summary: `${rule} on ${model}` },
    startsAt,
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.local/graph",
  }));
  return { alerts, rule, model, n };
}

/** Alertmanager's webhook body (version 4) for a group, with the fingerprints Alertmanager would add. */
function webhookBody(alerts: Alert[], g: { rule: string; model: string }): string {
  return JSON.stringify({
    version: "4",
    groupKey: `{}:{alertname="${g.rule}", model="${g.model}"}`,
    status: "firing",
    receiver: "faultline",
    groupLabels: { alertname: g.rule, model: g.model },
    commonLabels: { alertname: g.rule, model: g.model },
    commonAnnotations: {},
    externalURL: "http://alertmanager.local",
    truncatedAlerts: 0,
    alerts: alerts.map((a) => ({ status: "firing", ...a, fingerprint: a.labels.shard })),
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Sends a request and resolves with its response time in ms; anything but a 2xx stops the bench. */
function timed(url: string, options: http.RequestOptions, body?: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        if (!res.statusCode || res.statusCode >= 300) reject(new Error(`${url} answered ${res.statusCode}: ${Buffer.concat(chunks)}`));
        else resolve(performance.now() - t0);
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

function send(target: Target): Promise<number> {
  const g = group();
  return timed(target.url, { method: "POST", headers: { "Content-Type": "application/json", ...target.headers } }, target.body(g.alerts, g));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-bench-"));

async function startFaultline(): Promise<Target> {
  const dbFile = path.join(dir, "faultline.db");
  const db = openDatabase(dbFile);
  const { secret } = createToken(db, { name: "bench", scope: "webhook" }, { id: null, label: "bench" });
  db.$client.close();
  const nodeArgs = args.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args.profile)}`] : [];
  const app = await startAppProcess(dbFile, { LOG_LEVEL: process.env.LOG_LEVEL ?? "info" }, { nodeArgs });
  return { name: "faultline", url: `${app.url}/api/webhooks/alertmanager`, page: `${app.url}/setup`, headers: { Authorization: `Bearer ${secret}` }, body: webhookBody, pid: app.process.pid!, stop: app.stop };
}

async function startBareStore(): Promise<Target> {
  const store = await startListeningScript("scripts/bench/bare-store.ts", { args: [path.join(dir, "bare.db")] });
  return { name: "bare store", url: `${store.url}/`, headers: {}, body: webhookBody, pid: store.process.pid!, stop: store.stop };
}

async function startAlertmanager(): Promise<Target> {
  // A receiver without integrations: Alertmanager groups and tracks every alert but sends nothing.
  const am = await startAlertmanagerProcess(`
route:
  receiver: drop
  group_by: ['alertname', 'model']
receivers:
  - name: drop
`);
  return { name: "alertmanager", url: `${am.url}/api/v2/alerts`, headers: {}, body: (alerts) => JSON.stringify(alerts), pid: am.pid, stop: am.stop };
}

type Totals = { requests: number; seconds: number; cpu: number; latencies: number[]; pages: number[] };

/** `concurrency` senders posting new groups back to back for `seconds`. */
async function peakRound(target: Target, into: Totals): Promise<void> {
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const cpu0 = cpuSeconds(target.pid);
  const senders = Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      into.latencies.push(await send(target));
      into.requests++;
    }
  });
  // What a person opening a page meanwhile waits: one page every 100 ms, alongside the senders.
  const { page } = target;
  const reader = page
    ? (async () => {
        while (performance.now() < end) {
          into.pages.push(await timed(page, { method: "GET" }));
          await new Promise((r) => setTimeout(r, 100));
        }
      })()
    : undefined;
  await Promise.all([...senders, reader]);
  into.seconds += (performance.now() - t0) / 1000;
  into.cpu += cpuSeconds(target.pid) - cpu0;
}

/** Requests started on a fixed schedule of `rate` per second (not waiting for answers), for `rateSeconds`. */
async function fixedRate(target: Target): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < rate * rateSeconds; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(target).then((ms) => void latencies.push(ms)));
  }
  await Promise.all(pending);
  return latencies.sort((a, b) => a - b);
}

const ms = (sorted: number[], p: number) => `${percentile(sorted, p).toFixed(1)} ms`;

const targets: Target[] = [];
try {
  targets.push(await startFaultline());
  if (args.compare) targets.push(await startAlertmanager(), await startBareStore());
  const totals = new Map(targets.map((t) => [t, { requests: 0, seconds: 0, cpu: 0, latencies: [], pages: [] } as Totals]));
  // Warm up JIT and caches, then alternate rounds so drift in the machine's load touches every target alike.
  for (const t of targets) for (let i = 0; i < 50; i++) await send(t);
  console.log(`peak: ${batch} new alerts per request, ${concurrency} in flight, ${rounds} alternating rounds of ${seconds} s per target`);
  for (let r = 0; r < rounds; r++) for (const t of targets) await peakRound(t, totals.get(t)!);
  const rates = new Map<Target, number>();
  for (const [t, s] of totals) {
    const perSecond = (s.requests * batch) / s.seconds;
    rates.set(t, perSecond);
    s.latencies.sort((a, b) => a - b);
    // CPU time per request is steadier than wall time on a machine others load too.
    const cpuPerRequest = ((s.cpu / s.requests) * 1000).toFixed(2);
    console.log(
      `  ${t.name.padEnd(12)} ${Math.round(perSecond).toLocaleString("en-US").padStart(7)} alerts/s  p50 ${ms(s.latencies, 50)}  p99 ${ms(s.latencies, 99)}  (${s.requests} requests, ${cpuPerRequest} CPU ms each)`,
    );
    s.pages.sort((a, b) => a - b);
    if (t.page) console.log(`  ${"".padEnd(12)} meanwhile GET ${new URL(t.page).pathname}: p50 ${ms(s.pages, 50)}  p99 ${ms(s.pages, 99)}  (${s.pages.length} pages)`);
  }
  if (args.compare) {
    const [app, am, bare] = targets.map((t) => rates.get(t)!);
    console.log(`  faultline / alertmanager = ${(app / am).toFixed(2)}x (target >= 1.0x); faultline / bare store = ${(app / bare).toFixed(2)}x (target >= 0.5x)`);
  }
  console.log(`fixed rate: ${rate} req/s x ${batch} alerts for ${rateSeconds} s`);
  for (const t of targets) {
    const l = await fixedRate(t);
    console.log(`  ${t.name.padEnd(12)} p50 ${ms(l, 50)}  p90 ${ms(l, 90)}  p99 ${ms(l, 99)}  max ${l[l.length - 1].toFixed(1)} ms${t === targets[0] ? " (target p99 < 50 ms)" : ""}`);
  }
} finally {
  await Promise.all(targets.map((t) => t.stop()));
  agent.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}
