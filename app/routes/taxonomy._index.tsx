import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { FamilyBadge } from "~/components/family-badge";
import { classCounts, classDefinitions, familyShare, taxonomyTree } from "~/domain/taxonomy.server";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const db = getDb();
  const tree = taxonomyTree(db);
  const counts = classCounts(db);
  const defs = classDefinitions();
  const withDef = <T extends { id: string }>(c: T) => ({ ...c, html: defs.get(c.id) ?? "" });
  return {
    classes: tree.classes.map((c) => ({
      ...withDef(c),
      total: counts.rolledUp[c.id] ?? 0,
      own: counts.direct[c.id] ?? 0,
      children: c.children.map((s) => ({ ...withDef(s), count: counts.direct[s.id] ?? 0 })),
    })),
    factors: tree.factors.map(withDef),
    share: familyShare(db),
  };
}

export default function Taxonomy() {
  const { classes, factors, share } = useLoaderData<typeof loader>();
  const classified = share.ml + share.nonMl;
  const pct = (n: number) => (classified ? Math.round((100 * n) / classified) : 0);
  return (
    <>
      <h1>Failure taxonomy</h1>
      <section aria-label="Share of causes" className="card">
        <p>
          Of {classified} classified incidents, <b>{pct(share.nonMl)}%</b> had a non-ML root cause and <b>{pct(share.ml)}%</b> an
          ML-specific one.
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
                    <span className="badge">{c.total} incidents</span> <FamilyBadge family={c.family} /> <code className="muted">{c.id}</code>
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
                          {s.count} · {s.id}
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
