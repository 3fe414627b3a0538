// Writes the planned incidents with their children (timeline, action items, classes, model links, postmortem
// revision, audit entry) in batches, one transaction per batch.
import type { Db } from "../../db/client";
import { Progress } from "../lib/cli";
import { MIN, STATUS_RANK, type SeedCounts } from "./common";
import { planActionItems } from "./action-items";
import { stageFor, triggerFor, type Taxonomy } from "./classes";
import { linkModelVersions, pickIncidentClasses } from "./incident-classes";
import { describeIncident, drawWords } from "./incident-text";
import type { AlertPlan } from "./plan-alerts";
import type { Plan } from "./plan-incidents";
import type { ModelState } from "./plan-models";
import { writePostmortem, type TemplateShape } from "./postmortem";
import type { Rng } from "./rng";
import { planTimeline } from "./timeline";

const BATCH_INCIDENTS = 1_000; // ~20 rows each with their children

export type IncidentWorld = {
  rng: Rng;
  now: number;
  tax: Taxonomy;
  models: ModelState[];
  plans: Plan[];
  alertPlan: AlertPlan;
  shape: TemplateShape;
  /** Users who may own incidents, and the admin the audit entries name. */
  owners: number[];
  admin: { id: number; email: string } | null;
};

function prepareStatements(sqlite: Db["$client"]) {
  return {
    incident: sqlite.prepare(
      `insert into incidents (id, title, status, severity, team, summary, impact, detection_source, started_at, detected_at,
       mitigated_at, resolved_at, postmortem_md, postmortem_rev, trigger, lifecycle_stage, owner_id, source, group_key,
       version, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    cls: sqlite.prepare("insert into incident_classes (incident_id, class_id, role) values (?, ?, ?)"),
    link: sqlite.prepare("insert into incident_models (incident_id, model_version_id, role) values (?, ?, ?)"),
    event: sqlite.prepare(
      "insert into timeline_events (incident_id, at, kind, body, alert_id, author_id, created_at) values (?, ?, ?, ?, ?, ?, ?)",
    ),
    action: sqlite.prepare(
      "insert into action_items (incident_id, title, owner, due_at, status, kind, completed_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    revision: sqlite.prepare("insert into postmortem_revisions (incident_id, rev, markdown, author_id, created_at) values (?, ?, ?, ?, ?)"),
    audit: sqlite.prepare(
      "insert into audit_log (at, actor_id, actor_label, action, entity, entity_id, detail) values (?, ?, ?, 'create', 'incident', ?, ?)",
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** One incident and its children. The steps draw from the seed's random stream in a fixed order. */
function writeIncident(w: IncidentWorld, ins: Statements, counts: SeedCounts, p: Plan): void {
  const { rng, now, tax, models, owners, admin } = w;
  const words = drawWords(rng, p);
  const owner = p.draft || !owners.length ? null : rng.pick(owners);
  const text = describeIncident(rng, p, words);
  const events = planTimeline(rng, now, p, models[p.model], words, owner, w.alertPlan);
  const { actions, actionsFrom } = planActionItems(rng, now, p, words.vars);
  const classes = pickIncidentClasses(rng, tax, p, words.lag);
  const links = linkModelVersions(rng, tax, p, models, words.otherIdx);
  const { md, rev, revAt } = writePostmortem(rng, now, p, w.shape, { words, text, events, actions, classes });
  const { contributing, factors } = classes;
  const { title, summary, impact } = text;

  const createdAt = Math.min(now, p.detectedAt + (p.draft ? 0 : rng.int(0, 20 * MIN)));
  const updatedAt = Math.max(createdAt, p.closedAt ?? 0, revAt, events[events.length - 1].at);
  const version = p.draft ? 1 : STATUS_RANK[p.status] + rng.int(0, 3) + rev;
  const described = p.primary !== null || rng.chance(0.5);
  ins.incident.run(
    p.id, title, p.status, p.severity, p.team, summary, impact, p.detection, p.start, p.detectedAt,
    p.mitigatedAt, p.resolvedAt, md, rev,
    p.draft || !described ? null : triggerFor(rng, p.story, p.top),
    p.draft || !described ? null : stageFor(rng, p.top),
    owner, p.source, p.groupKey, version, createdAt, updatedAt,
  );
  for (const e of events) ins.event.run(p.id, e.at, e.kind, e.body, e.alert, e.author, e.at);
  for (const a of actions) ins.action.run(p.id, a.title, a.owner, a.due, a.status, a.kind, a.done, actionsFrom);
  if (p.primary) ins.cls.run(p.id, p.primary, "primary");
  for (const c of contributing) ins.cls.run(p.id, c, "contributing");
  for (const f of factors) ins.cls.run(p.id, f, "factor");
  for (const [v, role] of links) ins.link.run(p.id, v, role);
  if (rev) ins.revision.run(p.id, 1, md, owner, revAt);
  if (admin) ins.audit.run(createdAt, admin.id, admin.email, String(p.id), JSON.stringify({ title, severity: p.severity }));
  counts.incidents++;
  counts.events += events.length;
  counts.actions += actions.length;
  counts.classes += (p.primary ? 1 : 0) + contributing.length + factors.length;
  counts.links += links.length;
  counts.revisions += rev;
}

export function writeIncidents(sqlite: Db["$client"], w: IncidentWorld, counts: SeedCounts): void {
  const ins = prepareStatements(sqlite);
  const { plans } = w;
  const incidentBar = new Progress("incidents");
  for (let i = 0; i < plans.length; i += BATCH_INCIDENTS) {
    const batch = plans.slice(i, i + BATCH_INCIDENTS);
    sqlite.transaction(() => {
      for (let j = 0; j < batch.length; j++) {
        writeIncident(w, ins, counts, batch[j]);
        if ((j & 63) === 0) incidentBar.update(i + j, plans.length);
      }
    })();
    incidentBar.update(i + batch.length, plans.length);
  }
}
