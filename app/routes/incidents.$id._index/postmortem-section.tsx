import { Link } from "@remix-run/react";
import { formatUtc } from "~/utils/dates";
import type { IncidentPageData } from "./route";

type Props = Pick<IncidentPageData, "postmortemHtml" | "revisions"> & { rev: number; canEdit: boolean };

export function PostmortemSection({ postmortemHtml, revisions, rev, canEdit }: Props) {
  return (
    <section>
      <div className="spread">
        <h2>Postmortem</h2>
        {revisions.length ? (
          <span className="muted">
            revision {rev}, saved {formatUtc(revisions[0].createdAt)} by {revisions[0].author ?? "unknown"}
          </span>
        ) : null}
      </div>
      {postmortemHtml ? (
        <article className="prose" dangerouslySetInnerHTML={{ __html: postmortemHtml }} />
      ) : (
        <p className="card">
          No write-up yet. {canEdit ? <Link to="postmortem">Start one from a template.</Link> : null}
        </p>
      )}
      {revisions.length > 1 ? (
        <details>
          <summary>Earlier revisions</summary>
          <ul>
            {revisions.map((r) => (
              <li key={r.rev}>
                <Link to={`revisions/${r.rev}`}>revision {r.rev}</Link> · {formatUtc(r.createdAt)} · {r.author ?? "unknown"} · {r.chars}{" "}
                characters
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

export function HistorySection({ history }: Pick<IncidentPageData, "history">) {
  return (
    <section>
      <h2>History</h2>
      <details>
        <summary>
          {history.length} recorded change{history.length === 1 ? "" : "s"}
        </summary>
        <table>
          <tbody>
            {history.map((h) => (
              <tr key={h.id}>
                <td>{formatUtc(h.at)}</td>
                <td>{h.actor}</td>
                <td>{h.action}</td>
                <td>
                  <code>{h.detail}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
