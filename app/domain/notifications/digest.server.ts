import { and, asc, eq, isNotNull, lt } from "drizzle-orm";
import { actionItems, incidents, users } from "../../../db/schema";
import type { Db } from "../../utils/db.server";
import { DAY_MS, formatDate } from "../../utils/dates";
import { SYSTEM } from "../audit.server";
import { enqueueNotice } from "../notifications.server";

export const DIGEST_DAYS = 3;

/**
 * Once per UTC day and person: one notice listing their open action items that are overdue or due within
 * DIGEST_DAYS. The key names the person and the day, so running this again (another tick, a restart, a second
 * instance) adds nothing. Returns how many people got one.
 */
export function enqueueActionDigests(db: Db, now = Date.now()): number {
  const day = new Date(now).toISOString().slice(0, 10);
  const items = db
    .select({
      id: actionItems.id,
      title: actionItems.title,
      dueAt: actionItems.dueAt,
      incidentId: actionItems.incidentId,
      incidentTitle: incidents.title,
      assigneeId: actionItems.assigneeId,
      assigneeName: users.name,
    })
    .from(actionItems)
    .innerJoin(incidents, eq(incidents.id, actionItems.incidentId))
    .innerJoin(users, eq(users.id, actionItems.assigneeId))
    .where(and(eq(actionItems.status, "open"), isNotNull(actionItems.assigneeId), lt(actionItems.dueAt, now + DIGEST_DAYS * DAY_MS), eq(users.disabled, false)))
    .orderBy(asc(actionItems.assigneeId), asc(actionItems.dueAt))
    .all();
  const perPerson = new Map<number, typeof items>();
  for (const item of items) perPerson.set(item.assigneeId!, [...(perPerson.get(item.assigneeId!) ?? []), item]);
  let people = 0;
  db.transaction((tx) => {
    for (const [userId, mine] of perPerson) {
      const overdue = mine.filter((i) => i.dueAt! < now);
      const soon = mine.filter((i) => i.dueAt! >= now);
      const line = (i: (typeof mine)[number]) => `- ${i.title} (due ${formatDate(i.dueAt)}) — #${i.incidentId} ${i.incidentTitle}`;
      const body = [
        overdue.length ? `Overdue:\n${overdue.map(line).join("\n")}` : "",
        soon.length ? `Due within ${DIGEST_DAYS} days:\n${soon.map(line).join("\n")}` : "",
      ]
        .filter(Boolean)
        .join("\n\n");
      const added = enqueueNotice(
        tx,
        {
          event: "action_digest",
          key: `action_digest:user:${userId}:${day}`,
          subject: `Action items for ${mine[0].assigneeName}: ${overdue.length} overdue, ${soon.length} due soon`,
          body,
          link: "/my-work",
          to: [userId],
        },
        SYSTEM,
      );
      if (added) people += 1;
    }
  });
  return people;
}
