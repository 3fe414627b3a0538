// Alert planning: times and links first, sorted so that alert ids follow time.
import { MIN, HOUR, WINDOW } from "./common";
import { MODELS } from "./catalogue";
import type { Plan } from "./plan-incidents";
import type { ModelState } from "./plan-models";
import type { Rng } from "./rng";
import { DRAFT_SEVERITY, INFRA_RULES, pickRule, RULES, rulesFor } from "./rules";

export type AlertPlan = { start: Float64Array; incident: Int32Array; rule: Uint8Array; model: Int8Array; count: number };

const emptyPlan = (m: number): AlertPlan => ({ start: new Float64Array(m), incident: new Int32Array(m), rule: new Uint8Array(m), model: new Int8Array(m), count: m });

/** m alerts: the incidents' alerts first, then unlinked noise, then all sorted by start time. */
export function planAlerts(rng: Rng, m: number, now: number, plans: Plan[], models: ModelState[]): AlertPlan {
  const unsorted = emptyPlan(m);
  const linked = planLinkedAlerts(rng, unsorted, now, plans, models);
  planUnlinkedAlerts(rng, unsorted, linked, now, models);
  return sortByStart(unsorted, plans);
}

/**
 * About 20% of alerts belong to incidents: weighted towards alert-detected incidents and drafts. Also settles each
 * draft's rule and severity and each webhook incident's group key. Returns how many alerts it planned.
 */
function planLinkedAlerts(rng: Rng, a: AlertPlan, now: number, plans: Plan[], models: ModelState[]): number {
  const { start, incident, rule, model, count: m } = a;
  let k = 0;
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
  return k;
}

/** The rest (from index `from`) are unlinked, mostly from a few noisy rules (precision differs widely per rule). */
function planUnlinkedAlerts(rng: Rng, a: AlertPlan, from: number, now: number, models: ModelState[]): void {
  const { start, incident, rule, model, count: m } = a;
  const noise = RULES.map((r) => r.noise);
  const ruleIdx = RULES.map((_, i) => i);
  for (let k = from; k < m; k++) {
    start[k] = now - Math.round(WINDOW * Math.pow(rng.next(), 1.1));
    incident[k] = 0;
    rule[k] = rng.weighted(ruleIdx, noise);
    const only = RULES[rule[k]].models;
    const onlyName = only ? rng.pick(only) : "";
    // Infrastructure rules sometimes fire for shared machines that belong to no model.
    const shared = INFRA_RULES.has(RULES[rule[k]].name) && rng.chance(0.15);
    model[k] = only ? MODELS.findIndex((x) => x.name === onlyName) : shared ? -1 : rng.int(0, models.length - 1);
  }
}

/** Sorts by start time so alert ids follow time, then gives each incident its alert ids. */
function sortByStart(a: AlertPlan, plans: Plan[]): AlertPlan {
  const { start, incident, rule, model, count: m } = a;
  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  order.sort((a, b) => start[a] - start[b] || a - b);
  const sorted = emptyPlan(m);
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
