// Incident planning: when each incident starts, what broke, on which model and team, whether it repeats an
// earlier one, and (timing) its severity, detection, milestones and a status consistent with them.
import { DAY, HOUR, MIN, WINDOW, type Detection, type Severity, type Status } from "./common";
import { MODELS, PLATFORM_TEAMS } from "./catalogue";
import { pickStory, pickTop, ROLLBACK_CLASSES, type Taxonomy } from "./classes";
import type { ModelState, Version } from "./plan-models";
import type { Rng } from "./rng";
import type { Rule } from "./rules";
import { modelFor } from "./stories";

export type Plan = {
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

function teamFor(rng: Rng, top: string, model: number): string {
  if ((top === "dependency" || top === "data") && rng.chance(0.3)) return PLATFORM_TEAMS.data;
  if ((top === "capacity" || top === "orchestration") && rng.chance(0.4)) return PLATFORM_TEAMS.infra;
  return MODELS[model].team;
}

/** Plans n incidents: start times first, then every top-level class assigned once, then each incident's cause. */
export function planIncidents(rng: Rng, n: number, now: number, tax: Taxonomy, models: ModelState[]): Plan[] {
  const plans = planStarts(rng, n, now, tax, models);
  forceEveryTopClass(rng, plans, tax);
  assignCauses(rng, plans, tax, models);
  return plans;
}

const blank = (start: number): Plan => ({
  id: 0, start, draft: false, rollback: null, forced: null, story: "", top: "", primary: null, model: 0, team: "",
  repeatOf: null, hasRepeat: false, severity: "SEV3", detection: "alert", detectedAt: start, mitigatedAt: null,
  resolvedAt: null, closedAt: null, status: "investigating", source: "manual", groupKey: null, draftRule: null, alertIds: [],
});

/** Webhook drafts, rolled-back canaries, a few recent incidents and the rest over the window; ids follow start time. */
function planStarts(rng: Rng, n: number, now: number, tax: Taxonomy, models: ModelState[]): Plan[] {
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
  return plans;
}

/** Makes sure every top-level class appears at least once. */
function forceEveryTopClass(rng: Rng, plans: Plan[], tax: Taxonomy): void {
  const regular = plans.filter((p) => !p.draft && !p.rollback);
  const covered = new Set(plans.filter((p) => p.rollback).map((p) => p.top));
  for (const t of tax.tops) {
    if (covered.has(t.id) || regular.length === 0) continue;
    const free = regular.filter((p) => !p.forced);
    if (!free.length) break;
    rng.pick(free).forced = t.id;
  }
}

/** Class, story, model and team of each incident; about one in eight repeats a recent incident's class. */
function assignCauses(rng: Rng, plans: Plan[], tax: Taxonomy, models: ModelState[]): void {
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
}

const ML_SLOW = new Set(["data", "quality", "feedback", "labels"]);

/** Severity, detection, milestone times and a status consistent with them (all relative to `now`). */
export function timing(rng: Rng, p: Plan, now: number): void {
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
