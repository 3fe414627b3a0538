import { Link } from "@remix-run/react";
import { INCIDENT_MODEL_ROLES } from "../../../db/schema";
import { ActionsHeader, IntentForm } from "~/components/intent-form";
import type { FormResult, IncidentPageData } from "./route";

export function ModelsSection({
  versions,
  versionChoices,
  canEdit,
  result,
}: {
  versions: IncidentPageData["versions"];
  versionChoices: IncidentPageData["versionChoices"];
  canEdit: boolean;
  result?: FormResult;
}) {
  return (
    <section>
      <h2>Model versions</h2>
      {versions.length ? (
        <table>
          <thead>
            <tr>
              <th>Model</th>
              <th>Version</th>
              <th>Role in this incident</th>
              {canEdit ? <ActionsHeader /> : null}
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={`${v.versionId}-${v.role}`}>
                <td>
                  <Link to={`/models/${encodeURIComponent(v.model)}`}>{v.model}</Link>
                </td>
                <td>
                  <Link to={`/models/${encodeURIComponent(v.model)}/${encodeURIComponent(v.version)}`}>{v.version}</Link>{" "}
                  <small className="muted">{v.status.replace("_", " ")}</small>
                </td>
                <td>{v.role.replaceAll("_", " ")}</td>
                {canEdit ? (
                  <td>
                    <IntentForm intent="model.unlink">
                      <input type="hidden" name="versionId" value={v.versionId} />
                      <button type="submit" name="role" value={v.role} className="link">
                        Unlink
                      </button>
                    </IntentForm>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No model versions linked.</p>
      )}
      {canEdit && versionChoices.length ? (
        <IntentForm
          intent="model.link"
          label="Link a model version"
          error={result?.errors.versionId ?? result?.errors.role}
          className="row card"
          style={{ marginTop: "0.6rem" }}
        >
          <select name="versionId" aria-label="Model version" defaultValue="">
            <option value="">Model version…</option>
            {versionChoices.map((v) => (
              <option key={v.id} value={v.id}>
                {v.model} {v.version} ({v.status.replace("_", " ")})
              </option>
            ))}
          </select>
          <select name="role" aria-label="Role" defaultValue="suspected_cause">
            {INCIDENT_MODEL_ROLES.map((r) => (
              <option key={r} value={r}>
                {r.replaceAll("_", " ")}
              </option>
            ))}
          </select>
          <button type="submit" className="secondary">
            Link version
          </button>
        </IntentForm>
      ) : null}
    </section>
  );
}
