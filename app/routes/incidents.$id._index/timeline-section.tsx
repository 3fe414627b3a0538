import { MANUAL_TIMELINE_KINDS } from "../../../db/schema";
import { Field } from "~/components/field";
import { ActionsHeader, IntentForm } from "~/components/intent-form";
import { formatUtc } from "~/utils/dates";
import type { FormResult, IncidentPageData } from "./route";

export function TimelineSection({
  timeline,
  canEdit,
  now,
  result,
}: {
  timeline: IncidentPageData["timeline"];
  canEdit: boolean;
  now: string;
  result?: FormResult;
}) {
  const errors = result?.errors;
  return (
    <section>
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
              <tr key={e.id} className={e.kind === "status" ? "timeline-status" : undefined}>
                <td>{formatUtc(e.at)}</td>
                <td>{e.kind}</td>
                <td style={{ whiteSpace: "pre-wrap" }}>{e.body}</td>
                <td>{e.author ?? "alert"}</td>
                {canEdit ? (
                  <td>
                    {e.kind === "status" ? null : (
                      <IntentForm intent="timeline.delete">
                        <button type="submit" name="eventId" value={e.id} className="link" aria-label={`Delete entry ${formatUtc(e.at)}`}>
                          Delete
                        </button>
                      </IntentForm>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No timeline entries yet.</p>
      )}
      {canEdit ? (
        <IntentForm intent="timeline.add" label="Add timeline entry" error={errors?.form} className="card" style={{ marginTop: "0.6rem" }}>
          <div className="grid">
            <Field label="Time (UTC)" name="at" error={errors?.at}>
              <input id="at" name="at" type="datetime-local" required defaultValue={result ? result.values.at : now} />
            </Field>
            <Field label="Kind" name="kind" error={errors?.kind}>
              <select id="kind" name="kind" defaultValue="observation">
                {MANUAL_TIMELINE_KINDS.map((k) => (
                  <option key={k}>{k}</option>
                ))}
              </select>
            </Field>
          </div>
          <Field label="What happened" name="body" error={errors?.body}>
            <textarea id="body" name="body" rows={2} required defaultValue={result ? result.values.body : ""} />
          </Field>
          <button type="submit">Add to timeline</button>
        </IntentForm>
      ) : null}
    </section>
  );
}
