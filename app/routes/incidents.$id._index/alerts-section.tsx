import { formatUtc } from "~/utils/dates";
import type { IncidentPageData } from "./route";

export function AlertsSection({ alerts }: { alerts: IncidentPageData["alerts"] }) {
  if (!alerts.length) return null;
  return (
    <section>
      <h2>Alerts</h2>
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
