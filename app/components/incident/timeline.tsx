import { Link } from "@remix-run/react";
import { MANUAL_TIMELINE_KINDS } from "../../../db/schema";
import { formatUtc } from "~/utils/dates";
import { Field, FormError } from "../field";
import { DeleteButton, InPlaceForm, type FormResult } from "./fetcher-form";
import { ActionsHeader } from "../intent-form";

export type TimelineRow = { id: number; at: number; kind: string; body: string; author: string | null };

/** The incident's timeline: each entry editable and deletable (with a confirmation), and a form to add one. */
export function TimelineSection({ incidentId, timeline, canEdit, now, result }: { incidentId: number; timeline: TimelineRow[]; canEdit: boolean; now: string; result?: FormResult }) {
  return (
    <section id="timeline">
      <h2>Timeline</h2>
      {timeline.length ? (
        <table>
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Kind</th>
              <th>What happened</th>
              <th>By</th>
              {canEdit ? <ActionsHeader /> : null}
            </tr>
          </thead>
          <tbody>
            {timeline.map((e) => (
              <tr key={e.id} id={`timeline-${e.id}`} className={e.kind === "status" ? "timeline-status" : undefined}>
                <td>{formatUtc(e.at)}</td>
                <td>{e.kind}</td>
                <td style={{ whiteSpace: "pre-wrap" }}>{e.body}</td>
                <td>{e.author ?? "alert"}</td>
                {canEdit && e.kind === "status" ? <td /> : null}
                {canEdit && e.kind !== "status" ? (
                  <td className="row no-print">
                    <Link to={`/incidents/${incidentId}/timeline/${e.id}`} aria-label={`Edit entry ${formatUtc(e.at)}`}>
                      Edit
                    </Link>
                    <DeleteButton
                      confirmUrl={`/incidents/${incidentId}/timeline/${e.id}?confirm=delete`}
                      action={`/incidents/${incidentId}/timeline/${e.id}`}
                      what={`the entry of ${formatUtc(e.at)}`}
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No timeline entries yet. Add what happened, when, as you learn it: the postmortem draft is written from these.</p>
      )}
      {canEdit ? (
        <InPlaceForm intent="timeline.add" label="Add timeline entry" className="card no-print" result={result}>
          {(errors, values) => <TimelineFields errors={errors} values={values} defaults={{ at: now, kind: "observation", body: "" }} />}
        </InPlaceForm>
      ) : null}
    </section>
  );
}

/** The fields of a timeline entry, for adding one and for editing one. */
export function TimelineFields({
  errors,
  values,
  defaults,
  submit = "Add to timeline",
}: {
  errors?: Record<string, string>;
  values?: Record<string, string>;
  defaults: { at: string; kind: string; body: string };
  submit?: string;
}) {
  return (
    <>
      <FormError error={errors?.form} />
      <div className="grid">
        <Field label="Time (UTC)" name="at" error={errors?.at}>
          <input id="at" name="at" type="datetime-local" step={1} required defaultValue={values?.at ?? defaults.at} />
        </Field>
        <Field label="Kind" name="kind" error={errors?.kind}>
          <select id="kind" name="kind" defaultValue={values?.kind ?? defaults.kind}>
            {MANUAL_TIMELINE_KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </Field>
      </div>
      <Field label="What happened" name="body" error={errors?.body}>
        <textarea id="body" name="body" rows={2} required defaultValue={values?.body ?? defaults.body} />
      </Field>
      <button type="submit">{submit}</button>
    </>
  );
}
