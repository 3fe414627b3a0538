import { useEffect, useRef, useState } from "react";
import { formatUtc } from "~/utils/dates";
import { Field, FormError } from "../field";
import type { Person } from "./action-items";
import { InPlaceForm, type FormResult } from "./fetcher-form";

export type Reviewer = { reviewerId: number; name: string; state: "requested" | "approved" | "changes_requested"; decidedAt: number | null; stale: boolean };
export type Comment = { id: number; author: string | null; createdAt: number; quote: string; html: string; verdict: "approved" | "changes_requested" | null };

export const REVIEW_BADGES: Record<Reviewer["state"], string> = {
  requested: "review requested",
  approved: "approved",
  changes_requested: "changes requested",
};

export function ReviewBadge({ state }: { state: Reviewer["state"] | null }) {
  return state ? <span className={`badge review-${state}`}>{REVIEW_BADGES[state]}</span> : null;
}

/** Review of the postmortem: who was asked and where each stands, the comments (quoting passages), and a verdict. */
export function ReviewPanel({
  incidentId,
  state,
  reviewers,
  comments,
  people,
  me,
  canEdit,
  result,
}: {
  incidentId: number;
  state: Reviewer["state"] | null;
  reviewers: Reviewer[];
  comments: Comment[];
  people: Person[];
  me: number | undefined;
  canEdit: boolean;
  result?: FormResult;
}) {
  const action = `/incidents/${incidentId}/review`;
  const asked = reviewers.some((r) => r.reviewerId === me);
  const quote = useRef<HTMLTextAreaElement>(null);
  // Quoting the selection needs a script; without one the passage is pasted into the field.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const quoteSelection = () => {
    // Only text selected inside the rendered postmortem is quoted.
    const sel = window.getSelection();
    const article = document.querySelector("#postmortem article");
    if (sel && article && sel.anchorNode && article.contains(sel.anchorNode) && quote.current) {
      quote.current.value = sel.toString().trim().slice(0, 2000);
      quote.current.focus();
    }
  };
  const candidates = people.filter((p) => p.id !== me);
  return (
    <section id="review">
      <div className="spread">
        <h2>
          Review <ReviewBadge state={state} />
        </h2>
      </div>
      {reviewers.length ? (
        <ul className="reviewers">
          {reviewers.map((r) => (
            <li key={r.reviewerId}>
              {r.name}: <ReviewBadge state={r.state} /> {r.decidedAt ? <small className="muted">{formatUtc(r.decidedAt)}</small> : null}
              {r.stale ? <small className="muted"> (before the latest edit of the postmortem)</small> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No review yet. When the write-up is ready, ask one or two people to review it; closing an incident in review needs an approval.</p>
      )}
      {canEdit && candidates.length ? (
        <InPlaceForm action={action} intent="review.request" label="Request review" className="card no-print" result={result}>
          {(errors) => (
            <>
              <FormError error={errors?.form ?? errors?.reviewers} />
              <fieldset className="row">
                <legend>Ask for a review from</legend>
                {candidates.map((p) => (
                  <label key={p.id}>
                    <input type="checkbox" name="reviewers" value={p.id} /> {p.name}
                  </label>
                ))}
              </fieldset>
              <button type="submit" className="secondary">
                Request review
              </button>
            </>
          )}
        </InPlaceForm>
      ) : null}
      {comments.length ? (
        <ol className="comments">
          {comments.map((c) => (
            <li key={c.id} id={`comment-${c.id}`} className="card">
              <p className="muted">
                <b>{c.author ?? "someone"}</b> · {formatUtc(c.createdAt)} {c.verdict ? <ReviewBadge state={c.verdict} /> : null}
              </p>
              {c.quote ? <blockquote>{c.quote}</blockquote> : null}
              <div className="prose-inline" dangerouslySetInnerHTML={{ __html: c.html }} />
            </li>
          ))}
        </ol>
      ) : null}
      {canEdit ? (
        <InPlaceForm action={action} intent="review.comment" label="Comment on the postmortem" className="card no-print" result={result}>
          {(errors, values) => (
            <>
              <FormError error={errors?.form} />
              <Field label="Quote (optional)" name="quote" error={errors?.quote} hint="Paste the passage you mean, or select it in the postmortem and press Quote selection.">
                <textarea id="quote" name="quote" rows={2} ref={quote} defaultValue={values?.quote ?? ""} />
              </Field>
              {hydrated ? (
                <button type="button" className="link" onClick={quoteSelection}>
                  Quote selection
                </button>
              ) : null}
              <Field label="Comment" name="comment" error={errors?.body} hint="Markdown; @name or @email tells that person.">
                <textarea id="comment" name="body" rows={3} defaultValue={values?.body ?? ""} />
              </Field>
              <div className="row">
                <button type="submit" className="secondary">
                  Comment
                </button>
                {asked ? (
                  <>
                    <button type="submit" name="verdict" value="approved">
                      Approve
                    </button>
                    <button type="submit" name="verdict" value="changes_requested" className="danger">
                      Request changes
                    </button>
                  </>
                ) : null}
              </div>
            </>
          )}
        </InPlaceForm>
      ) : null}
    </section>
  );
}
