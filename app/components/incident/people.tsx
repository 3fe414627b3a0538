import { Form } from "@remix-run/react";
import { CsrfInput } from "../csrf";
import type { Person } from "./action-items";

/** A choice of one person (or nobody, the empty value). */
export function PersonSelect({ name, people, value, id, nobody = "Nobody" }: { name: string; people: Person[]; value?: number | string | null; id?: string; nobody?: string }) {
  return (
    <select id={id} name={name} defaultValue={value ?? ""}>
      <option value="">{nobody}</option>
      {people.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </select>
  );
}

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
              Owner <PersonSelect name="ownerId" people={people} value={owner?.id} />
            </label>
            <label>
              Lead <PersonSelect name="leadId" people={people} value={lead?.id} />
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
