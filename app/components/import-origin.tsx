import { Link } from "@remix-run/react";

export type ImportOriginData = {
  externalId: string | null;
  startedAtStatus: "confirmed" | "suggested";
  labels: { label: string; classId: string | null }[];
};

/** Where an imported incident came from: its source id and labels, and a start time that still needs a person. */
export function ImportOrigin({ origin, canEdit }: { origin: ImportOriginData; canEdit: boolean }) {
  if (origin.externalId === null && !origin.labels.length && origin.startedAtStatus === "confirmed") return null;
  return (
    <section aria-label="Imported from">
      <h2>Imported</h2>
      <div className="card">
        {origin.startedAtStatus === "suggested" ? (
          <p role="note">
            <b>The start time is a suggestion:</b> the imported file gave none, so it was taken from a date the file mentions.
            Check it, then save the incident&apos;s details to confirm it{canEdit ? <> (<Link to="edit">edit</Link>)</> : null}.
          </p>
        ) : null}
        {origin.labels.length ? (
          <p>
            Source labels:{" "}
            {origin.labels.map((l, n) => (
              <span key={l.label}>
                {n ? ", " : ""}
                <Link to={`/incidents?label=${encodeURIComponent(l.label)}`}>{l.label}</Link>
                {l.classId ? (
                  <>
                    {" "}
                    → <Link to={`/taxonomy/${l.classId}`}>{l.classId}</Link>
                  </>
                ) : (
                  <span className="muted"> (no class)</span>
                )}
              </span>
            ))}
          </p>
        ) : null}
        {origin.externalId !== null ? (
          <p className="muted">
            Source id: <code>{origin.externalId}</code>
          </p>
        ) : null}
      </div>
    </section>
  );
}
