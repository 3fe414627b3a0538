// How an incident is classified (one primary class, 0-2 contributing classes from other top-level classes, 0-2
// contributing factors) and which model versions it is linked to.
import { HOUR } from "./common";
import type { Taxonomy } from "./classes";
import type { Plan } from "./plan-incidents";
import { servingAt, type ModelState } from "./plan-models";
import type { Rng } from "./rng";

export type IncidentClasses = { contributing: string[]; factors: string[] };

/** Contributing classes and factors beside the plan's primary class; `lag` (ms to detection) favours alert fatigue. */
export function pickIncidentClasses(rng: Rng, tax: Taxonomy, p: Plan, lag: number): IncidentClasses {
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
  return { contributing, factors };
}

/** Model versions serving at the start: the rolled-back canary and its predecessor, or the serving version. */
export function linkModelVersions(rng: Rng, tax: Taxonomy, p: Plan, models: ModelState[], otherIdx: number): [number, string][] {
  const serving = servingAt(models[p.model], p.start);
  const links: [number, string][] = [];
  if (p.rollback) {
    links.push([p.rollback.id, "rolled_back_from"], [serving.id, "rolled_back_to"]);
  } else {
    links.push([serving.id, tax.byId.get(p.top)?.family === "ml" ? "suspected_cause" : "affected"]);
  }
  if (!p.draft && rng.chance(0.2)) links.push([servingAt(models[otherIdx], p.start).id, "affected"]);
  return links;
}
