// Usage: npm run bench:ingest -- [--seconds 10] [--rate 100] [--batch 50] [--concurrency 4]
// Starts the built app on a fresh SQLite file, then measures webhook ingest: peak alerts/s with `concurrency`
// requests in flight, and response-time percentiles at a fixed `rate` of requests per second.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../../db/client";
import { createToken } from "../../app/domain/tokens.server";
import { startAppProcess } from "../lib/app-process";
import { percentile } from "./lib";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    rate: { type: "string", default: "100" },
    batch: { type: "string", default: "50" },
    concurrency: { type: "string", default: "4" },
  },
});
const seconds = Number(args.seconds);
const rate = Number(args.rate);
const batch = Number(args.batch);
const concurrency = Number(args.concurrency);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-bench-"));
const dbFile = path.join(dir, "bench.db");
const db = openDatabase(dbFile);
const { secret } = createToken(db, { name: "bench", scope: "webhook" }, { id: null, label: "bench" });
db.$client.close();
const app = await startAppProcess(dbFile);

let seq = 0;
const RULES = ["FeatureFreshnessLag", "PredictionDriftHigh", "ServingLatencyP99High", "TrainingLossNaN", "LabelJoinRateLow"];
const MODELS = ["ranking", "fraud-scoring", "search-embeddings", "ads-ctr"];

/** An Alertmanager group of `batch` new firing alerts (new fingerprints, so every alert is a real write). */
function payload(): string {
  const n = seq++;
  const rule = RULES[n % RULES.length];
  const model = MODELS[n % MODELS.length];
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  return JSON.stringify({
    version: "4",
    groupKey: `{}:{alertname="${rule}", model="${model}"}`,
    status: "firing",
    receiver: "faultline",
    groupLabels: { alertname: rule, model },
    commonLabels: { alertname: rule, model },
    commonAnnotations: {},
    externalURL: "http://alertmanager.local",
    truncatedAlerts: 0,
    alerts: Array.from({ length: batch }, (_, i) => ({
      status: "firing",
      labels: { alertname: rule, model, model_version: `v${n % 7}`, severity: "warning", team: "ml-platform", shard: `${n}-${i}` },
      annotations: { summary: `${rule} on ${model}` },
      startsAt,
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus.local/graph",
      fingerprint: (n * batch + i).toString(16).padStart(16, "0"),
    })),
  });
}

async function send(body: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${app.url}/api/webhooks/alertmanager`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${secret}` },
    body,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
  return performance.now() - t0;
}

try {
  // Warm up JIT and caches.
  for (let i = 0; i < 20; i++) await send(payload());

  // 1. Peak throughput.
  let requests = 0;
  const peakEnd = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < peakEnd) {
        await send(payload());
        requests++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  console.log(`peak: ${requests} requests x ${batch} alerts in ${elapsed.toFixed(1)} s = ${Math.round((requests * batch) / elapsed)} alerts/s (${concurrency} in flight)`);

  // 2. Latency at a fixed rate.
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const total = rate * seconds;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const body = payload();
    pending.push(send(body).then((ms) => void latencies.push(ms)));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  console.log(
    `at ${rate} req/s x ${batch} alerts for ${seconds} s: p50 ${percentile(latencies, 50).toFixed(1)} ms, p90 ${percentile(latencies, 90).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`,
  );
} finally {
  await app.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
