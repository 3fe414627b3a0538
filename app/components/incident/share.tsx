import { useEffect, useState } from "react";

/** Download the incident as Faultline Markdown, or print the page (the print stylesheet drops forms and navigation). */
export function ShareLinks({ incidentId }: { incidentId: number }) {
  // The Print button needs a script; without one the browser's own Print still uses the print stylesheet.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <span className="row no-print">
      <a className="button secondary" href={`/incidents/${incidentId}/markdown`} download>
        Download Markdown
      </a>
      {hydrated ? (
        <button type="button" className="secondary" onClick={() => window.print()}>
          Print
        </button>
      ) : null}
    </span>
  );
}
