import { formatDate } from "~/utils/dates";

/** An action item's due date, flagged when it has passed while the item is still open. */
export function DueCell({ dueAt, overdue }: { dueAt: number | null; overdue: boolean }) {
  return (
    <td className={overdue ? "overdue" : undefined}>
      {formatDate(dueAt)}
      {overdue ? " (overdue)" : ""}
    </td>
  );
}
