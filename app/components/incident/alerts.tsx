import { Link } from "@remix-run/react";
import { formatUtc } from "~/utils/dates";

export type AlertRow = {
  id: number;
  sender: string;
  ruleName: string;
  status: string;
  severity: string | null;
  startsAt: number | null;
  endsAt: number | null;
  fireCount: number;
  triage: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
};

/** Only http(s) values become links (an annotation is whatever the sender put there). */
function safeUrl(value: string): string | null {
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

function Pairs({ pairs }: { pairs: Record<string, string> }) {
  const entries = Object.entries(pairs);
  if (!entries.length) return <span className="muted">—</span>;
  return (
    <dl className="pairs">
      {entries.map(([k, v]) => {
        const url = safeUrl(v);
        return (
          <div key={k}>
            <dt>{k}</dt>
            <dd>
              {url ? (
                <a href={url} rel="noopener noreferrer nofollow">
                  {k === "runbook_url" ? "runbook" : k === "generatorURL" ? "source graph" : v}
                </a>
              ) : (
                v
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/** The alerts linked to the incident, with their labels and annotations (runbooks and graphs as links). */
export function AlertsSection({ incidentId, alerts, canEdit }: { incidentId: number; alerts: AlertRow[]; canEdit: boolean }) {
  if (!alerts.length) return null;
  return (
    <section id="alerts">
      <div className="spread">
        <h2>Alerts</h2>
        {canEdit ? (
          <Link to={`/incidents/${incidentId}/triage`} className="no-print">
            Move alerts to another incident…
          </Link>
        ) : null}
      </div>
      <table>
        <thead>
          <tr>
            <th>Rule</th>
            <th>Status</th>
            <th>Started</th>
            <th>Ended</th>
            <th>Fired</th>
            <th>Triage</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.id}>
              <td>
                {a.ruleName} <small className="muted">{a.sender}{a.severity ? ` · ${a.severity}` : ""}</small>
                <details>
                  <summary>Labels and annotations</summary>
                  <h4>Labels</h4>
                  <Pairs pairs={a.labels} />
                  <h4>Annotations</h4>
                  <Pairs pairs={a.annotations} />
                </details>
              </td>
              <td>{a.status}</td>
              <td>{formatUtc(a.startsAt)}</td>
              <td>{formatUtc(a.endsAt)}</td>
              <td>{a.fireCount}×</td>
              <td>{a.triage}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
