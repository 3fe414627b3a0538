import { sql } from "drizzle-orm";
import { DAY_MS } from "../utils/dates";
import type { Conn } from "../utils/db.server";

/** An incident repeats an earlier one when that one has the same primary class, on the same team or model, this recently. */
export const REPEAT_WINDOW_DAYS = 180;
const WINDOW_MS = REPEAT_WINDOW_DAYS * DAY_MS;

/** What decides whether an incident, and the incidents after it, are repeats. */
export type RepeatAnchor = { incidentId: number; classId: string | null; team: string; startedAt: number; modelIds: number[] };

export function repeatAnchor(tx: Conn, incidentId: number): RepeatAnchor | null {
  const row = tx.get<{ classId: string | null; team: string; startedAt: number } | undefined>(
    sql`select primary_class_id as classId, team, started_at as startedAt from incidents where id = ${incidentId}`,
  );
  if (!row) return null;
  const models = tx.all<{ id: number }>(
    sql`select distinct mv.model_id as id from incident_models im join model_versions mv on mv.id = im.model_version_id where im.incident_id = ${incidentId}`,
  );
  return { incidentId, ...row, modelIds: models.map((m) => m.id) };
}

/**
 * Recomputes `incidents.is_repeat` for the anchors' incidents and for the later incidents whose status could
 * depend on them (same class, same team or a shared model, within the window after). Pass the anchor as it was
 * before a change and as it is after, so both the old and the new neighbours are refreshed.
 */
export function refreshRepeats(tx: Conn, anchors: (RepeatAnchor | null)[]): void {
  const ids = new Set<number>();
  for (const a of anchors) {
    if (!a) continue;
    ids.add(a.incidentId);
    if (!a.classId) continue;
    const later = sql`primary_class_id = ${a.classId} and started_at > ${a.startedAt} and started_at <= ${a.startedAt + WINDOW_MS}`;
    if (a.team) {
      for (const r of tx.all<{ id: number }>(sql`select id from incidents where ${later} and team = ${a.team}`)) ids.add(r.id);
    }
    if (a.modelIds.length) {
      const rows = tx.all<{ id: number }>(
        sql`select id from incidents where ${later} and id in (select im.incident_id from incident_models im
          join model_versions mv on mv.id = im.model_version_id where mv.model_id in ${a.modelIds})`,
      );
      for (const r of rows) ids.add(r.id);
    }
  }
  for (const id of ids) {
    tx.run(sql`update incidents set is_repeat = (
      primary_class_id is not null and (
        (team <> '' and exists (select 1 from incidents e where e.primary_class_id = incidents.primary_class_id
          and e.team = incidents.team and e.started_at < incidents.started_at and e.started_at >= incidents.started_at - ${WINDOW_MS}))
        or exists (select 1 from incident_models b join model_versions vb on vb.id = b.model_version_id
          join model_versions va on va.model_id = vb.model_id join incident_models a on a.model_version_id = va.id
          join incidents e on e.id = a.incident_id
          where b.incident_id = incidents.id and e.primary_class_id = incidents.primary_class_id
            and e.started_at < incidents.started_at and e.started_at >= incidents.started_at - ${WINDOW_MS})
      )) where id = ${id}`);
  }
}

/** Recomputes every incident's repeat flag in one pass (after bulk loads): window counts per class and team or model. */
export function recomputeAllRepeats(tx: Conn): void {
  tx.run(sql`update incidents set is_repeat = (id in (
    select id from (
      select id, count(*) over (partition by primary_class_id, team order by started_at
        range between ${WINDOW_MS} preceding and 1 preceding) as earlier
      from incidents where primary_class_id is not null and team <> ''
    ) where earlier > 0
    union
    select id from (
      select x.id, count(*) over (partition by x.class_id, x.model_id order by x.started_at
        range between ${WINDOW_MS} preceding and 1 preceding) as earlier
      from (select distinct i.id, i.started_at, i.primary_class_id as class_id, mv.model_id
        from incidents i join incident_models im on im.incident_id = i.id join model_versions mv on mv.id = im.model_version_id
        where i.primary_class_id is not null) x
    ) where earlier > 0
  ))`);
}

/**
 * Re-derives every incident's copies of its primary class (class, top-level class, family, status) from
 * incident_classes and the taxonomy; for bulk loads and taxonomy edits. Returns the number of rows changed.
 */
export function syncIncidentClassColumns(tx: Conn): number {
  return tx.run(sql`update incidents set primary_class_id = c.class_id, top_class_id = c.top, family = c.family,
      class_status = case when c.class_id is null then null else coalesce(incidents.class_status, 'confirmed') end
    from (select i.id, ic.class_id, coalesce(fc.parent_id, fc.id) as top, fc.family
      from incidents i left join incident_classes ic on ic.incident_id = i.id and ic.role = 'primary'
      left join failure_classes fc on fc.id = ic.class_id) c
    where c.id = incidents.id and (incidents.primary_class_id is not c.class_id or incidents.top_class_id is not c.top
      or incidents.family is not c.family or (incidents.class_status is null) <> (c.class_id is null))`).changes;
}
