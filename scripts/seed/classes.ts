// The failure taxonomy as the seed uses it: the active classes from the database, how often each is the root
// cause, and the trigger and lifecycle stage that fit a class.
import type { Db } from "../../db/client";
import type { Stage, Trigger } from "./common";
import type { Rng } from "./rng";

export type ClassRow = { id: string; parentId: string | null; family: string | null; kind: string };

export type Taxonomy = {
  tops: ClassRow[];
  subsOf: Map<string, ClassRow[]>;
  all: ClassRow[];
  factors: ClassRow[];
  byId: Map<string, ClassRow>;
  topIdsByFamily: { ml: string[]; nonMl: string[] };
};

export function readTaxonomy(db: Db): Taxonomy {
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

export function pickTop(rng: Rng, tax: Taxonomy): string {
  const { ml, nonMl } = tax.topIdsByFamily;
  // Most production ML incidents have conventional, non-ML root causes (How ML Breaks: about 60 of 96).
  const fam = nonMl.length && (!ml.length || rng.chance(0.6)) ? nonMl : ml;
  return rng.weighted(fam, fam.map((id) => TOP_WEIGHTS[id] ?? 1));
}

export function pickStory(rng: Rng, tax: Taxonomy, top: string): string {
  const subs = tax.subsOf.get(top) ?? [];
  if (!subs.length) return top;
  return rng.weighted(subs.map((s) => s.id), subs.map((s) => SUB_WEIGHTS[s.id] ?? 1));
}

// Relative weights of top-level classes within their family (unknown classes weigh 1).
const TOP_WEIGHTS: Record<string, number> = {
  change: 0.3, dependency: 0.24, capacity: 0.2, orchestration: 0.13, software: 0.13,
  data: 0.28, compat: 0.15, training: 0.15, quality: 0.18, labels: 0.12, feedback: 0.08,
};
const SUB_WEIGHTS: Record<string, number> = { "change.binary-push": 3, "change.config-push": 2.5, "data.corruption": 2, "capacity.accelerator-fault": 1.5 };
export const ROLLBACK_CLASSES: [string, number][] = [
  ["change.binary-push", 0.35],
  ["change.config-push", 0.25],
  ["compat.wrong-version", 0.15],
  ["quality.accuracy-regression", 0.15],
  ["training.hyperparameter-change", 0.1],
];

export function triggerFor(rng: Rng, sub: string, top: string): Trigger {
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

export function stageFor(rng: Rng, top: string): Stage {
  const t = (pairs: [Stage, number][]) => rng.table(pairs);
  switch (top) {
    case "data": case "labels": case "dependency": return t([["data_collection", 0.8], ["monitoring_response", 0.2]]);
    case "training": return t([["experimentation", 0.8], ["evaluation_deployment", 0.2]]);
    case "change": case "compat": return t([["evaluation_deployment", 0.85], ["monitoring_response", 0.15]]);
    case "quality": case "feedback": return t([["monitoring_response", 0.7], ["evaluation_deployment", 0.3]]);
  }
  return t([["monitoring_response", 0.4], ["experimentation", 0.3], ["data_collection", 0.2], ["evaluation_deployment", 0.1]]);
}
