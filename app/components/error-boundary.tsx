import { Link, isRouteErrorResponse, useRouteError } from "@remix-run/react";

const MESSAGES: Record<number, string> = {
  400: "That request could not be understood.",
  403: "You do not have permission to do that.",
  404: "We could not find that.",
  409: "Someone else changed this at the same time.",
  413: "That was too large.",
  415: "That form could not be read.",
};

/** The one error view: maps a thrown Response's status to a friendly message. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    const detail = typeof error.data === "string" && error.data ? error.data : null;
    return (
      <section className="error-page">
        <h1>
          {error.status} · {MESSAGES[error.status] ?? error.statusText ?? "Something went wrong."}
        </h1>
        {detail ? <p>{detail}</p> : null}
        <p>
          <Link to="/incidents">Back to incidents</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="error-page">
      <h1>Something went wrong</h1>
      <p>The error was logged on the server. Try again, or go back to <Link to="/incidents">incidents</Link>.</p>
    </section>
  );
}
