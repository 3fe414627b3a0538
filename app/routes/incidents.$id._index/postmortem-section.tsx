import { Link } from "@remix-run/react";
import { formatUtc } from "~/utils/dates";
import type { IncidentPageData } from "./route";

type Props = Pick<IncidentPageData, "postmortemHtml" | "revisions"> & { rev: number; canEdit: boolean };

export function PostmortemSection({ postmortemHtml, revisions, rev, canEdit }: Props) {
  return (
    <section id="postmortem">
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
