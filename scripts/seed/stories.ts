// What each failure class looks like as an incident: a few titles and one cause sentence per (sub)class.
import { MODELS } from "./catalogue";
import type { Rng } from "./rng";

// Titles (several per subclass) and one cause sentence. Placeholders: {model} {team} {feature} {table} {region}
// {vendor} {store} {job} {slice} {metric} {product} {pct} {n} {other} {otherTeam}.
export type Story = { titles: string[]; cause: string };
export const STORIES: Record<string, Story> = {
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

export function modelFor(rng: Rng, story: string, count: number): number {
  const allowed = STORY_MODELS[story];
  if (!allowed) return rng.int(0, count - 1);
  const name = rng.pick(allowed);
  return MODELS.findIndex((m) => m.name === name);
}
