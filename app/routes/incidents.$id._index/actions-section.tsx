import { ACTION_KINDS } from "../../../db/schema";
import { Field } from "~/components/field";
import { IntentForm } from "~/components/intent-form";
import { formatDate } from "~/utils/dates";
import type { FormResult, IncidentPageData } from "./route";

export function ActionsSection({ actions, canEdit, result }: { actions: IncidentPageData["actions"]; canEdit: boolean; result?: FormResult }) {
  const errors = result?.errors;
  return (
    <section>
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
            </tr>
          </thead>
          <tbody>
            {actions.map((a) => (
              <tr key={a.id}>
                <td>{a.title}</td>
                <td>{a.kind}</td>
                <td>{a.owner || "—"}</td>
                <td className={a.overdue ? "overdue" : undefined}>
                  {formatDate(a.dueAt)}
                  {a.overdue ? " (overdue)" : ""}
                </td>
                <td>
                  {canEdit ? (
                    <IntentForm intent="action.status" className="row">
                      <input type="hidden" name="actionId" value={a.id} />
                      <span>{a.status.replace("_", " ")}</span>
                      {a.status === "open" ? (
                        <>
                          <button type="submit" name="status" value="done" className="secondary">
                            Done
                          </button>
                          <button type="submit" name="status" value="wont_do" className="link">
                            Won’t do
                          </button>
                        </>
                      ) : (
                        <button type="submit" name="status" value="open" className="link">
                          Reopen
                        </button>
                      )}
                    </IntentForm>
                  ) : (
                    a.status.replace("_", " ")
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No action items yet.</p>
      )}
      {canEdit ? (
        <IntentForm intent="action.add" label="Add action item" error={errors?.form} className="card" style={{ marginTop: "0.6rem" }}>
          <Field label="Action" name="title" error={errors?.title}>
            <input id="title" name="title" required minLength={3} defaultValue={result ? result.values.title : ""} />
          </Field>
          <div className="grid">
            <Field label="Owner" name="owner" error={errors?.owner}>
              <input id="owner" name="owner" defaultValue={result ? result.values.owner : ""} />
            </Field>
            <Field label="Due (UTC)" name="dueAt" error={errors?.dueAt}>
              <input id="dueAt" name="dueAt" type="date" defaultValue={result ? result.values.dueAt : ""} />
            </Field>
            <Field label="Kind" name="actionKind" error={errors?.kind}>
              <select id="actionKind" name="kind" defaultValue="prevent">
                {ACTION_KINDS.map((k) => (
                  <option key={k}>{k}</option>
                ))}
              </select>
            </Field>
          </div>
          <button type="submit">Add action item</button>
        </IntentForm>
      ) : null}
    </section>
  );
}
