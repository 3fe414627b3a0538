import { asc, eq, inArray, like, or } from "drizzle-orm";
import { z } from "zod";
import { incidents, reviewComments, users } from "../../db/schema";
import type { Conn, Db } from "../utils/db.server";
import { recordAudit, type Actor } from "./audit.server";
import { enqueueNotice, eventKey } from "./notifications.server";

export const commentInputSchema = z.object({
  body: z.string().trim().max(10_000, "Keep a comment under 10,000 characters.").default(""),
  quote: z.string().trim().max(2000, "Quote a shorter passage (2,000 characters at most).").default(""),
});
export type CommentInput = z.infer<typeof commentInputSchema>;

/** `@ada@example.com` or `@ada` (the part of an email before the @, when only one person has it). */
const MENTION = /(?<![\w@])@([a-z0-9._%+-]+(?:@[a-z0-9-]+(?:\.[a-z0-9-]+)+)?)/gi;

/** The active users a text mentions, by full email or by an unambiguous handle. */
export function mentionedUsers(db: Conn, text: string): { id: number; name: string; email: string }[] {
  const names = [...new Set([...text.matchAll(MENTION)].map((m) => m[1].toLowerCase().replace(/\.+$/, "")))];
  if (!names.length) return [];
  const emails = names.filter((n) => n.includes("@"));
  const handles = names.filter((n) => !n.includes("@"));
  const candidates = db
    .select({ id: users.id, name: users.name, email: users.email, disabled: users.disabled })
    .from(users)
    .where(or(emails.length ? inArray(users.email, emails) : undefined, ...handles.map((h) => like(users.email, `${h}@%`))))
    .all()
    .filter((u) => !u.disabled);
  const found = new Map<number, { id: number; name: string; email: string }>();
  for (const u of candidates) if (emails.includes(u.email)) found.set(u.id, u);
  for (const h of handles) {
    const same = candidates.filter((u) => u.email.split("@")[0] === h);
    if (same.length === 1) found.set(same[0].id, same[0]);
  }
  return [...found.values()].map(({ id, name, email }) => ({ id, name, email }));
}

/** Inserts a comment in the caller's transaction and tells the people it mentions. */
export function insertComment(tx: Conn, incidentId: number, input: CommentInput & { verdict?: "approved" | "changes_requested" }, actor: Actor): number {
  const row = tx
    .insert(reviewComments)
    .values({ incidentId, authorId: actor.id, body: input.body, quote: input.quote, verdict: input.verdict ?? null })
    .returning({ id: reviewComments.id })
    .get();
  const mentioned = mentionedUsers(tx, input.body);
  recordAudit(tx, actor, "comment", "incident", incidentId, { comment: row.id, mentions: mentioned.map((m) => m.email) });
  if (mentioned.length) {
    const title = tx.select({ title: incidents.title }).from(incidents).where(eq(incidents.id, incidentId)).get()?.title ?? "";
    for (const person of mentioned) {
      enqueueNotice(
        tx,
        {
          event: "mentioned",
          key: eventKey("mentioned", row.id, person.id),
          subject: `${actor.label} mentioned ${person.name} on #${incidentId} ${title}`,
          body: input.quote ? `> ${input.quote}\n\n${input.body}` : input.body,
          link: `/incidents/${incidentId}#comment-${row.id}`,
          to: [person.id],
        },
        actor,
      );
    }
  }
  return row.id;
}

export class CommentError extends Error {}

export function addComment(db: Db, incidentId: number, input: CommentInput, actor: Actor): number {
  if (!input.body) throw new CommentError("Write a comment.");
  return db.transaction((tx) => {
    if (!tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, incidentId)).get()) {
      throw new Response("Incident not found", { status: 404 });
    }
    return insertComment(tx, incidentId, input, actor);
  });
}

export function listComments(db: Db, incidentId: number) {
  return db
    .select({ id: reviewComments.id, body: reviewComments.body, quote: reviewComments.quote, verdict: reviewComments.verdict, createdAt: reviewComments.createdAt, author: users.name })
    .from(reviewComments)
    .leftJoin(users, eq(users.id, reviewComments.authorId))
    .where(eq(reviewComments.incidentId, incidentId))
    .orderBy(asc(reviewComments.createdAt), asc(reviewComments.id))
    .all();
}
