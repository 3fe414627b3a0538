import { and, asc, eq, inArray, max } from "drizzle-orm";
import { z } from "zod";
import { incidents, postmortemRevisions, reviewRequests, users, REVIEW_STATES } from "../../db/schema";
import type { Conn, Db } from "../utils/db.server";
import { recordAudit, type Actor } from "./audit.server";
import { requireAssignable } from "./assignments.server";
import { insertComment, listComments } from "./comments.server";
import { renderMarkdown } from "../utils/markdown.server";
import { enqueueNotice, eventKey } from "./notifications.server";

export type ReviewState = (typeof REVIEW_STATES)[number];

export const verdictSchema = z.enum(["approved", "changes_requested"], { message: "Approve, or ask for changes." });
export type Verdict = z.infer<typeof verdictSchema>;

export class ReviewError extends Error {}

function incidentTitle(tx: Conn, incidentId: number): { title: string; ownerId: number | null } {
  const row = tx.select({ title: incidents.title, ownerId: incidents.ownerId }).from(incidents).where(eq(incidents.id, incidentId)).get();
  if (!row) throw new Response("Incident not found", { status: 404 });
  return row;
}

/** Asks each of `reviewerIds` to review the postmortem (asking again reopens a decided review) and tells them. */
export function requestReview(db: Db, incidentId: number, reviewerIds: number[], actor: Actor): void {
  if (!reviewerIds.length) throw new ReviewError("Pick at least one reviewer.");
  db.transaction((tx) => {
    const { title } = incidentTitle(tx, incidentId);
    for (const reviewerId of new Set(reviewerIds)) {
      if (reviewerId === actor.id) throw new ReviewError("Ask someone else to review your postmortem.");
      const reviewer = requireAssignable(tx, reviewerId);
      tx.insert(reviewRequests)
        .values({ incidentId, reviewerId, requestedBy: actor.id })
        .onConflictDoUpdate({
          target: [reviewRequests.incidentId, reviewRequests.reviewerId],
          set: { state: "requested", requestedBy: actor.id, requestedAt: Date.now(), decidedAt: null },
        })
        .run();
      recordAudit(tx, actor, "review.request", "incident", incidentId, { reviewer: reviewerId, name: reviewer.name });
      enqueueNotice(
        tx,
        {
          event: "review_requested",
          key: eventKey("review_requested", incidentId, reviewerId),
          subject: `${actor.label} asked ${reviewer.name} to review #${incidentId} ${title}`,
          body: `Please review the postmortem of incident #${incidentId} "${title}": comment on it, then approve or ask for changes.`,
          link: `/incidents/${incidentId}#review`,
          to: [reviewerId],
        },
        actor,
      );
    }
  });
}

/** A requested reviewer approves or asks for changes, with a comment; the owner and whoever asked are told. */
export function decideReview(db: Db, incidentId: number, verdict: Verdict, comment: { body: string; quote: string }, actor: Actor): void {
  db.transaction((tx) => {
    const { title, ownerId } = incidentTitle(tx, incidentId);
    const request = actor.id === null ? undefined : tx
      .select({ id: reviewRequests.id, requestedBy: reviewRequests.requestedBy })
      .from(reviewRequests)
      .where(and(eq(reviewRequests.incidentId, incidentId), eq(reviewRequests.reviewerId, actor.id)))
      .get();
    if (!request) throw new ReviewError("Only a reviewer who was asked can approve or ask for changes.");
    tx.update(reviewRequests).set({ state: verdict, decidedAt: Date.now() }).where(eq(reviewRequests.id, request.id)).run();
    const body = comment.body || (verdict === "approved" ? "Approved." : "Changes requested.");
    insertComment(tx, incidentId, { body, quote: comment.quote, verdict }, actor);
    recordAudit(tx, actor, "review.decide", "incident", incidentId, { verdict });
    enqueueNotice(
      tx,
      {
        event: "review_decided",
        key: eventKey("review_decided", incidentId, actor.id!),
        subject: `${actor.label} ${verdict === "approved" ? "approved" : "asked for changes to"} the postmortem of #${incidentId} ${title}`,
        body,
        link: `/incidents/${incidentId}#review`,
        to: [ownerId, request.requestedBy],
      },
      actor,
    );
  });
}

