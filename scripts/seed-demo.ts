// Usage: npm run seed -- [--db PATH] [--incidents N] [--alerts M] [--seed S] [--reset]
// Fills a SQLite database (default DATABASE_URL or ./data/faultline.db) with a deterministic demo set of ML
// production incidents, models, alerts and postmortems. Defaults: 150 incidents over 18 months, 2,000 alerts, seed 42.
// Refuses to touch a database that already holds incidents, alerts or models unless --reset is given; --reset
// deletes those (and the incident audit entries) but keeps users, sessions and API tokens.
import crypto from "node:crypto";
import { databasePath, openDatabase, type Db } from "../db/client";
import { LIFECYCLE_STAGES, SEVERITIES, TRIGGERS } from "../db/schema";
import { recomputeAllRepeats, syncIncidentClassColumns } from "../app/domain/repeats.server";
import { loadTaxonomy, syncTaxonomy } from "../app/domain/taxonomy.server";
import { listTemplates } from "../app/utils/content.server";
import { hashPassword } from "../app/utils/password.server";
import { Progress, fail, parseCli } from "./lib/cli";

const USAGE = "Usage: npm run seed -- [--db PATH] [--incidents N] [--alerts M] [--seed S] [--reset]";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WINDOW = 548 * DAY; // 18 months
const BATCH_INCIDENTS = 1_000; // ~20 rows each with their children
const BATCH_ALERTS = 10_000;
const DEMO_PASSWORD = "faultline-demo";

type Trigger = (typeof TRIGGERS)[number];
type Stage = (typeof LIFECYCLE_STAGES)[number];
type Severity = (typeof SEVERITIES)[number];
type Status = "draft" | "investigating" | "mitigated" | "resolved" | "in_review" | "closed";
type Detection = "alert" | "user_report" | "dashboard" | "test" | "other";

// ---------------------------------------------------------------------------------------------------------------
// Arguments

type Options = { db: string; incidents: number; alerts: number; seed: number; seedLabel: string; reset: boolean };


