// The words of one incident: the placeholder values drawn for it, its cause, and its title, summary and impact.
import { DAY, fmt, HOUR, MIN } from "./common";
import { JOBS, MITIGATIONS, MODELS, REGIONS, STORES, VENDORS, type ModelSpec } from "./catalogue";
import type { Plan } from "./plan-incidents";
import type { Rng } from "./rng";
import { RULES } from "./rules";
import { STORIES, type Story } from "./stories";

export type IncidentWords = {
  spec: ModelSpec;
  /** Index of a neighbouring model ({other}, {otherTeam}, a second affected version). */
  otherIdx: number;
  vars: Record<string, string | number>;
  story: Story | null;
  className: string;
  cause: string;
  mitigation: string;
  detectedBy: string;
  /** Time from start to detection, in ms and in words. */
  lag: number;
  lagText: string;
};

export type IncidentText = { title: string; summary: string; impact: string };

/** Draws the placeholder values and the mitigation (in this order: the seed's sequence depends on it). */
export function drawWords(rng: Rng, p: Plan): IncidentWords {
  const spec = MODELS[p.model];
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
  const detectedBy = { alert: "an alert", dashboard: "a dashboard review", user_report: "a user report", test: "a failing test", other: "someone who noticed" }[p.detection];
  const lag = p.detectedAt - p.start;
  const lagText = lag < HOUR ? `${Math.max(1, Math.round(lag / MIN))} minutes` : lag < 2 * DAY ? `${Math.round(lag / HOUR)} hours` : `${Math.round(lag / DAY)} days`;
  return { spec, otherIdx, vars, story, className, cause, mitigation, detectedBy, lag, lagText };
}

/** Title, summary and impact; a webhook draft only says which alert opened it. */
export function describeIncident(rng: Rng, p: Plan, w: IncidentWords): IncidentText {
  const { spec, vars, story, className, cause, mitigation, detectedBy, lagText } = w;
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
  return { title, summary, impact };
}