/** When the postmortem was last saved (null if never). */
function lastPostmortemEdit(db: Conn, incidentId: number): number | null {
  return db.select({ at: max(postmortemRevisions.createdAt) }).from(postmortemRevisions).where(eq(postmortemRevisions.incidentId, incidentId)).get()?.at ?? null;
}

/** The reviewers of an incident; `stale` marks an approval given before the postmortem's latest edit. */
export function listReviewers(db: Conn, incidentId: number) {
  const edited = lastPostmortemEdit(db, incidentId);
  return db
    .select({ reviewerId: reviewRequests.reviewerId, name: users.name, email: users.email, state: reviewRequests.state, requestedAt: reviewRequests.requestedAt, decidedAt: reviewRequests.decidedAt })
    .from(reviewRequests)
    .innerJoin(users, eq(users.id, reviewRequests.reviewerId))
    .where(eq(reviewRequests.incidentId, incidentId))
    .orderBy(asc(reviewRequests.requestedAt), asc(reviewRequests.id))
    .all()
    .map((r) => ({ ...r, stale: r.state === "approved" && edited !== null && r.decidedAt !== null && r.decidedAt < edited }));
}

/** One state for a set of reviews: any change asked wins, then any still pending, then approved. */
export function overallState(states: ReviewState[]): ReviewState | null {
  if (!states.length) return null;
  if (states.includes("changes_requested")) return "changes_requested";
  if (states.includes("requested")) return "requested";
  return "approved";
}

/** Review state per incident, for a page of the incident list (one indexed read). */
export function reviewStates(db: Db, incidentIds: number[]): Map<number, ReviewState> {
  if (!incidentIds.length) return new Map();
  const per = new Map<number, ReviewState[]>();
  for (const r of db
    .select({ incidentId: reviewRequests.incidentId, state: reviewRequests.state })
    .from(reviewRequests)
    .where(inArray(reviewRequests.incidentId, incidentIds))
    .all()) {
    per.set(r.incidentId, [...(per.get(r.incidentId) ?? []), r.state]);
  }
  return new Map([...per].map(([id, states]) => [id, overallState(states)!]));
}

export type Approval = { ok: true } | { ok: false; reason: string };

/**
 * The closing rule for an incident in review: at least one reviewer approved and none asks for changes.
 * Meant for the set of closing rules; changeStatus applies it when an incident in review is closed.
 */
export function reviewApproval(db: Conn, incidentId: number): Approval {
  const reviewers = listReviewers(db, incidentId);
  const waiting = reviewers.filter((r) => r.state === "changes_requested").map((r) => r.name);
  if (waiting.length) return { ok: false, reason: `${waiting.join(", ")} asked for changes: they approve before it closes.` };
  const approved = reviewers.filter((r) => r.state === "approved");
  if (!approved.length) {
    return { ok: false, reason: reviewers.length ? "No reviewer has approved the postmortem yet." : "Request a review: closing an incident in review needs an approval." };
  }
  // An approval is of the text the reviewer read: an edit after it needs another look.
  if (approved.every((r) => r.stale)) {
    return { ok: false, reason: `The postmortem changed after ${approved.map((r) => r.name).join(", ")} approved it: request the review again.` };
  }
  return { ok: true };
}

/** Everything the review panel shows: overall state, reviewers, comments with their Markdown rendered. */
export function reviewView(db: Db, incidentId: number) {
  const reviewers = listReviewers(db, incidentId);
  return {
    state: overallState(reviewers.map((r) => r.state)),
    reviewers,
    comments: listComments(db, incidentId).map(({ body, ...c }) => ({ ...c, html: renderMarkdown(body) })),
  };
}