function parseOptions(argv: string[]): Options {
  const values = parseCli(
    USAGE,
    {
      db: { type: "string" },
      incidents: { type: "string" },
      alerts: { type: "string" },
      seed: { type: "string" },
      reset: { type: "boolean", default: false },
    },
    argv,
  );
  const count = (name: string, raw: string | undefined, dflt: number): number => {
    if (raw === undefined) return dflt;
    if (!/^\d+$/.test(raw.replaceAll("_", ""))) fail(`--${name} must be a whole number, got "${raw}"\n${USAGE}`, 2);
    return Number(raw.replaceAll("_", ""));
  };
  const seedLabel = values.seed ?? "42";
  // Numeric seeds are used as given; any other text is hashed (FNV-1a) so "--seed demo" works too.
  let seed: number;
  if (/^\d+$/.test(seedLabel)) seed = Number(BigInt(seedLabel) & 0xffffffffn);
  else {
    seed = 0x811c9dc5;
    for (const ch of seedLabel) seed = Math.imul(seed ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  }
  return {
    db: values.db ?? databasePath(),
    incidents: count("incidents", values.incidents, 150),
    alerts: count("alerts", values.alerts, 2_000),
    seed,
    seedLabel,
    reset: values.reset ?? false,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32): the same --seed gives the same data, relative to the moment of the run.

class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    let t = (this.a = (this.a + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uint32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  range(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }
  /** Picks from [value, weight] pairs. */
  table<T>(pairs: readonly (readonly [T, number])[]): T {
    return this.weighted(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    );
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Log-normal duration in ms around `median`, clamped to [lo, hi]. */
  duration(median: number, sigma: number, lo: number, hi: number): number {
    return Math.round(Math.min(hi, Math.max(lo, median * Math.exp(sigma * this.normal()))));
  }
  hex(chars: number): string {
    let s = "";
    while (s.length < chars) s += this.uint32().toString(16).padStart(8, "0");
    return s.slice(0, chars);
  }
}

/** A bijection on 32-bit integers (so distinct inputs give distinct outputs): keeps fingerprints unique. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

function fmt(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
const iso = (ms: number) => new Date(ms).toISOString();
const utcMinute = (ms: number) => iso(ms).slice(0, 16).replace("T", " ");

// ---------------------------------------------------------------------------------------------------------------
// Progress on stderr: one line rewritten in place, only on a terminal (logs and CI stay tidy).


// ---------------------------------------------------------------------------------------------------------------
// The demo world: models, teams, and the words incidents are made of.

type ModelSpec = {
  name: string;
  team: string;
  description: string;
  features: string[];
  tables: string[];
  slices: string[];
  metric: string;
  product: string;
};

const MODELS: ModelSpec[] = [
  {
    name: "ranking",
    team: "feed-ranking",
    description: "Orders candidate items for the home feed (gradient-boosted trees over 400 features).",
    features: ["session_clicks_30m", "item_ctr_7d", "user_embedding", "dwell_time_p50"],
    tables: ["events.feed_impressions", "events.clicks_daily"],
    slices: ["new users", "Android users", "non-English locales"],
    metric: "NDCG@10",
    product: "home feed",
  },
  {
    name: "fraud-scoring",
    team: "risk-ml",
    description: "Scores every card payment at checkout; the score feeds the block/review/allow rules.",
    features: ["merchant_txn_count_7d", "card_country_mismatch", "amount_zscore", "device_fingerprint_age"],
    tables: ["payments.txn_enriched", "risk.chargebacks"],
    slices: ["small merchants", "cross-border payments", "first-time buyers"],
    metric: "fraud catch rate",
    product: "checkout",
  },
  {
    name: "search-embeddings",
    team: "search",
    description: "Dual encoder for queries and catalog items; the item side is indexed nightly in the vector index.",
    features: ["query_embedding", "doc_embedding", "query_len", "click_position"],
    tables: ["search.query_log", "catalog.items_v3"],
    slices: ["long-tail queries", "non-English queries", "misspelled queries"],
    metric: "recall@50",
    product: "search",
  },
  {
    name: "ads-ctr",
    team: "ads-ml",
    description: "Predicts click-through for ad auctions; calibration matters as much as ranking.",
    features: ["ad_ctr_prior", "advertiser_id_hash", "placement", "hour_of_week"],
    tables: ["ads.impressions_hourly", "ads.conversions"],
    slices: ["new advertisers", "video placements", "mobile web"],
    metric: "calibrated CTR",
    product: "ads auction",
  },
  {
    name: "eta-prediction",
    team: "logistics-ml",
    description: "Estimates delivery arrival times shown to customers and used for courier dispatch.",
    features: ["driver_eta_hist", "geo_h3_cell", "traffic_speed", "pickup_wait_p90"],
    tables: ["logistics.trips_completed", "maps.traffic_5m"],
    slices: ["rural deliveries", "airport pickups", "rainy evenings"],
    metric: "ETA MAE",
    product: "delivery app",
  },
  {
    name: "support-llm",
    team: "support-ai",
    description: "Fine-tuned LLM with retrieval that drafts replies to customer support tickets.",
    features: ["ticket_text", "retrieved_docs", "customer_tier", "conversation_turns"],
    tables: ["support.tickets", "kb.article_chunks"],
    slices: ["Portuguese tickets", "billing disputes", "enterprise customers"],
    metric: "resolution rate",
    product: "support assistant",
  },
  {
    name: "recsys-candidate",
    team: "recommendations",
    description: "Two-tower candidate generator feeding the ranking model with ~500 items per request.",
    features: ["item_embedding", "co_view_counts", "item_age_days", "user_history_len"],
    tables: ["events.item_views", "catalog.items_v3"],
    slices: ["new items", "cold-start users", "niche categories"],
    metric: "candidate recall",
    product: "recommendations",
  },
  {
    name: "content-moderation",
    team: "trust-safety",
    description: "Multimodal classifier that routes user posts to auto-removal, human review or publish.",
    features: ["image_embedding", "text_toxicity", "account_age_days", "report_count"],
    tables: ["trust.reports", "trust.review_decisions"],
    slices: ["non-English posts", "satire accounts", "live streams"],
    metric: "precision at policy threshold",
    product: "moderation queue",
  },
];
const PLATFORM_TEAMS = { data: "data-platform", infra: "ml-infra" };
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const VENDORS = ["geocoding API", "payments processor", "translation API", "LLM provider", "maps traffic feed", "identity verification API"];
const STORES = ["online feature store", "Redis feature cache", "vector index", "Bigtable feature table", "model registry"];
const JOBS = ["nightly retrain", "feature backfill", "embedding refresh", "label join", "hourly feature export"];
const PEOPLE = ["a.kim", "j.okafor", "m.rossi", "s.patel", "l.chen", "r.garcia", "n.ivanova", "t.nguyen", "e.schmidt", "k.mensah"];

// Titles (several per subclass) and one cause sentence. Placeholders: {model} {team} {feature} {table} {region}
// {vendor} {store} {job} {slice} {metric} {product} {pct} {n} {other} {otherTeam}.
type Story = { titles: string[]; cause: string };
const STORIES: Record<string, Story> = {
  "orchestration.scheduler-error": {
    titles: ["Scheduler skipped {model} {job} after DAG upgrade", "Airflow backfill launched duplicate {model} training runs", "Cron drift ran {model} {job} before upstream data landed"],
    cause: "A scheduling error in the pipeline orchestrator meant the {job} for {model} did not run as intended, so serving kept a snapshot {n} days old.",
  },
  "orchestration.work-assignment": {
    titles: ["{model} training shards assigned to a drained cluster", "Uneven work split left {model} {job} half done in {region}"],
    cause: "Work for {model} was assigned to machines that could not run it, so part of the {job} silently never completed.",
  },
  "orchestration.cache-invalidation": {
    titles: ["Stale prediction cache kept serving old {model} scores", "{model} feature cache not invalidated after snapshot swap"],
    cause: "A cache in front of {model} was not invalidated when a new snapshot went live, so requests mixed old and new state.",
  },
  "orchestration.test-in-prod": {
    titles: ["Load-test traffic leaked into {model} production logs", "Integration test job overwrote {model} registry entry"],
    cause: "A test job pointed at production resources and wrote into data that {model} trains or serves from.",
  },
  "capacity.overloaded-backend": {
    titles: ["{store} overloaded during {model} traffic peak", "Retry storm timed out {model} feature lookups in {region}"],
    cause: "The {store} behind {model} ran out of headroom at peak, and client retries multiplied the load.",
  },
  "capacity.unprovisioned": {
    titles: ["{model} retrain stuck waiting for GPU quota", "{model} autoscaler hit max replicas in {region}"],
    cause: "Capacity {model} needed had never been provisioned, so work queued until someone raised the quota by hand.",
  },
  "capacity.latency-slo": {
    titles: ["{model} p99 latency breached SLO in {region}", "Slow {feature} lookups pushed {model} past its latency budget"],
    cause: "Serving latency for {model} rose past its SLO and callers fell back to defaults for part of the traffic.",
  },
  "capacity.accelerator-fault": {
    titles: ["GPU ECC errors stalled {model} training", "Faulty GPU host caused NCCL timeouts in {model} training", "HBM errors on inference nodes degraded {model} serving"],
    cause: "A faulty accelerator host ({region}) kept failing collective operations, and the job restarted from checkpoints again and again.",
  },
  "capacity.cpu-network-storage": {
    titles: ["Disk full on {model} feature export workers", "Network partition in {region} cut {model} off from the {store}"],
    cause: "A plain CPU, network or storage limit stopped the {model} pipeline; nothing about the model itself was wrong.",
  },
  "change.binary-push": {
    titles: ["{model} server release broke request parsing", "Serving binary upgrade doubled {model} error rate", "Library bump in {model} image changed float rounding"],
    cause: "A new serving binary for {model} shipped a change that the tests did not exercise on production traffic.",
  },
  "change.config-push": {
    titles: ["Config push changed {model} score threshold without canary", "Feature flag sent all traffic to untested {model} variant", "Out-of-order config push paired {model} with the wrong feature set"],
    cause: "A configuration change for {model} went to every region at once instead of through the canary.",
  },
  "change.env-mismatch": {
    titles: ["{model} behaves differently in prod: library version mismatch", "CUDA driver mismatch between staging and prod broke {model} inference"],
    cause: "Production ran a different environment from staging, so a change that passed there failed for {model} in production.",
  },
  "change.failed-rollback": {
    titles: ["Rollback of {model} failed: previous artifact garbage-collected", "{model} rollback restored the wrong config bundle"],
    cause: "The first mitigation, a rollback of {model}, did not work because the previous version could not be restored cleanly.",
  },
  "dependency.late-join": {
    titles: ["Late {table} partition delayed {model} training", "Upstream join finished late, {model} trained on a partial day"],
    cause: "An upstream partition of {table} arrived hours late and the {job} ran on what was there.",
  },
  "dependency.source-moved": {
    titles: ["{table} moved to a new bucket, {model} pipeline read nothing", "Service account lost read access to {table}, {model} features empty"],
    cause: "An upstream source for {model} moved or its permissions changed, and the pipeline read an empty input without failing.",
  },
  "dependency.schema-break": {
    titles: ["Upstream column rename in {table} broke {model} features", "Type change in {table} turned {feature} into strings"],
    cause: "The producer of {table} changed its schema without notice, and the {model} feature job mis-parsed {feature}.",
  },
  "dependency.third-party-change": {
    titles: ["{vendor} changed its response format, {model} inputs degraded", "{vendor} rate limits throttled {model} enrichment"],
    cause: "The {vendor} that {model} depends on changed behaviour on its side without a version bump.",
  },
  "software.wrong-invariant": {
    titles: ["Assertion in {model} feature builder crashed on empty batch", "Off-by-one in {model} time-window aggregation"],
    cause: "Code around {model} assumed an invariant that production data broke, an ordinary software defect.",
  },
  "software.inefficient-structure": {
    titles: ["Quadratic dedup step slowed {model} pipeline to a crawl", "{model} candidate lookup scanned the full index per request"],
    cause: "An inefficient data structure in the {model} path held up while data was small and collapsed when it grew.",
  },
  "software.contract-misuse": {
    titles: ["Client sent raw {feature} to {model} instead of normalized values", "Downstream service read {model} scores as probabilities"],
    cause: "A caller of {model} used its interface in a way the contract did not allow, and nothing validated it.",
  },
  "data.corruption": {
    titles: ["Null features in {model} training partition", "Swapped columns in {table} corrupted {model} features", "Partial write left {model} snapshot with {pct}% of rows"],
    cause: "Part of the data {model} trained on was corrupt ({feature} null or misplaced) while the schema still looked valid.",
  },
  "data.natural-drift": {
    titles: ["Seasonal shift degraded {model} predictions", "Holiday traffic drifted {feature} for {model}"],
    cause: "Real-world behaviour moved away from the training window of {model}, and {metric} slid over several days.",
  },
  "data.unnatural-drift": {
    titles: ["Bot traffic skewed {model} inputs", "Product redesign changed {feature} distribution for {model}", "Coordinated abuse shifted {model} score distribution"],
    cause: "A product change or adversary altered the inputs of {model} ({feature}) faster than retraining could follow.",
  },
  "data.edge-cases": {
    titles: ["Oversized inputs OOM-killed {model} servers", "{model} returned empty results for {slice}"],
    cause: "Rare inputs from {slice} that training barely covered hit a path {model} handled badly.",
  },
  "labels.delay": {
    titles: ["Delayed labels made {model} train on unconverted examples", "Label pipeline lag left {model} evaluation set {n} days stale"],
    cause: "Labels for {model} arrived later than the training job assumed, so recent positives were treated as negatives.",
  },
  "labels.mislabeled": {
    titles: ["Flipped labels in {model} training data after vendor relabel", "Annotation guideline change mislabeled {slice} for {model}"],
    cause: "A batch of labels for {model} was wrong, which the loss curve did not reveal.",
  },
  "labels.example-selection": {
    titles: ["Unjoined examples trained as negatives in {model}", "Sampling bug skipped a day of examples in {model} training"],
    cause: "The example-selection step for {model} dropped, duplicated or mislabeled a subset of traffic before training.",
  },
  "labels.leakage": {
    titles: ["Target leakage inflated {model} offline metrics", "Future-dated {feature} leaked into {model} training"],
    cause: "A feature available only after the outcome leaked into {model} training, so offline {metric} overstated real quality.",
  },
  "training.hyperparameter-change": {
    titles: ["Learning-rate change mid-run destabilized {model} training", "Batch size change in flight degraded {model} convergence"],
    cause: "A hyperparameter of {model} changed during a continuous training run without a fresh baseline.",
  },
  "training.divergence": {
    titles: ["{model} training loss went NaN after warmup", "Exploding gradients diverged {model} retrain"],
    cause: "Training of {model} diverged and the pipeline exported a checkpoint taken after the loss spike.",
  },
  "training.architecture-bug": {
    titles: ["Shape mismatch silently broadcast in {model} attention layer", "Embedding table size bug truncated {model} vocabulary"],
    cause: "A bug in the {model} architecture trained without errors but computed something other than intended.",
  },
  "training.non-determinism": {
    titles: ["Non-deterministic {model} retrains failed reproducibility check", "Unseeded shuffling made {model} A/B results irreproducible"],
    cause: "Retraining {model} on the same data gave materially different models, so the regression could not be bisected.",
  },
  "compat.embedding-mismatch": {
    titles: ["{model} served with embeddings from an incompatible space", "Index built with old encoder mismatched new {model} queries"],
    cause: "Two artifacts that must move together ({model} and its embedding index) were deployed out of step.",
  },
  "compat.wrong-version": {
    titles: ["Wrong {model} version pushed to production", "Registry alias pointed {model} at a shadow candidate"],
    cause: "The model registry handed production a different {model} artifact from the one that passed evaluation.",
  },
  "compat.train-serve-skew": {
    titles: ["Train/serve skew in {feature} degraded {model}", "Online {feature} computed differently from training for {model}"],
    cause: "{feature} was computed one way in the training pipeline and another way online, so {model} saw unfamiliar inputs.",
  },
  "compat.stale-preprocessing": {
    titles: ["Stale vocabulary mapped new terms to OOV in {model}", "Outdated bucket boundaries for {feature} in {model} serving"],
    cause: "A preprocessing artifact for {model} (vocabulary or bucket boundaries) was not refreshed with the model.",
  },
  "quality.accuracy-regression": {
    titles: ["{model} {metric} regressed {pct}% after retrain", "Offline-online gap: {model} regression passed eval"],
    cause: "A new {model} looked fine offline but lost {metric} in production, and the evaluation gate did not catch it.",
  },
  "quality.slice-generalization": {
    titles: ["{model} underperformed for {slice}", "{model} quality collapsed on {slice} after launch in {region}"],
    cause: "Aggregate metrics of {model} were healthy while {slice} got markedly worse predictions.",
  },
  "quality.bias": {
    titles: ["{model} flagged {slice} at twice the base rate", "Unequal error rates across user groups in {model}"],
    cause: "{model} performed unequally across groups ({slice}), which no dashboard broke out.",
  },
  "quality.unsafe-output": {
    titles: ["{model} produced unsafe replies for {slice}", "Hallucinated policy answers from {model}"],
    cause: "{model} produced harmful or made-up output that reached users before review.",
  },
  "feedback.degenerate-loop": {
    titles: ["{model} feedback loop narrowed results to top items", "Popularity loop starved new items in {model}"],
    cause: "{model} trained on data shaped by its own past predictions and narrowed itself over weeks.",
  },
  "feedback.entanglement": {
    titles: ["Changing one feature of {model} shifted all score calibrations", "{model} retrain changed outputs consumed by {other}"],
    cause: "Changing one input of {model} changed everything downstream of it (CACE), including {other}.",
  },
  "feedback.correction-cascade": {
    titles: ["Correction model on top of {model} amplified its error", "Stacked post-hoc fix broke when {model} was retrained"],
    cause: "A correction layered on {model} depended on its old errors and broke when the base model improved.",
  },
  "feedback.undeclared-consumer": {
    titles: ["Undeclared consumer of {model} scores broke after recalibration", "{otherTeam} silently relied on raw {model} outputs"],
    cause: "A team nobody knew about consumed {model} outputs directly and broke when they changed.",
  },
};

// Failures that only make sense for some models (no unsafe replies from an ETA regressor).
const STORY_MODELS: Record<string, string[]> = {
  "quality.unsafe-output": ["support-llm", "content-moderation"],
  "compat.embedding-mismatch": ["search-embeddings", "recsys-candidate", "ranking"],
  "feedback.degenerate-loop": ["ranking", "recsys-candidate", "ads-ctr", "search-embeddings"],
  "training.architecture-bug": ["search-embeddings", "recsys-candidate", "support-llm", "content-moderation", "ranking"],
};

function modelFor(rng: Rng, story: string, count: number): number {
  const allowed = STORY_MODELS[story];
  if (!allowed) return rng.int(0, count - 1);
  const name = rng.pick(allowed);
  return MODELS.findIndex((m) => m.name === name);
}

const MITIGATIONS: Record<string, string[]> = {
  orchestration: ["re-ran the skipped jobs by hand", "paused the scheduler and restored the previous DAG"],
  capacity: ["moved the job to healthy hosts", "raised quota and scaled out serving", "shed low-priority traffic"],
  change: ["rolled back to the previous version", "reverted the config push"],
  dependency: ["re-ran the pipeline once upstream data landed", "pinned the previous source and backfilled"],
  software: ["shipped a hotfix", "disabled the failing step behind a flag"],
  data: ["retrained on a corrected snapshot", "excluded the bad partition and retrained"],
  labels: ["retrained after the label window closed", "dropped the bad label batch and retrained"],
  training: ["restored the last good checkpoint", "reverted the training config and retrained"],
  compat: ["redeployed matching artifacts", "rolled back to the previous version"],
  quality: ["switched back to the previous model", "raised the decision threshold for the affected slice"],
  feedback: ["added exploration traffic and retrained", "froze the downstream consumer on the old scores"],
};

// Contributing-class-specific action items; the rest are generic.
const PREVENT: Record<string, string[]> = {
  orchestration: ["Make {job} idempotent and alert on skipped runs", "Pin DAG versions for {model} pipelines"],
  capacity: ["Reserve GPU quota for {model} retrains", "Load-test the {store} at twice peak"],
  change: ["Require a canary for {model} config pushes", "Block deploys that skip staging for {model}"],
  dependency: ["Add a schema contract test for {table}", "Fail the {model} pipeline on empty upstream partitions"],
  software: ["Add tests for empty and oversized batches in {model} feature code", "Replace the quadratic step in the {model} pipeline"],
  data: ["Add null-rate and row-count checks to the {model} snapshot", "Validate {feature} ranges before training {model}"],
  labels: ["Wait for the label maturity window before training {model}", "Check label rates per day before training {model}"],
  training: ["Add a loss-spike guard and checkpoint rollback to {model} training", "Freeze hyperparameters during continuous training of {model}"],
  compat: ["Version the {model} model and its embedding index together", "Compute {feature} from one shared library online and offline"],
  quality: ["Add a slice-level eval gate for {slice} before promoting {model}", "Shadow new {model} versions for a day before promotion"],
  feedback: ["Register every consumer of {model} outputs", "Reserve exploration traffic for {model}"],
};
const DETECT = [
  "Alert on {feature} freshness for {model}",
  "Add a drift monitor on {model} score distribution",
  "Page on {metric} drop per region, not only globally",
  "Alert when the {job} for {model} produces fewer rows than usual",
  "Tune noisy {model} alerts so real pages stand out",
];
const MITIGATE = [
  "Keep the previous {model} version deployable as a one-step fallback",
  "Write a rollback runbook for {model}",
  "Add a circuit breaker around {vendor} calls",
  "Serve cached {model} scores when the {store} is degraded",
];
const PROCESS = [
  "Review this postmortem at the weekly incident review",
  "Add {model} to the on-call handbook",
  "Run a rollback game day for {model}",
  "Share the timeline with {otherTeam}",
];

type Rule = { name: string; severity: "critical" | "warning" | "info"; noise: number; classes: string[]; summary: string; models?: string[] };
const RULES: Rule[] = [
  { name: "FeatureFreshnessLag", severity: "warning", noise: 12, classes: ["dependency.late-join", "orchestration.scheduler-error", "dependency"], summary: "Features for {model} are more than 3 h behind" },
  { name: "PredictionDriftHigh", severity: "warning", noise: 10, classes: ["data.natural-drift", "data.unnatural-drift", "data", "feedback", "quality.slice-generalization"], summary: "PSI of {model} predictions above 0.2 for 1 h" },
  { name: "ServingLatencyP99High", severity: "critical", noise: 7, classes: ["capacity", "software.inefficient-structure", "data.edge-cases"], summary: "p99 latency of {model} above SLO for 10 m" },
  { name: "GPUUtilizationLow", severity: "info", noise: 18, classes: ["capacity.accelerator-fault", "orchestration.work-assignment", "capacity.unprovisioned"], summary: "GPU utilization of {model} training below 20% for 30 m" },
  { name: "TrainingLossNaN", severity: "critical", noise: 1, classes: ["training.divergence", "training", "data.corruption"], summary: "Training loss of {model} is NaN" },
  { name: "LabelJoinRateLow", severity: "warning", noise: 3, classes: ["labels", "dependency.late-join"], summary: "Only part of {model} examples joined a label" },
  { name: "ModelServingErrorRate", severity: "critical", noise: 3, classes: ["change", "software", "compat.wrong-version", "capacity.overloaded-backend"], summary: "5xx rate of {model} above 2%" },
  { name: "FeatureNullRateHigh", severity: "warning", noise: 4, classes: ["data.corruption", "dependency.schema-break", "dependency.source-moved"], summary: "Null rate of a {model} feature above threshold" },
  { name: "PipelineJobFailed", severity: "warning", noise: 6, classes: ["orchestration", "dependency", "software.wrong-invariant"], summary: "A {model} pipeline job failed" },
  { name: "PredictionVolumeDrop", severity: "critical", noise: 2, classes: ["change", "capacity", "orchestration.cache-invalidation"], summary: "{model} prediction volume down 40% vs last week" },
  { name: "ScoreDistributionShift", severity: "warning", noise: 5, classes: ["compat", "data", "feedback"], summary: "Mean score of {model} moved more than 3 sigma" },
  { name: "KubePodCrashLooping", severity: "warning", noise: 12, classes: ["change.binary-push", "software", "change.env-mismatch"], summary: "A {model} serving pod is crash-looping" },
  { name: "GPUMemoryECCErrors", severity: "critical", noise: 1, classes: ["capacity.accelerator-fault"], summary: "Uncorrectable ECC errors on a {model} GPU host" },
  { name: "OnlineMetricDrop", severity: "critical", noise: 2, classes: ["quality", "feedback", "compat", "labels"], summary: "Online metric of {model} down more than 5%" },
  { name: "TrainingJobStalled", severity: "warning", noise: 4, classes: ["capacity", "orchestration", "training"], summary: "No {model} training progress for 45 m" },
  { name: "EmbeddingNormAnomaly", severity: "warning", noise: 2, classes: ["compat.embedding-mismatch", "compat.stale-preprocessing"], summary: "Embedding norms of {model} outside the usual range", models: ["search-embeddings", "recsys-candidate", "ranking"] },
  { name: "DiskUsageHigh", severity: "warning", noise: 14, classes: ["capacity.cpu-network-storage"], summary: "Disk of a {model} worker above 90%" },
  { name: "UnsafeOutputRateHigh", severity: "critical", noise: 1, classes: ["quality.unsafe-output", "quality.bias"], summary: "Share of flagged {model} outputs above 0.5%", models: ["support-llm", "content-moderation"] },
  { name: "UpstreamAPIErrorRate", severity: "warning", noise: 3, classes: ["dependency.third-party-change"], summary: "Error rate of an upstream API used by {model} above 5%" },
  { name: "OfflineEvalGateFailed", severity: "info", noise: 2, classes: ["quality.accuracy-regression", "training", "labels.leakage"], summary: "Candidate {model} failed the offline eval gate" },
];

// Relative weights of top-level classes within their family (unknown classes weigh 1).
const TOP_WEIGHTS: Record<string, number> = {
  change: 0.3, dependency: 0.24, capacity: 0.2, orchestration: 0.13, software: 0.13,
  data: 0.28, compat: 0.15, training: 0.15, quality: 0.18, labels: 0.12, feedback: 0.08,
};
const SUB_WEIGHTS: Record<string, number> = { "change.binary-push": 3, "change.config-push": 2.5, "data.corruption": 2, "capacity.accelerator-fault": 1.5 };
const ROLLBACK_CLASSES: [string, number][] = [
  ["change.binary-push", 0.35],
  ["change.config-push", 0.25],
  ["compat.wrong-version", 0.15],
  ["quality.accuracy-regression", 0.15],
  ["training.hyperparameter-change", 0.1],
];

function triggerFor(rng: Rng, sub: string, top: string): Trigger {
  const t = (pairs: [Trigger, number][]) => rng.table(pairs);
  switch (sub) {
    case "change.binary-push": case "change.failed-rollback": return "binary_push";
    case "change.config-push": return "config_push";
    case "change.env-mismatch": return t([["binary_push", 0.6], ["config_push", 0.4]]);
    case "capacity.accelerator-fault": return "hardware";
    case "capacity.cpu-network-storage": return t([["hardware", 0.4], ["capacity", 0.6]]);
    case "dependency.third-party-change": return "provider_change";
    case "dependency.source-moved": return t([["pipeline", 0.7], ["config_push", 0.3]]);
    case "data.natural-drift": return t([["user_behaviour", 0.6], ["performance_decay", 0.4]]);
    case "data.unnatural-drift": return t([["user_behaviour", 0.7], ["binary_push", 0.3]]);
    case "data.edge-cases": return "user_behaviour";
    case "training.hyperparameter-change": return "config_push";
  }
  switch (top) {
    case "capacity": return "capacity";
    case "dependency": case "data": case "labels": return "pipeline";
    case "orchestration": return t([["pipeline", 0.6], ["config_push", 0.2], ["binary_push", 0.2]]);
    case "software": return t([["binary_push", 0.7], ["pipeline", 0.3]]);
    case "training": return t([["pipeline", 0.5], ["config_push", 0.3], ["binary_push", 0.2]]);
    case "compat": return t([["binary_push", 0.5], ["config_push", 0.3], ["pipeline", 0.2]]);
    case "quality": return t([["performance_decay", 0.5], ["binary_push", 0.3], ["user_behaviour", 0.2]]);
    case "feedback": return t([["user_behaviour", 0.5], ["performance_decay", 0.5]]);
  }
  // SRE Workbook appendix C shares.
  return t([["binary_push", 37], ["config_push", 31], ["user_behaviour", 9], ["pipeline", 6], ["provider_change", 5], ["performance_decay", 5], ["capacity", 5], ["hardware", 2]]);
}

function stageFor(rng: Rng, top: string): Stage {
  const t = (pairs: [Stage, number][]) => rng.table(pairs);
  switch (top) {
    case "data": case "labels": case "dependency": return t([["data_collection", 0.8], ["monitoring_response", 0.2]]);
    case "training": return t([["experimentation", 0.8], ["evaluation_deployment", 0.2]]);
    case "change": case "compat": return t([["evaluation_deployment", 0.85], ["monitoring_response", 0.15]]);
    case "quality": case "feedback": return t([["monitoring_response", 0.7], ["evaluation_deployment", 0.3]]);
  }
  return t([["monitoring_response", 0.4], ["experimentation", 0.3], ["data_collection", 0.2], ["evaluation_deployment", 0.1]]);
}

// ---------------------------------------------------------------------------------------------------------------
// Models and versions

type Version = { id: number; model: number; version: string; deployedAt: number; retiredAt: number | null; status: string; rolledBack: boolean };
type ModelState = { id: number; spec: ModelSpec; chain: Version[]; chainStarts: number[]; rolledBack: Version[] };

function planModels(rng: Rng, now: number): ModelState[] {
  let nextVersionId = 1;
  return MODELS.map((spec, m) => {
    const n = rng.int(4, 12);
    const nRolledBack = Math.min(n - 2, Math.floor(n * rng.range(0.1, 0.3)));
    const nChain = Math.max(4, n - nRolledBack);
    // Chain deploys: the first well before the window, so every incident time has a serving version.
    const agos = [WINDOW + rng.int(30, 120) * DAY];
    for (let i = 1; i < nChain; i++) agos.push(rng.int(3 * DAY, WINDOW));
    agos.sort((a, b) => b - a);
    const chainTimes = agos.map((a) => now - Math.round(a / MIN) * MIN);
    // Rolled-back canaries live a few hours inside a chain interval (which stays serving meanwhile).
    const rb: { at: number; life: number }[] = [];
    for (let i = 0; i < nRolledBack; i++) {
      const k = rng.int(0, nChain - 1);
      const from = chainTimes[k];
      const to = k + 1 < nChain ? chainTimes[k + 1] : now - 2 * DAY;
      const life = rng.duration(8 * HOUR, 0.7, 3 * HOUR, 30 * HOUR);
      if (to - from < life + 2 * DAY) continue;
      rb.push({ at: from + DAY + Math.round((rng.next() * (to - from - life - 2 * DAY)) / MIN) * MIN, life });
    }
    const all = [
      ...chainTimes.map((at, i) => ({ at, rolledBack: false, next: i + 1 < nChain ? chainTimes[i + 1] : null })),
      ...rb.map((r) => ({ at: r.at, rolledBack: true, next: r.at + r.life })),
    ].sort((a, b) => a.at - b.at);
    let major = rng.int(1, 3);
    let minor = 0;
    const versions: Version[] = all.map((v, i) => {
      if (i > 0 && rng.chance(0.2)) {
        major++;
        minor = 0;
      } else if (i > 0) minor++;
      const last = !v.rolledBack && v.next === null;
      return {
        id: nextVersionId++,
        model: m,
        version: `v${major}.${minor}`,
        deployedAt: v.at,
        retiredAt: v.next,
        status: v.rolledBack ? "rolled_back" : last ? "serving" : "retired",
        rolledBack: v.rolledBack,
      };
    });
    const chain = versions.filter((v) => !v.rolledBack);
    // Keeping the previous model as a fallback is common practice.
    if (chain.length >= 2 && rng.chance(0.5)) chain[chain.length - 2].status = "backup";
    return { id: m + 1, spec, chain, chainStarts: chain.map((v) => v.deployedAt), rolledBack: versions.filter((v) => v.rolledBack) };
  });
}

/** The chain version serving at time t (binary search; the first is deployed before the window). */
function servingAt(model: ModelState, t: number): Version {
  const s = model.chainStarts;
  let lo = 0;
  let hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return model.chain[lo];
}

/** What actually answered requests at t: a rolled-back canary if one was live, else the serving version. */
function liveAt(model: ModelState, t: number): Version {
  for (const v of model.rolledBack) if (v.deployedAt <= t && (v.retiredAt ?? Infinity) > t) return v;
  return servingAt(model, t);
}

// ---------------------------------------------------------------------------------------------------------------
// Incident planning

type ClassRow = { id: string; parentId: string | null; family: string | null; kind: string };

type Plan = {
  id: number;
  start: number;
  draft: boolean;
  rollback: Version | null; // the rolled-back canary this incident is about
  forced: string | null; // top-level class forced so every class appears
  story: string; // subclass (or class) id whose words the incident uses
  top: string;
  primary: string | null; // null = unclassified
  model: number;
  team: string;
  repeatOf: Plan | null;
  hasRepeat: boolean;
  // filled by timing()
  severity: Severity;
  detection: Detection;
  detectedAt: number;
  mitigatedAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  status: Status;
  source: "manual" | "webhook";
  groupKey: string | null;
  draftRule: Rule | null;
  alertIds: number[];
};

type Taxonomy = {
  tops: ClassRow[];
  subsOf: Map<string, ClassRow[]>;
  all: ClassRow[];
  factors: ClassRow[];
  byId: Map<string, ClassRow>;
  topIdsByFamily: { ml: string[]; nonMl: string[] };
};

function readTaxonomy(db: Db): Taxonomy {
  const rows = db.$client
    .prepare("select id, parent_id as parentId, family, kind from failure_classes where status = 'active' order by position, id")
    .all() as ClassRow[];
  const classes = rows.filter((r) => r.kind === "class");
  const tops = classes.filter((r) => r.parentId === null);
  const subsOf = new Map<string, ClassRow[]>(tops.map((t) => [t.id, []]));
  for (const r of classes) if (r.parentId !== null) subsOf.get(r.parentId)?.push(r);
  return {
    tops,
    subsOf,
    all: classes,
    factors: rows.filter((r) => r.kind === "factor"),
    byId: new Map(rows.map((r) => [r.id, r])),
    topIdsByFamily: {
      ml: tops.filter((t) => t.family === "ml").map((t) => t.id),
      nonMl: tops.filter((t) => t.family !== "ml").map((t) => t.id),
    },
  };
}

function pickTop(rng: Rng, tax: Taxonomy): string {
  const { ml, nonMl } = tax.topIdsByFamily;
  // Most production ML incidents have conventional, non-ML root causes (How ML Breaks: about 60 of 96).
  const fam = nonMl.length && (!ml.length || rng.chance(0.6)) ? nonMl : ml;
  return rng.weighted(fam, fam.map((id) => TOP_WEIGHTS[id] ?? 1));
}

function pickStory(rng: Rng, tax: Taxonomy, top: string): string {
  const subs = tax.subsOf.get(top) ?? [];
  if (!subs.length) return top;
  return rng.weighted(subs.map((s) => s.id), subs.map((s) => SUB_WEIGHTS[s.id] ?? 1));
}

function teamFor(rng: Rng, top: string, model: number): string {
  if ((top === "dependency" || top === "data") && rng.chance(0.3)) return PLATFORM_TEAMS.data;
  if ((top === "capacity" || top === "orchestration") && rng.chance(0.4)) return PLATFORM_TEAMS.infra;
  return MODELS[model].team;
}

function planIncidents(rng: Rng, n: number, now: number, tax: Taxonomy, models: ModelState[]): Plan[] {
  const blank = (start: number): Plan => ({
    id: 0, start, draft: false, rollback: null, forced: null, story: "", top: "", primary: null, model: 0, team: "",
    repeatOf: null, hasRepeat: false, severity: "SEV3", detection: "alert", detectedAt: start, mitigatedAt: null,
    resolvedAt: null, closedAt: null, status: "investigating", source: "manual", groupKey: null, draftRule: null, alertIds: [],
  });
  // A few untriaged drafts opened by webhooks in the last days.
  const nDrafts = n >= 40 ? Math.max(3, Math.round(n * 0.002)) : Math.min(n, Math.ceil(n / 20));
  const candidates = models.flatMap((m) => m.rolledBack).filter((v) => v.deployedAt > now - WINDOW && (v.retiredAt ?? now) < now);
  const nRollback = Math.min(candidates.length, Math.floor((n - nDrafts) * 0.1));
  const plans: Plan[] = [];

  for (let i = 0; i < nDrafts; i++) {
    const p = blank(now - rng.int(10 * MIN, 4 * DAY));
    p.draft = true;
    plans.push(p);
  }
  const rollbackIds = ROLLBACK_CLASSES.filter(([id]) => tax.byId.has(id));
  for (let i = 0; i < nRollback; i++) {
    const v = candidates.splice(rng.int(0, candidates.length - 1), 1)[0];
    const life = (v.retiredAt as number) - v.deployedAt;
    const p = blank(v.deployedAt + rng.int(5 * MIN, Math.max(6 * MIN, Math.min(2 * HOUR, life / 3))));
    p.rollback = v;
    p.model = v.model;
    p.story = rollbackIds.length ? rng.table(rollbackIds) : pickStory(rng, tax, pickTop(rng, tax));
    p.top = tax.byId.get(p.story)?.parentId ?? p.story;
    p.team = MODELS[v.model].team;
    plans.push(p);
  }
  // A handful in the last ten days (skewed to the last hours), so some are still being worked on.
  const nRecent = Math.min(n - plans.length, n >= 40 ? Math.min(40, 4 + Math.round(n * 0.005)) : 0);
  for (let i = 0; i < nRecent; i++) plans.push(blank(now - (i % 3 ? rng.int(10 * MIN, 3 * HOUR) : rng.int(6 * HOUR, 10 * DAY))));
  for (let i = plans.length; i < n; i++) {
    // Slightly more incidents recently (more models in production).
    plans.push(blank(now - Math.round(WINDOW * Math.pow(rng.next(), 1.15))));
  }
  plans.sort((a, b) => a.start - b.start);
  plans.forEach((p, i) => (p.id = i + 1));

  // Make sure every top-level class appears at least once.
  const regular = plans.filter((p) => !p.draft && !p.rollback);
  const covered = new Set(plans.filter((p) => p.rollback).map((p) => p.top));
  for (const t of tax.tops) {
    if (covered.has(t.id) || regular.length === 0) continue;
    const free = regular.filter((p) => !p.forced);
    if (!free.length) break;
    rng.pick(free).forced = t.id;
  }

  for (let i = 0; i < plans.length; i++) {
    const p = plans[i];
    if (p.draft) {
      p.top = pickTop(rng, tax);
      p.story = pickStory(rng, tax, p.top);
      p.model = modelFor(rng, p.story, models.length);
      p.team = MODELS[p.model].team;
      continue;
    }
    if (!p.rollback && !p.forced && rng.chance(0.12)) {
      // A repeat: same class on the same team and model as a recent incident (whose fixes are still open).
      const pool: Plan[] = [];
      for (let j = i - 1; j >= 0 && pool.length < 60; j--) {
        const q = plans[j];
        if (p.start - q.start > 150 * DAY) break;
        if (!q.draft && q.primary !== null) pool.push(q);
      }
      if (pool.length) {
        const q = rng.pick(pool);
        Object.assign(p, { top: q.top, story: q.story, primary: q.primary, model: q.model, team: q.team, repeatOf: q });
        q.hasRepeat = true;
        continue;
      }
    }
    if (!p.rollback) {
      p.top = p.forced ?? pickTop(rng, tax);
      p.story = pickStory(rng, tax, p.top);
      p.model = modelFor(rng, p.story, models.length);
      p.team = teamFor(rng, p.top, p.model);
    }
    // Mostly the deepest subclass; sometimes only the top-level class was settled on.
    p.primary = p.story !== p.top && rng.chance(0.12) ? p.top : p.story;
    if (!p.forced && !p.rollback && rng.chance(0.03)) p.primary = null;
  }
  return plans;
}

const ML_SLOW = new Set(["data", "quality", "feedback", "labels"]);

/** Severity, detection, milestone times and a status consistent with them (all relative to `now`). */
function timing(rng: Rng, p: Plan, now: number): void {
  p.severity = rng.table<Severity>([["SEV1", 4], ["SEV2", 14], ["SEV3", 42], ["SEV4", 40]]);
  const slow = ML_SLOW.has(p.top);
  p.detection = p.draft
    ? "alert"
    : rng.table<Detection>(
        slow
          ? [["alert", 35], ["dashboard", 28], ["user_report", 25], ["test", 5], ["other", 7]]
          : [["alert", 52], ["dashboard", 16], ["user_report", 17], ["test", 7], ["other", 8]],
      );
  const medianMin = { alert: 8, test: 25, dashboard: 120, user_report: 300, other: 600 }[p.detection] * (slow ? 3 : 1);
  const detect = rng.duration(medianMin * MIN, 1.1, MIN, 12 * DAY);
  const mitigate = rng.duration(90 * MIN, 1.1, 5 * MIN, 10 * DAY);
  const resolve = rng.duration(6 * HOUR, 1.3, 10 * MIN, 21 * DAY);
  const review = rng.duration(5 * DAY, 0.8, DAY, 60 * DAY);
  const closeRoll = rng.next();

  p.detectedAt = Math.min(p.start + detect, now);
  if (p.draft) {
    p.status = "draft";
    p.source = "webhook";
    return;
  }
  let mitigated = p.detectedAt + mitigate;
  if (p.rollback) {
    // The canary's retirement is the rollback that mitigated the incident.
    mitigated = p.rollback.retiredAt as number;
    p.detectedAt = Math.min(p.detectedAt, mitigated - 5 * MIN);
    if (p.detectedAt < p.start) p.detectedAt = p.start;
    if (p.severity === "SEV4") p.severity = "SEV3";
  }
  const resolved = mitigated + resolve;
  if (mitigated > now) {
    p.status = "investigating";
  } else if (resolved > now) {
    p.status = "mitigated";
    p.mitigatedAt = mitigated;
  } else {
    p.mitigatedAt = mitigated;
    p.resolvedAt = resolved;
    if (resolved + review <= now) {
      p.closedAt = resolved + review;
      p.status = closeRoll < 0.9 ? "closed" : closeRoll < 0.96 ? "resolved" : "in_review";
      if (p.status !== "closed") p.closedAt = null;
    } else {
      p.status = now - resolved > DAY ? "in_review" : "resolved";
    }
  }
  // Still being investigated: often nobody has settled on a class yet.
  if (p.status === "investigating" && !p.hasRepeat && !p.forced && rng.chance(0.5)) p.primary = null;
  if (p.detection === "alert" && rng.chance(0.15)) {
    // Opened from a webhook draft and then taken over by a person.
    p.source = "webhook";
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Alert planning: times and links first, sorted so that alert ids follow time.

type AlertPlan = { start: Float64Array; incident: Int32Array; rule: Uint8Array; model: Int8Array; count: number };

/** Alert rules that would fire for a failure of this class: exact subclass matches first, then the top-level class. */
function rulesFor(story: string, top: string, model: string): { exact: number[]; related: number[] } {
  const fits = (r: Rule) => !r.models || r.models.includes(model);
  const exact = RULES.flatMap((r, i) => (r.classes.includes(story) && fits(r) ? [i] : []));
  const related = RULES.flatMap((r, i) => (r.classes.includes(top) && fits(r) && !exact.includes(i) ? [i] : []));
  if (!exact.length && !related.length) exact.push(RULES.findIndex((r) => r.name === "ModelServingErrorRate"));
  return { exact, related };
}

function pickRule(rng: Rng, rules: { exact: number[]; related: number[] }): number {
  return rules.exact.length && (!rules.related.length || rng.chance(0.7)) ? rng.pick(rules.exact) : rng.pick(rules.related);
}

const INFRA_RULES = new Set(["DiskUsageHigh", "KubePodCrashLooping", "GPUUtilizationLow", "GPUMemoryECCErrors"]);
const DRAFT_SEVERITY: Record<Rule["severity"], Severity> = { critical: "SEV1", warning: "SEV3", info: "SEV4" };

function planAlerts(rng: Rng, m: number, now: number, plans: Plan[], models: ModelState[]): AlertPlan {
  const start = new Float64Array(m);
  const incident = new Int32Array(m);
  const rule = new Uint8Array(m);
  const model = new Int8Array(m);
  let k = 0;

  // About 20% of alerts belong to incidents: weighted towards alert-detected incidents and drafts.
  const linkedTarget = Math.round(m * 0.2);
  const weight = (p: Plan) => (p.draft ? 3 : p.detection === "alert" ? 2.5 : 0.6);
  let totalW = 0;
  for (const p of plans) totalW += weight(p);
  for (const p of plans) {
    const rules = rulesFor(p.story, p.top, MODELS[p.model].name);
    const groupRule = pickRule(rng, rules);
    if (p.draft) {
      // As the webhook would: the alert's severity label decides the draft's severity.
      p.draftRule = RULES[groupRule];
      p.severity = DRAFT_SEVERITY[RULES[groupRule].severity];
    }
    if (p.source === "webhook") p.groupKey = `{}:{alertname="${RULES[groupRule].name}", model="${MODELS[p.model].name}"}`;
    let c = totalW ? Math.floor((linkedTarget * weight(p)) / totalW + rng.next()) : 0;
    if (p.draft && c === 0 && linkedTarget > 0) c = 1;
    c = Math.min(c, m - k);
    const end = Math.min(now, p.mitigatedAt ?? p.detectedAt + 2 * HOUR);
    for (let j = 0; j < c; j++, k++) {
      if (j === 0 && p.detection === "alert") {
        start[k] = Math.max(p.start, p.detectedAt - rng.int(0, 5 * MIN));
      } else {
        start[k] = p.start + Math.round(rng.next() * Math.max(0, end - p.start));
      }
      incident[k] = p.id;
      rule[k] = p.draft || j === 0 ? groupRule : pickRule(rng, rules);
      // Now and then a neighbouring model alerts too (shared features, shared serving fleet).
      const other = rng.int(0, models.length - 1);
      model[k] = j > 0 && !p.draft && rng.chance(0.15) && !RULES[rule[k]].models ? other : p.model;
    }
  }
  // The rest are unlinked, mostly from a few noisy rules (precision differs widely per rule).
  const noise = RULES.map((r) => r.noise);
  const ruleIdx = RULES.map((_, i) => i);
  for (; k < m; k++) {
    start[k] = now - Math.round(WINDOW * Math.pow(rng.next(), 1.1));
    incident[k] = 0;
    rule[k] = rng.weighted(ruleIdx, noise);
    const only = RULES[rule[k]].models;
    const onlyName = only ? rng.pick(only) : "";
    // Infrastructure rules sometimes fire for shared machines that belong to no model.
    const shared = INFRA_RULES.has(RULES[rule[k]].name) && rng.chance(0.15);
    model[k] = only ? MODELS.findIndex((x) => x.name === onlyName) : shared ? -1 : rng.int(0, models.length - 1);
  }

  // Sort by start time so alert ids follow time, then give each incident its alert ids.
  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  order.sort((a, b) => start[a] - start[b] || a - b);
  const sorted: AlertPlan = { start: new Float64Array(m), incident: new Int32Array(m), rule: new Uint8Array(m), model: new Int8Array(m), count: m };
  for (let r = 0; r < m; r++) {
    const i = order[r];
    sorted.start[r] = start[i];
    sorted.incident[r] = incident[i];
    sorted.rule[r] = rule[i];
    sorted.model[r] = model[i];
    if (incident[i]) plans[incident[i] - 1].alertIds.push(r + 1);
  }
  return sorted;
}

// ---------------------------------------------------------------------------------------------------------------
// Postmortem template

type TemplateShape = { preamble: string; headings: string[] };

function templateShape(): TemplateShape {
  const templates = listTemplates();
  const t = templates.find((x) => x.id === "standard") ?? templates[0];
  if (!t) return { preamble: "", headings: ["Summary", "Impact", "Timeline", "Root cause", "Contributing factors", "Action items"] };
  const lines = t.markdown.split("\n");
  const first = lines.findIndex((l) => /^##\s+/.test(l));
  const headings = lines.filter((l) => /^##\s+/.test(l)).map((l) => l.replace(/^##\s+/, "").trim());
  return { preamble: first > 0 ? lines.slice(0, first).join("\n").trim() : "", headings };
}

// ---------------------------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const t0 = performance.now();
  const db = openDatabase(opts.db);
  const sqlite = db.$client;
  // A seed can simply be re-run, so trade durability for speed on this connection only.
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -131072");
  sqlite.pragma("temp_store = MEMORY");

  const countOf = (table: string) => (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  const existing = { incidents: countOf("incidents"), alerts: countOf("alerts"), models: countOf("models") };
  if (existing.incidents + existing.alerts + existing.models > 0) {
    if (!opts.reset) {
      sqlite.close();
      fail(
        `${opts.db} already holds ${existing.incidents} incidents, ${existing.alerts} alerts and ${existing.models} models; nothing was changed.\n` +
          `Run again with --reset to replace them (users are kept), or choose another file with --db PATH.`,
      );
    }
    process.stderr.write(`Deleting ${existing.incidents} incidents, ${existing.alerts} alerts and ${existing.models} models…\n`);
    sqlite.transaction(() => {
      sqlite.exec(`
        delete from alerts;
        delete from alert_deliveries;
        delete from incident_classes;
        delete from incident_models;
        delete from timeline_events;
        delete from action_items;
        delete from postmortem_revisions;
        delete from audit_log where entity = 'incident';
        delete from incidents;
        delete from model_versions;
        delete from models;
      `);
    })();
  }

  syncTaxonomy(db, loadTaxonomy());
  const tax = readTaxonomy(db);
  if (!tax.tops.length) fail("No active failure classes: check content/taxonomy.");
  const shape = templateShape();

  // Users: three demo accounts on an empty database; otherwise the existing ones own the incidents.
  let createdUsers = false;
  if (countOf("users") === 0) {
    const hash = await hashPassword(DEMO_PASSWORD);
    const ins = sqlite.prepare("insert into users (email, name, role, password_hash) values (?, ?, ?, ?)");
    sqlite.transaction(() => {
      ins.run("admin@example.com", "Ada Admin", "admin", hash);
      ins.run("editor@example.com", "Eddie Editor", "editor", hash);
      ins.run("viewer@example.com", "Vera Viewer", "viewer", hash);
    })();
    createdUsers = true;
  }
  const userRows = sqlite.prepare("select id, email, role from users where disabled = 0 order by id").all() as { id: number; email: string; role: string }[];
  const admin = userRows.find((u) => u.email === "admin@example.com") ?? userRows.find((u) => u.role === "admin") ?? userRows[0] ?? null;
  const owners = userRows.filter((u) => u.role !== "viewer").map((u) => u.id);
  if (!owners.length && admin) owners.push(admin.id);

  const rng = new Rng(opts.seed);
  const now = Date.now();

  // Models and versions.
  const models = planModels(rng, now);
  const versionCount = models.reduce((s, m) => s + m.chain.length + m.rolledBack.length, 0);
  {
    const insModel = sqlite.prepare("insert into models (id, name, team, description, created_at) values (?, ?, ?, ?, ?)");
    const insVersion = sqlite.prepare(
      "insert into model_versions (id, model_id, version, status, deployed_at, retired_at, training_data_ref, code_ref, notes, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    sqlite.transaction(() => {
      for (const m of models) {
        insModel.run(m.id, m.spec.name, m.spec.team, m.spec.description, m.chain[0].deployedAt - 14 * DAY);
        const all = [...m.chain, ...m.rolledBack].sort((a, b) => a.id - b.id);
        for (const v of all) {
          const day = iso(v.deployedAt - DAY).slice(0, 10);
          const notes = v.rolledBack
            ? `Canary rolled back after ${Math.round(((v.retiredAt as number) - v.deployedAt) / HOUR)} h; see the linked incident.`
            : v.status === "backup"
              ? "Kept deployable as the one-step fallback."
              : "";
          insVersion.run(v.id, m.id, v.version, v.status, v.deployedAt, v.retiredAt, `s3://ml-data/${m.spec.name}/snapshots/${day}`, `git:${rng.hex(7)}`, notes, v.deployedAt - rng.int(HOUR, 3 * DAY));
        }
      }
    })();
  }

  // Plan everything that links across tables before inserting.
  const plans = planIncidents(rng, opts.incidents, now, tax, models);
  for (const p of plans) timing(rng, p, now);
  const alertPlan = planAlerts(rng, opts.alerts, now, plans, models);

  const counts = { incidents: 0, classes: 0, links: 0, events: 0, actions: 0, revisions: 0, alerts: 0, deliveries: 0 };

  // --- Incidents and their children ---------------------------------------------------------------------------
  const insIncident = sqlite.prepare(
    `insert into incidents (id, title, status, severity, team, summary, impact, detection_source, started_at, detected_at,
       mitigated_at, resolved_at, postmortem_md, postmortem_rev, trigger, lifecycle_stage, owner_id, source, group_key,
       version, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insClass = sqlite.prepare("insert into incident_classes (incident_id, class_id, role) values (?, ?, ?)");
  const insLink = sqlite.prepare("insert into incident_models (incident_id, model_version_id, role) values (?, ?, ?)");
  const insEvent = sqlite.prepare(
    "insert into timeline_events (incident_id, at, kind, body, alert_id, author_id, created_at) values (?, ?, ?, ?, ?, ?, ?)",
  );
  const insAction = sqlite.prepare(
    "insert into action_items (incident_id, title, owner, due_at, status, kind, completed_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const insRevision = sqlite.prepare(
    "insert into postmortem_revisions (incident_id, rev, markdown, author_id, created_at) values (?, ?, ?, ?, ?)",
  );
  const insAudit = sqlite.prepare(
    "insert into audit_log (at, actor_id, actor_label, action, entity, entity_id, detail) values (?, ?, ?, 'create', 'incident', ?, ?)",
  );

  const alertRule = (id: number) => RULES[alertPlan.rule[id - 1]];
  const STATUS_RANK: Record<Status, number> = { draft: 0, investigating: 1, mitigated: 2, resolved: 3, in_review: 4, closed: 5 };

  const writeIncident = (p: Plan) => {
    const spec = MODELS[p.model];
    const model = models[p.model];
    const otherIdx = (p.model + rng.int(1, MODELS.length - 1)) % MODELS.length;
    const vars: Record<string, string | number> = {
      model: spec.name,
      team: p.team,
      feature: rng.pick(spec.features),
      table: rng.pick(spec.tables),
      slice: rng.pick(spec.slices),
      metric: spec.metric,
      product: spec.product,
      region: rng.pick(REGIONS),
      vendor: rng.pick(VENDORS),
      store: rng.pick(STORES),
      job: rng.pick(JOBS),
      pct: rng.int(8, 45),
      n: rng.int(2, 9),
      other: MODELS[otherIdx].name,
      otherTeam: MODELS[otherIdx].team,
    };
    const story = STORIES[p.story] ?? STORIES[p.top] ?? null;
    const className = p.story.replace(/^[^.]*\./, "").replaceAll("-", " ");
    const cause = story ? fmt(story.cause, vars) : `A ${className} problem affected ${spec.name}.`;
    const mitigation = rng.pick(MITIGATIONS[p.top] ?? ["applied a fix"]);
    const owner = p.draft || !owners.length ? null : rng.pick(owners);
    const detectedBy = { alert: "an alert", dashboard: "a dashboard review", user_report: "a user report", test: "a failing test", other: "someone who noticed" }[p.detection];
    const lag = p.detectedAt - p.start;
    const lagText = lag < HOUR ? `${Math.max(1, Math.round(lag / MIN))} minutes` : lag < 2 * DAY ? `${Math.round(lag / HOUR)} hours` : `${Math.round(lag / DAY)} days`;

    let title: string;
    let summary: string;
    let impact = "";
    if (p.draft) {
      const r = p.draftRule ?? RULES[0];
      title = `${r.name} firing for ${spec.name}`;
      summary = `Opened automatically from an Alertmanager group. ${fmt(r.summary, vars)}.`;
    } else {
      const titleTemplate = story ? rng.pick(story.titles) : `{model}: ${className}`;
      title = fmt(titleTemplate, vars);
      // Capitalize a leading word, but never a model name ("ads-ctr", not "Ads-ctr").
      if (!titleTemplate.startsWith("{model}")) title = title[0].toUpperCase() + title.slice(1);
      summary =
        `${cause} It was detected through ${detectedBy} about ${lagText} after it began` +
        (p.mitigatedAt ? `; the team ${mitigation}.` : ", and the team is still working on it.");
      const affected = rng.int(1, p.severity === "SEV1" ? 60 : p.severity === "SEV2" ? 30 : 10);
      impact = `About ${affected}% of ${spec.product} requests got degraded predictions; ${spec.metric} was ${vars.pct}% worse at the worst point.`;
      if (p.severity === "SEV1" || p.severity === "SEV2") {
        impact += " " + fmt(rng.pick(["Estimated revenue impact: {k}k USD.", "Roughly {k}k users saw bad results.", "Support tickets rose {k}% that day."]), { k: rng.int(2, 90) });
      }
    }

    // Timeline: 3-8 events from start to resolution (or now).
    const end = p.resolvedAt ?? p.mitigatedAt ?? Math.max(p.detectedAt, Math.min(now, p.detectedAt + rng.int(10 * MIN, 6 * HOUR)));
    type Ev = { at: number; kind: string; body: string; alert: number | null; author: number | null };
    const events: Ev[] = [];
    const serving = servingAt(model, p.start);
    if (p.draft) {
      events.push({ at: p.detectedAt, kind: "note", body: `Draft opened from an Alertmanager webhook (group ${p.groupKey}).`, alert: null, author: null });
      const ids = p.alertIds.slice(0, 7);
      for (const id of ids) {
        const at = Math.min(now, Math.max(p.detectedAt, alertPlan.start[id - 1]));
        events.push({ at, kind: "alert", body: `${alertRule(id).name} firing: ${spec.name}`, alert: id, author: null });
      }
      for (let i = events.length; i < 3; i++) {
        const id = ids[0] ?? null;
        events.push({ at: Math.min(now, p.detectedAt + i * 4 * HOUR), kind: "alert", body: `${p.draftRule?.name ?? "Alert"} still firing (repeat notification).`, alert: id, author: null });
      }
    } else {
      const want = rng.int(3, 8);
      if (p.rollback) {
        events.push({ at: p.start, kind: "deploy", body: `Canary of ${spec.name} ${p.rollback.version} started taking traffic.`, alert: null, author: owner });
      } else if (p.top === "change") {
        const body = p.story === "change.config-push" ? `Config change for ${spec.name} pushed to all regions.` : `Deployed a new ${spec.name} serving build.`;
        events.push({ at: p.start, kind: "deploy", body, alert: null, author: owner });
      } else {
        events.push({ at: p.start, kind: "observation", body: `First anomalies in ${spec.metric} (found afterwards in the dashboards).`, alert: null, author: owner });
      }
      const firstAlert = p.alertIds[0];
      if (p.detection === "alert" && firstAlert) {
        events.push({ at: p.detectedAt, kind: "alert", body: `${alertRule(firstAlert).name} firing: ${spec.name}`, alert: firstAlert, author: null });
      } else {
        events.push({ at: p.detectedAt, kind: "observation", body: `Detected through ${detectedBy}.`, alert: null, author: owner });
      }
      const fixed: Ev[] = [];
      if (p.mitigatedAt) {
        if (p.rollback) {
          const to = servingAt(model, p.start);
          fixed.push({ at: p.mitigatedAt, kind: "rollback", body: `Rolled ${spec.name} back from ${p.rollback.version} to ${to.version}.`, alert: null, author: owner });
        } else if (["data", "labels", "training"].includes(p.top)) {
          fixed.push({ at: p.mitigatedAt, kind: "retrain", body: `Retrained ${spec.name} on a corrected snapshot and promoted it.`, alert: null, author: owner });
        } else {
          const kind = /^(rolled back|reverted)/.test(mitigation) ? "rollback" : "action";
          fixed.push({ at: p.mitigatedAt, kind, body: `Mitigation: ${mitigation}.`, alert: null, author: owner });
        }
      }
      if (p.resolvedAt) fixed.push({ at: p.resolvedAt, kind: "note", body: `${spec.metric} back to baseline; incident resolved.`, alert: null, author: owner });
      const middle: { kind: string; body: string }[] = [
        { kind: "action", body: `Paged ${p.team} on-call and opened an incident channel.` },
        { kind: "observation", body: `${spec.metric} ${vars.pct}% worse in ${vars.region} than last week.` },
        { kind: "note", body: `Declared ${p.severity}; status updates every 30 minutes.` },
        { kind: "action", body: `Compared ${vars.feature} between training data and live requests.` },
      ];
      if (["data", "dependency", "labels", "orchestration"].includes(p.top)) {
        middle.push({ kind: "observation", body: `Row counts in ${vars.table} are off for the latest partition.` });
        middle.push({ kind: "action", body: `Paused the ${vars.job} for ${spec.name}.` });
      } else if (p.top === "capacity") {
        middle.push({ kind: "observation", body: `Hosts in ${vars.region} show saturation; queue depth keeps growing.` });
      }
      if (p.top !== "change" && !p.rollback) {
        middle.push({ kind: "observation", body: `Ruled out a deploy: nothing shipped for ${spec.name} in the last day.` });
      }
      const room = Math.max(0, want - events.length - fixed.length);
      const midEnd = p.mitigatedAt ?? end;
      const mids: Ev[] = [];
      for (let i = 0; i < room && middle.length; i++) {
        const m = middle.splice(rng.int(0, middle.length - 1), 1)[0];
        mids.push({ at: p.detectedAt + Math.round(rng.next() * Math.max(0, midEnd - p.detectedAt)), kind: m.kind, body: m.body, alert: null, author: owner });
      }
      events.push(...mids.sort((a, b) => a.at - b.at), ...fixed);
    }

    // Action items (drafts have none: nobody has looked at them yet).
    const actions: { title: string; kind: string; owner: string; due: number; status: string; done: number | null }[] = [];
    const actionsFrom = p.resolvedAt ?? p.mitigatedAt ?? p.detectedAt;
    if (!p.draft) {
      const nActions = rng.int(1, 4);
      for (let i = 0; i < nActions; i++) {
        let kind: string = i === 0 ? "prevent" : rng.table([["prevent", 3], ["detect", 3], ["mitigate", 2], ["process", 2]] as const);
        const pool = kind === "prevent" ? (PREVENT[p.top] ?? ["Add a regression test for this failure in {model}"]) : kind === "detect" ? DETECT : kind === "mitigate" ? MITIGATE : PROCESS;
        const due = actionsFrom + rng.int(7, 45) * DAY;
        const overdueBy = now - due;
        const r = rng.next();
        let status: string;
        if (overdueBy > 30 * DAY) status = r < 0.85 ? "done" : r < 0.9 ? "wont_do" : "open";
        else if (overdueBy > 0) status = r < 0.5 ? "done" : "open";
        else status = r < 0.2 ? "done" : "open";
        // An incident that recurred still had its preventive fix open: that is what the app's repeat flag looks for.
        if (i === 0 && p.hasRepeat) status = "open";
        const done = status === "open" ? null : Math.min(now, actionsFrom + Math.round(rng.next() * (due + 10 * DAY - actionsFrom)));
        const who = rng.table([[p.team, 3], [`${p.team} on-call`, 1], [rng.pick(PEOPLE), 3], ["incident lead", 1]] as const);
        let actionTitle = fmt(rng.pick(pool), vars);
        if (actions.some((a) => a.title === actionTitle)) {
          kind = "process";
          actionTitle = fmt(rng.pick(PROCESS), vars);
        }
        if (actions.some((a) => a.title === actionTitle)) continue;
        actions.push({ title: actionTitle, kind, owner: who, due, status, done });
      }
    }

    // Classes: one primary, 0-2 contributing from other top-level classes, 0-2 contributing factors.
    const contributing: string[] = [];
    const factors: string[] = [];
    if (p.primary) {
      const usedTops = new Set([p.top]);
      const nContrib = rng.table([[0, 55], [1, 33], [2, 12]] as const);
      for (let i = 0; i < nContrib; i++) {
        const c = rng.pick(tax.all);
        const cTop = c.parentId ?? c.id;
        if (usedTops.has(cTop)) continue;
        usedTops.add(cTop);
        contributing.push(c.id);
      }
      if (tax.factors.length) {
        const nFactors = rng.table([[0, 50], [1, 35], [2, 15]] as const);
        const w = tax.factors.map((f) =>
          f.id === "factor.missing-canary" && (p.top === "change" || p.top === "compat") ? 4
          : f.id === "factor.alert-fatigue" && lag > 6 * HOUR ? 4
          : f.id === "factor.no-fallback" && (p.top === "quality" || p.top === "compat" || p.top === "training") ? 3
          : 1,
        );
        for (let i = 0; i < nFactors; i++) {
          const f = rng.weighted(tax.factors, w).id;
          if (!factors.includes(f)) factors.push(f);
        }
      }
    }

    // Model versions serving at the start.
    const links: [number, string][] = [];
    if (p.rollback) {
      links.push([p.rollback.id, "rolled_back_from"], [serving.id, "rolled_back_to"]);
    } else {
      links.push([serving.id, tax.byId.get(p.top)?.family === "ml" ? "suspected_cause" : "affected"]);
    }
    if (!p.draft && rng.chance(0.2)) links.push([servingAt(models[otherIdx], p.start).id, "affected"]);

    // Postmortem for reviewed incidents, from the template's sections.
    let md = "";
    let rev = 0;
    let revAt = 0;
    if (p.status === "closed" || p.status === "in_review") {
      const section = (h: string): string => {
        switch (h.toLowerCase()) {
          case "summary":
            return summary;
          case "impact":
            return impact;
          case "timeline":
            return ["| Time (UTC) | Event |", "|---|---|", ...events.map((e) => `| ${utcMinute(e.at)} | ${e.body.replaceAll("|", "\\|")} |`)].join("\n");
          case "root cause":
            return (
              `${cause}\n\nPrimary class: ${p.primary ? `\`${p.primary}\`` : "not yet classified"}.` +
              (contributing.length ? ` Contributing: ${contributing.map((c) => `\`${c}\``).join(", ")}.` : "")
            );
          case "contributing factors":
            return factors.length ? factors.map((f) => `- \`${f}\``).join("\n") : "- None beyond the root cause.";
          case "what went well":
            return rng.pick([
              `${detectedBy[0].toUpperCase()}${detectedBy.slice(1)} caught it before most users noticed.`,
              `The previous ${spec.name} version was still deployable, so mitigation took minutes.`,
              "The incident channel stayed focused and status updates went out on time.",
            ]);
          case "what went wrong":
            return rng.pick([
              lag > HOUR ? `It took ${lagText} to notice; nothing alerted on the signal that moved first.` : `The first page went to the wrong rotation and took a while to reach ${p.team}.`,
              `The runbook for ${spec.name} was out of date, and on-call had to find the owner of ${vars.table}.`,
              "Several noisy alerts fired at the same time and hid the one that mattered.",
            ]);
          case "where we got lucky":
            return rng.pick([
              "It happened during business hours, with the owning team online.",
              `Traffic to the ${spec.product} was low that day.`,
              "A snapshot from the day before had not yet been garbage-collected.",
            ]);
          case "action items":
            return [
              "| Action | Kind | Owner | Due |",
              "|---|---|---|---|",
              ...actions.map((a) => `| ${a.title} | ${a.kind} | ${a.owner} | ${iso(a.due).slice(0, 10)} |`),
            ].join("\n");
          default:
            return "Nothing further to add.";
        }
      };
      md = [shape.preamble, ...shape.headings.map((h) => `## ${h}\n\n${section(h)}`)].filter(Boolean).join("\n\n") + "\n";
      rev = 1;
      revAt = Math.min(now, (p.resolvedAt as number) + rng.int(HOUR, 3 * DAY));
    }

    const createdAt = Math.min(now, p.detectedAt + (p.draft ? 0 : rng.int(0, 20 * MIN)));
    const updatedAt = Math.max(createdAt, p.closedAt ?? 0, revAt, events[events.length - 1].at);
    const version = p.draft ? 1 : STATUS_RANK[p.status] + rng.int(0, 3) + rev;
    const described = p.primary !== null || rng.chance(0.5);
    insIncident.run(
      p.id, title, p.status, p.severity, p.team, summary, impact, p.detection, p.start, p.detectedAt,
      p.mitigatedAt, p.resolvedAt, md, rev,
      p.draft || !described ? null : triggerFor(rng, p.story, p.top),
      p.draft || !described ? null : stageFor(rng, p.top),
      owner, p.source, p.groupKey, version, createdAt, updatedAt,
    );
    for (const e of events) insEvent.run(p.id, e.at, e.kind, e.body, e.alert, e.author, e.at);
    for (const a of actions) insAction.run(p.id, a.title, a.owner, a.due, a.status, a.kind, a.done, actionsFrom);
    if (p.primary) insClass.run(p.id, p.primary, "primary");
    for (const c of contributing) insClass.run(p.id, c, "contributing");
    for (const f of factors) insClass.run(p.id, f, "factor");
    for (const [v, role] of links) insLink.run(p.id, v, role);
    if (rev) insRevision.run(p.id, 1, md, owner, revAt);
    if (admin) insAudit.run(createdAt, admin.id, admin.email, String(p.id), JSON.stringify({ title, severity: p.severity }));
    counts.incidents++;
    counts.events += events.length;
    counts.actions += actions.length;
    counts.classes += (p.primary ? 1 : 0) + contributing.length + factors.length;
    counts.links += links.length;
    counts.revisions += rev;
  };

  const incidentBar = new Progress("incidents");
  for (let i = 0; i < plans.length; i += BATCH_INCIDENTS) {
    const batch = plans.slice(i, i + BATCH_INCIDENTS);
    sqlite.transaction(() => {
      for (let j = 0; j < batch.length; j++) {
        writeIncident(batch[j]);
        if ((j & 63) === 0) incidentBar.update(i + j, plans.length);
      }
    })();
    incidentBar.update(i + batch.length, plans.length);
  }

  // --- Alerts and deliveries ----------------------------------------------------------------------------------
  const insAlert = sqlite.prepare(
    `insert into alerts (id, sender, fingerprint, rule_name, status, severity, labels, annotations, starts_at, ends_at,
       first_received_at, last_received_at, fire_count, delivery_count, incident_id, model_version_id, triage)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insDelivery = sqlite.prepare(
    "insert into alert_deliveries (sender, received_at, headers, body, body_hash, token_id, outcome, error, alert_count) values (?, ?, ?, ?, ?, null, 'processed', null, 1)",
  );
  const salt = mix32(opts.seed ^ 0x9e3779b9);
  const SENDERS = [["alertmanager", 65], ["grafana", 25], ["generic", 10]] as const;
  const HEADERS: Record<string, string> = {
    alertmanager: JSON.stringify({ "content-type": "application/json", "user-agent": "Alertmanager/0.27.0" }),
    grafana: JSON.stringify({ "content-type": "application/json", "user-agent": "Grafana" }),
    generic: JSON.stringify({ "content-type": "application/json", "user-agent": "curl/8.5.0" }),
  };

  const writeAlert = (r: number) => {
    const id = r + 1;
    const rule = RULES[alertPlan.rule[r]];
    const incidentId = alertPlan.incident[r] || null;
    const inc = incidentId ? plans[incidentId - 1] : null;
    // Incidents opened by the webhook carry an Alertmanager group key, so their alerts came from Alertmanager.
    const sender = inc?.source === "webhook" ? "alertmanager" : rng.table(SENDERS);
    const mi = alertPlan.model[r];
    const model = mi >= 0 ? models[mi] : null;
    const starts = alertPlan.start[r];
    const version = model ? (inc?.rollback && inc.model === mi ? liveAt(model, starts) : servingAt(model, starts)) : null;
    const ago = now - starts;
    let firing: boolean;
    if (inc) firing = (inc.status === "draft" || inc.status === "investigating") && rng.chance(0.7);
    else firing = ago < DAY ? rng.chance(0.4) : rng.chance(0.01);
    let ends: number | null = null;
    if (!firing) {
      const d = rng.duration(35 * MIN, 1.2, MIN, 3 * DAY);
      ends = starts + d;
      const cap = inc?.resolvedAt ?? now;
      if (ends > cap) ends = Math.max(starts + MIN, cap);
      if (ends > now) firing = true;
    }
    if (firing) ends = null;
    const firstReceived = Math.min(now, starts + rng.int(5_000, 60_000));
    const lastReceived = firing ? Math.max(firstReceived, now - rng.int(0, 4 * HOUR)) : Math.max(firstReceived, Math.min(now, (ends as number) + rng.int(5_000, 60_000)));
    const noisy = rule.noise >= 10;
    const fireCount = noisy ? 1 + Math.floor(-Math.log(1 - rng.next()) * 6) : rng.chance(0.2) ? rng.int(2, 3) : 1;
    const deliveryCount = fireCount + Math.min(50, Math.floor((lastReceived - firstReceived) / (4 * HOUR))) + (firing ? 0 : 1);
    const team = model ? model.spec.team : PLATFORM_TEAMS.infra;
    const region = rng.pick(REGIONS);
    const labels: Record<string, string> = { alertname: rule.name, severity: rule.severity };
    if (model && version) {
      labels.model = model.spec.name;
      labels.model_version = version.version;
    }
    labels.team = team;
    labels.env = "prod";
    labels.region = region;
    if (sender === "grafana") labels.grafana_folder = "ML production";
    const annotations = {
      summary: fmt(rule.summary, { model: model?.spec.name ?? "shared" }),
      runbook_url: `https://runbooks.example.com/ml/${rule.name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}`,
    };
    const fingerprint = rng.hex(8) + mix32((id ^ salt) >>> 0).toString(16).padStart(8, "0");
    const triage = inc
      ? rng.chance(0.75) ? "actionable" : "unreviewed"
      : ago > 7 * DAY
        ? rng.table([["noise", 50], ["unreviewed", 42], ["actionable", 8]] as const)
        : rng.table([["unreviewed", 85], ["noise", 12], ["actionable", 3]] as const);
    const labelsJson = JSON.stringify(labels);
    const annotationsJson = JSON.stringify(annotations);
    insAlert.run(
      id, sender, fingerprint, rule.name, firing ? "firing" : "resolved", rule.severity, labelsJson, annotationsJson,
      starts, ends, firstReceived, lastReceived, fireCount, deliveryCount, incidentId, version?.id ?? null, triage,
    );
    counts.alerts++;

    // Keep the raw body of about one alert in ten, as the webhook endpoint would have stored it.
    if (r % 10 === 0) {
      const status = firing ? "firing" : "resolved";
      const alertJson = {
        status,
        labels,
        annotations,
        startsAt: iso(starts),
        endsAt: ends === null ? "0001-01-01T00:00:00Z" : iso(ends),
        generatorURL: `https://prometheus.example.com/graph?g0.expr=${encodeURIComponent(rule.name)}`,
        fingerprint,
      };
      const groupKey = `{}:{alertname="${rule.name}"${model ? `, model="${model.spec.name}"` : ""}}`;
      let body: unknown;
      if (sender === "generic") {
        body = { alerts: [{ name: rule.name, status, severity: rule.severity, fingerprint, labels, annotations, startsAt: alertJson.startsAt, ...(ends === null ? {} : { endsAt: alertJson.endsAt }) }] };
      } else {
        body = {
          version: sender === "grafana" ? "1" : "4",
          groupKey,
          truncatedAlerts: 0,
          status,
          receiver: "faultline",
          groupLabels: { alertname: rule.name },
          commonLabels: labels,
          commonAnnotations: annotations,
          externalURL: sender === "grafana" ? "https://grafana.example.com/" : "https://alertmanager.example.com",
          alerts: [alertJson],
          ...(sender === "grafana" ? { orgId: 1, title: `[${status.toUpperCase()}:1] ${rule.name}`, state: firing ? "alerting" : "ok", message: annotations.summary } : {}),
        };
      }
      const raw = JSON.stringify(body);
      insDelivery.run(sender, lastReceived, HEADERS[sender], raw, sha256(raw));
      counts.deliveries++;
    }
  };

  const alertBar = new Progress("alerts");
  for (let i = 0; i < alertPlan.count; i += BATCH_ALERTS) {
    const stop = Math.min(alertPlan.count, i + BATCH_ALERTS);
    sqlite.transaction(() => {
      for (let r = i; r < stop; r++) {
        writeAlert(r);
        if ((r & 1023) === 0) alertBar.update(r, alertPlan.count);
      }
    })();
    alertBar.update(stop, alertPlan.count);
  }

  // The insights columns (class copies, repeat flags) are derived in bulk, as after any bulk load.
  db.transaction((tx) => {
    syncIncidentClassColumns(tx);
    recomputeAllRepeats(tx);
  });
  sqlite.pragma("analyze");
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.close();

  // --- Summary -------------------------------------------------------------------------------------------------
  const byStatus = new Map<string, number>();
  for (const p of plans) byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1);
  const classified = plans.filter((p) => p.primary).length;
  const nonMl = plans.filter((p) => p.primary && tax.byId.get(p.top)?.family !== "ml").length;
  const repeats = plans.filter((p) => p.repeatOf && p.primary).length;
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const line = (label: string, n: number, extra = "") => `  ${label.padEnd(22)} ${String(n).padStart(9)}${extra ? `  ${extra}` : ""}`;
  const out = [
    `Seeded ${opts.db} (seed ${opts.seedLabel}) in ${secs} s`,
    line("models", models.length),
    line("model versions", versionCount),
    line(
      "incidents",
      counts.incidents,
      [...byStatus].sort((a, b) => STATUS_RANK[a[0] as Status] - STATUS_RANK[b[0] as Status]).map(([s, n]) => `${s} ${n}`).join(", "),
    ),
    line("  classified", classified, classified ? `${Math.round((100 * nonMl) / classified)}% non-ML root causes, ${repeats} repeats` : ""),
    line("incident classes", counts.classes),
    line("incident models", counts.links),
    line("timeline events", counts.events),
    line("action items", counts.actions),
    line("postmortem revisions", counts.revisions),
    line("alerts", counts.alerts, `${plans.reduce((s, p) => s + p.alertIds.length, 0)} linked to incidents`),
    line("alert deliveries", counts.deliveries),
  ];
  if (createdUsers) {
    out.push(
      "",
      "Sign in with (password for all three):",
      `  admin@example.com   / ${DEMO_PASSWORD}   (admin)`,
      `  editor@example.com  / ${DEMO_PASSWORD}   (editor)`,
      `  viewer@example.com  / ${DEMO_PASSWORD}   (viewer)`,
    );
  } else {
    out.push("", "Existing users were kept; no accounts were created.");
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

await main();
