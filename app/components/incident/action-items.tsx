import { DueCell } from "../due-date";
import { Form, Link } from "@remix-run/react";
import { ACTION_KINDS } from "../../../db/schema";
import { CsrfInput } from "../csrf";
import { Field, FormError } from "../field";
import { DeleteButton, InPlaceForm, type FormResult } from "./fetcher-form";
import { PersonSelect } from "./people";
import { ActionsHeader } from "../intent-form";

export type ActionRow = { id: number; title: string; kind: string; owner: string; assignee: string | null; dueAt: number | null; status: string; overdue: boolean };
export type Person = { id: number; name: string };

/** The incident's action items: assigned to people, marked done, edited and deleted (with a confirmation). */
export function ActionItemsSection({ incidentId, actions, people, canEdit, result }: { incidentId: number; actions: ActionRow[]; people: Person[]; canEdit: boolean; result?: FormResult }) {
  return (
    <section id="actions">
      <h2>Action items</h2>
      {actions.length ? (
        <table>
          <thead>
            <tr>
              <th>Action</th>
              <th>Kind</th>
              <th>Owner</th>
              <th>Due</th>
              <th>Status</th>
              {canEdit ? <ActionsHeader /> : null}
            </tr>
          </thead>
          <tbody>
            {actions.map((a) => (
              <tr key={a.id} id={`action-${a.id}`}>
                <td>{a.title}</td>
                <td>{a.kind}</td>
                <td>{a.assignee ?? (a.owner || "—")}</td>
                <DueCell dueAt={a.dueAt} overdue={a.overdue} />
                <td>
                  <span>{a.status.replace("_", " ")}</span>{" "}
                  {canEdit ? (
                    <Form method="post" className="inline no-print" preventScrollReset>
                      <CsrfInput />
                      <input type="hidden" name="intent" value="action.status" />
                      <input type="hidden" name="actionId" value={a.id} />
                      {a.status === "open" ? (
                        <>
                          <button type="submit" name="status" value="done" className="secondary">
                            Done
                          </button>{" "}
                          <button type="submit" name="status" value="wont_do" className="link">
                            Won’t do
                          </button>
                        </>
                      ) : (
                        <button type="submit" name="status" value="open" className="link">
                          Reopen
                        </button>
                      )}
                    </Form>
                  ) : null}
                </td>
                {canEdit ? (
                  <td className="row no-print">
                    <Link to={`/incidents/${incidentId}/actions/${a.id}`} aria-label={`Edit action ${a.title}`}>
                      Edit
                    </Link>
                    <DeleteButton confirmUrl={`/incidents/${incidentId}/actions/${a.id}?confirm=delete`} action={`/incidents/${incidentId}/actions/${a.id}`} what={`the action “${a.title}”`} />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No action items yet. Add what would prevent, detect or mitigate this next time, each with a person and a due date.</p>
      )}
      {canEdit ? (
        <InPlaceForm intent="action.add" label="Add action item" className="card no-print" result={result}>
          {(errors, values) => <ActionFields errors={errors} values={values} people={people} defaults={{ title: "", owner: "", assigneeId: "", dueAt: "", kind: "prevent" }} />}
        </InPlaceForm>
      ) : null}
    </section>
  );
}

/** The fields of an action item, for adding one and for editing one. */
export function ActionFields({
  errors,
  values,
  people,
  defaults,
  submit = "Add action item",
}: {
  errors?: Record<string, string>;
  values?: Record<string, string>;
  people: Person[];
  defaults: { title: string; owner: string; assigneeId: string; dueAt: string; kind: string };
  submit?: string;
}) {
  const v = { ...defaults, ...values };
  return (
    <>
      <FormError error={errors?.form} />
      <Field label="Action" name="title" error={errors?.title}>
        <input id="title" name="title" required minLength={3} defaultValue={v.title} />
      </Field>
      <div className="grid">
        <Field label="Assigned to" name="assigneeId" error={errors?.assigneeId}>
          <PersonSelect id="assigneeId" name="assigneeId" people={people} value={v.assigneeId} nobody="Nobody yet" />
        </Field>
        <Field label="Owner (free text)" name="owner" error={errors?.owner} hint="A team or person outside Faultline">
          <input id="owner" name="owner" defaultValue={v.owner} />
        </Field>
        <Field label="Due (UTC)" name="dueAt" error={errors?.dueAt}>
          <input id="dueAt" name="dueAt" type="date" defaultValue={v.dueAt} />
        </Field>
        <Field label="Kind" name="actionKind" error={errors?.kind}>
          <select id="actionKind" name="kind" defaultValue={v.kind}>
            {ACTION_KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </Field>
      </div>
      <button type="submit">{submit}</button>
    </>
  );
}
