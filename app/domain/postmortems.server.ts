import { and, desc, eq, sql } from "drizzle-orm";
import { incidents, postmortemRevisions, users } from "../../db/schema";
import type { Conn, Db } from "../utils/db.server";
import { recordAudit, type Actor } from "./audit.server";

export const MAX_POSTMORTEM = 200_000;

export type PostmortemSave =
  | { ok: true; rev: number }
  | { ok: false; current: { rev: number; markdown: string; author: string | null; at: number | null } };

/**
 * Saves a write-up made from revision `baseRev`. If someone saved since, nothing is written and the
 * newer revision comes back, so the caller can show both texts instead of overwriting silently.
 */
export function savePostmortem(db: Db, incidentId: number, baseRev: number, markdown: string, actor: Actor): PostmortemSave {
  return db.transaction((tx) => {
    const cur = tx
      .select({ rev: incidents.postmortemRev, md: incidents.postmortemMd })
      .from(incidents)
      .where(eq(incidents.id, incidentId))
      .get();
    if (!cur) throw new Response("Incident not found", { status: 404 });
    if (cur.rev !== baseRev) {
      const last = listRevisions(tx, incidentId, 1)[0];
      return {
        ok: false as const,
        current: { rev: cur.rev, markdown: cur.md, author: last?.author ?? null, at: last?.createdAt ?? null },
      };
    }
    const rev = cur.rev + 1;
    tx.update(incidents)
      .set({ postmortemMd: markdown, postmortemRev: rev, updatedAt: Date.now() })
      .where(eq(incidents.id, incidentId))
      .run();
    tx.insert(postmortemRevisions).values({ incidentId, rev, markdown, authorId: actor.id }).run();
    recordAudit(tx, actor, "postmortem", "incident", incidentId, { rev, chars: markdown.length });
    return { ok: true as const, rev };
  });
}

export function listRevisions(db: Conn, incidentId: number, limit = 100) {
  return db
    .select({
      rev: postmortemRevisions.rev,
      createdAt: postmortemRevisions.createdAt,
      author: users.email,
      chars: sql<number>`length(${postmortemRevisions.markdown})`,
    })
    .from(postmortemRevisions)
    .leftJoin(users, eq(users.id, postmortemRevisions.authorId))
    .where(eq(postmortemRevisions.incidentId, incidentId))
    .orderBy(desc(postmortemRevisions.rev))
    .limit(limit)
    .all();
}

export function getRevision(db: Db, incidentId: number, rev: number) {
  return db
    .select({ rev: postmortemRevisions.rev, markdown: postmortemRevisions.markdown, createdAt: postmortemRevisions.createdAt, author: users.email })
    .from(postmortemRevisions)
    .leftJoin(users, eq(users.id, postmortemRevisions.authorId))
    .where(and(eq(postmortemRevisions.incidentId, incidentId), eq(postmortemRevisions.rev, rev)))
    .get();
}
