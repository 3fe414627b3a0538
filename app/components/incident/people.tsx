import { Form } from "@remix-run/react";
import { CsrfInput } from "../csrf";
import type { Person } from "./action-items";

/** Who owns the incident (answers for the write-up and its follow-through) and who leads the response. */
export function PeoplePanel({
  incidentId,
  owner,
  lead,
  people,
  me,
  canEdit,
  claim = true,
}: {
  incidentId: number;
  owner: Person | null;
  lead: Person | null;
  people: Person[];
  me: number | undefined;
  canEdit: boolean;
  /** Off where the triage panel already offers the claim. */
  claim?: boolean;
}) {
  return (
    <section id="people" aria-label="People">
      <dl className="facts card">
        <dt>Owner</dt>
        <dd>
          {owner?.name ?? <span className="muted">nobody yet</span>}
          {canEdit && claim && owner?.id !== me ? (
            <Form method="post" action={`/incidents/${incidentId}/people`} className="inline no-print" preventScrollReset>
              <CsrfInput />{" "}
              <button type="submit" name="intent" value="claim" className="secondary">
                {owner ? "Take over" : "Claim it"}
              </button>
            </Form>
          ) : null}
        </dd>
        <dt>Incident lead</dt>
        <dd>{lead?.name ?? <span className="muted">nobody yet</span>}</dd>
      </dl>
      {canEdit ? (
        <details className="no-print">
          <summary>Change owner or lead</summary>
          <Form method="post" action={`/incidents/${incidentId}/people`} className="row" preventScrollReset>
            <CsrfInput />
            <label>
              Owner{" "}
              <select name="ownerId" defaultValue={owner?.id ?? ""}>
                <option value="">Nobody</option>
                {people.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Lead{" "}
              <select name="leadId" defaultValue={lead?.id ?? ""}>
                <option value="">Nobody</option>
                {people.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" name="intent" value="assign" className="secondary">
              Save people
            </button>
          </Form>
        </details>
      ) : null}
    </section>
  );
}
