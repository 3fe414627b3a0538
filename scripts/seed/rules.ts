// The alert rules the demo fleet runs, which failure classes each would catch, and how noisy each is.
import type { Severity } from "./common";
import type { Rng } from "./rng";

export type Rule = { name: string; severity: "critical" | "warning" | "info"; noise: number; classes: string[]; summary: string; models?: string[] };
export const RULES: Rule[] = [
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

/** Alert rules that would fire for a failure of this class: exact subclass matches first, then the top-level class. */
export function rulesFor(story: string, top: string, model: string): { exact: number[]; related: number[] } {
  const fits = (r: Rule) => !r.models || r.models.includes(model);
  const exact = RULES.flatMap((r, i) => (r.classes.includes(story) && fits(r) ? [i] : []));
  const related = RULES.flatMap((r, i) => (r.classes.includes(top) && fits(r) && !exact.includes(i) ? [i] : []));
  if (!exact.length && !related.length) exact.push(RULES.findIndex((r) => r.name === "ModelServingErrorRate"));
  return { exact, related };
}

export function pickRule(rng: Rng, rules: { exact: number[]; related: number[] }): number {
  return rules.exact.length && (!rules.related.length || rng.chance(0.7)) ? rng.pick(rules.exact) : rng.pick(rules.related);
}

export const INFRA_RULES = new Set(["DiskUsageHigh", "KubePodCrashLooping", "GPUUtilizationLow", "GPUMemoryECCErrors"]);
export const DRAFT_SEVERITY: Record<Rule["severity"], Severity> = { critical: "SEV1", warning: "SEV3", info: "SEV4" };
