import { Form, Link } from "@remix-run/react";
import { CsrfInput } from "../csrf";
import { ConfirmLink } from "./fetcher-form";

/** What to do with a draft an alert opened: claim it, dismiss it as noise, or merge it into another incident. */
export function TriagePanel({ incidentId, alertCount }: { incidentId: number; alertCount: number }) {
  return (
    <section className="card notice no-print" aria-label="Triage this draft">
      <p>
        <b>An alert opened this draft.</b> Claim it to own the response, dismiss it as noise (its {alertCount} alert{alertCount === 1 ? "" : "s"} count
        against {alertCount === 1 ? "its rule’s" : "their rules’"} precision), or merge it into the incident it belongs to.
      </p>
      <div className="row">
        <Form method="post" action={`/incidents/${incidentId}/people`} preventScrollReset>
          <CsrfInput />
          <button type="submit" name="intent" value="claim">
            Claim it
          </button>
        </Form>
        <Link to={`/incidents/${incidentId}/triage`} className="button secondary">
          Merge into another incident…
        </Link>
        <ConfirmLink
          confirmUrl={`/incidents/${incidentId}/triage?confirm=dismiss`}
          action={`/incidents/${incidentId}/triage`}
          intent="dismiss"
          question="Dismiss this draft as noise? Its alerts stay, marked noise; the draft is removed (the audit keeps it)."
          label="Dismiss as noise"
          busy="Dismissing…"
        />
      </div>
    </section>
  );
}
