import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { FamilyBadge } from "~/components/family-badge";
import { classChangeCounts, classCounts, classDefinitions, familyShare, suggestedCounts, taxonomyTree, unclassifiedCount } from "~/domain/taxonomy.server";
import { requireUser } from "~/web/auth.server";
import { getDb } from "~/utils/db.server";
import { hasRole } from "~/utils/roles";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  // Charts count what people confirmed; suggestions are shown beside, and counted only when asked.
  const includeSuggested = new URL(request.url).searchParams.get("suggested") === "include";
  const tree = taxonomyTree(db);
  const counts = classCounts(db, { suggested: includeSuggested });
  const suggested = suggestedCounts(db);
  const changes = classChangeCounts(db);
  const defs = classDefinitions();
  const withDef = <T extends { id: string }>(c: T) => ({ ...c, html: defs.get(c.id) ?? "" });
  return {
    classes: tree.classes.map((c) => ({
      ...withDef(c),
      total: counts.rolledUp[c.id] ?? 0,
      own: counts.direct[c.id] ?? 0,
      suggested: suggested.rolledUp[c.id] ?? 0,
      corrected: changes.corrected[c.id] ?? 0,
      overridden: changes.overridden[c.id] ?? 0,
      children: c.children.map((s) => ({ ...withDef(s), count: counts.direct[s.id] ?? 0, suggested: suggested.direct[s.id] ?? 0 })),
    })),
    factors: tree.factors.map(withDef),
    share: familyShare(db, { suggested: includeSuggested }),
    includeSuggested,
    canTriage: hasRole(user, "editor"),
    suggestedTotal: Object.values(suggested.rolledUp).reduce((a, b) => a + b, 0),
    unclassified: unclassifiedCount(db),
  };
}

export default function Taxonomy() {
  const { classes, factors, share, includeSuggested, canTriage, suggestedTotal, unclassified } = useLoaderData<typeof loader>();
  const classified = share.ml + share.nonMl;
  const pct = (n: number) => (classified ? Math.round((100 * n) / classified) : 0);
  const ofFirst = (c: { total: number; suggested: number; corrected: number }) => {
    // Confirmed classifications of the class that stood, plus those later changed away from it.
    const first = (includeSuggested ? c.total - c.suggested : c.total) + c.corrected;
    return first ? Math.round((100 * c.corrected) / first) : 0;
  };
  return (
    <>
      <h1>Failure taxonomy</h1>
      <section aria-label="Share of causes" className="card">
        <p>
          Of {classified} {includeSuggested ? "classified" : "confirmed"} incidents, <b>{pct(share.nonMl)}%</b> had a non-ML root cause
          and <b>{pct(share.ml)}%</b> an ML-specific one.{" "}
          {unclassified ? (
            <>
              <Link to="/incidents?unclassified=1">
                {unclassified} incident{unclassified === 1 ? " is" : "s are"} unclassified
              </Link>{" "}
              and counted in neither.
            </>
          ) : (
            "No incident is unclassified."
          )}
        </p>
        <p className="muted" aria-label="Suggested classes">
          {includeSuggested ? `Counts include ${suggestedTotal} suggested, not yet confirmed. ` : `${suggestedTotal} more suggested by the classifier, not yet confirmed. `}
          <Link to={includeSuggested ? "/taxonomy" : "/taxonomy?suggested=include"}>{includeSuggested ? "Count confirmed only" : "Include suggested"}</Link>
          {canTriage ? (
            <>
              {" · "}
              <Link to="/taxonomy/triage">Triage queue</Link>
            </>
          ) : null}
        </p>
        {classified ? (
          <div className="share" role="img" aria-label={`non-ML ${share.nonMl}, ML-specific ${share.ml}`}>
            {share.nonMl ? <div style={{ width: `${pct(share.nonMl)}%`, background: "var(--nonml)" }}>non-ML {share.nonMl}</div> : null}
            {share.ml ? <div style={{ width: `${pct(share.ml)}%`, background: "var(--ml)" }}>ML {share.ml}</div> : null}
          </div>
        ) : null}
      </section>
      {[
        { family: "non-ml", title: "Non-ML causes" },
        { family: "ml", title: "ML-specific causes" },
      ].map((f) => (
        <section key={f.family}>
          <h2>{f.title}</h2>
          <ul className="tree">
            {classes
              .filter((c) => c.family === f.family)
              .map((c) => (
                <li key={c.id} id={c.id}>
                  <div className="row">
                    <Link to={`/taxonomy/${c.id}`} className={c.status === "retired" ? "retired" : undefined}>
                      {c.name}
                    </Link>
                    <span className="badge">{c.total} incidents</span>
                    {c.suggested && !includeSuggested ? <small className="muted"> +{c.suggested} suggested</small> : null}{" "}
                    <FamilyBadge family={c.family} /> <code className="muted">{c.id}</code>
                    {c.corrected || c.overridden ? (
                      <small className="muted" data-testid={`changes-${c.id}`}>
                        changed after first classification {c.corrected} times ({ofFirst(c)}%), suggestion replaced {c.overridden} times
                      </small>
                    ) : null}
                  </div>
                  {/* The link stays outside the summary: a control inside a control is unreachable for some readers. */}
                  <details>
                    <summary>Definition of {c.name}</summary>
                    <div className="prose" dangerouslySetInnerHTML={{ __html: c.html }} />
                  </details>
                  <ul>
                    {c.children.map((s) => (
                      <li key={s.id}>
                        <Link to={`/taxonomy/${s.id}`} className={s.status === "retired" ? "retired" : undefined}>
                          {s.name}
                        </Link>{" "}
                        <small className="muted">
                          {s.count}
                          {s.suggested && !includeSuggested ? ` (+${s.suggested} suggested)` : ""} · {s.id}
                          {s.status === "retired" ? " · retired" : ""}
                        </small>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
          </ul>
        </section>
      ))}
      <section>
        <h2>Contributing factors</h2>
        <p className="muted">Recorded beside the root cause, never as it.</p>
        <ul className="tree">
          {factors.map((f) => (
            <li key={f.id}>
              <details>
                <summary>{f.name}</summary>
                <div className="prose" dangerouslySetInnerHTML={{ __html: f.html }} />
              </details>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Taxonomy · Faultline" }];
