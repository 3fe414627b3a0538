// An incident's timeline: 3-8 events from its start to its resolution (or now). A webhook draft holds only the
// note that opened it and the alerts that fired.
import { HOUR, MIN } from "./common";
import type { AlertPlan } from "./plan-alerts";
import type { Plan } from "./plan-incidents";
import { servingAt, type ModelState } from "./plan-models";
import type { Rng } from "./rng";
import { RULES } from "./rules";
import type { IncidentWords } from "./incident-text";

export type TimelineEvent = { at: number; kind: string; body: string; alert: number | null; author: number | null };

type Ev = TimelineEvent;

export function planTimeline(
  rng: Rng,
  now: number,
  p: Plan,
  model: ModelState,
  words: IncidentWords,
  owner: number | null,
  alertPlan: AlertPlan,
): TimelineEvent[] {
  // Drawn for drafts too (unused there), so the random stream stays as it always was.
  const end = p.resolvedAt ?? p.mitigatedAt ?? Math.max(p.detectedAt, Math.min(now, p.detectedAt + rng.int(10 * MIN, 6 * HOUR)));
  return p.draft ? draftTimeline(now, p, words, alertPlan) : workedTimeline(rng, p, model, words, owner, alertPlan, end);
}

/** The note that opened a webhook draft and the alerts that fired (repeat notifications fill it up to three). */
function draftTimeline(now: number, p: Plan, words: IncidentWords, alertPlan: AlertPlan): Ev[] {
  const { spec } = words;
  const alertRule = (id: number) => RULES[alertPlan.rule[id - 1]];
  const events: Ev[] = [];
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
  return events;
}

/** Start, detection, a few middle steps (up to `end`), then mitigation and resolution. */
function workedTimeline(rng: Rng, p: Plan, model: ModelState, words: IncidentWords, owner: number | null, alertPlan: AlertPlan, end: number): Ev[] {
  const { spec, vars, detectedBy, mitigation } = words;
  const alertRule = (id: number) => RULES[alertPlan.rule[id - 1]];
  const events: Ev[] = [];
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
  return events;
}
