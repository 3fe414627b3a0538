import { formatUtc } from "~/utils/dates";

export type HistoryRow = { id: number; at: number; actor: string; text: string };

/** The incident's audit trail, each change as a sentence. */
export function HistorySection({ history }: { history: HistoryRow[] }) {
  return (
    <section id="history">
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
                <td>{h.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
