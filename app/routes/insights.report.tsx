import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import chartStyles from "~/components/charts/charts.css";
import { InsightsCharts } from "~/components/insights-charts";
import { biggestChanges, FilterError, insights, parseInsightQuery, reportSummary } from "~/domain/insights.server";
import { requireUser } from "~/web/auth.server";
import { getDb } from "~/utils/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const url = new URL(request.url);
  try {
    const result = await insights(getDb(), parseInsightQuery(url.searchParams));
    return json({ problems: null, result, changes: biggestChanges(result), summary: reportSummary(result), search: url.search, generatedAt: new Date().toISOString() });
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    return json({ problems: e.problems, result: null, changes: [], summary: [], search: url.search, generatedAt: new Date().toISOString() }, { status: 400 });
  }
}

export default function Report() {
  const { problems, result, changes, summary, search, generatedAt } = useLoaderData<typeof loader>();
  if (!result) {
    return (
      <article className="report">
        <h1>Failure review</h1>
        <div className="form-error filter-error" role="alert">
          <p>This report cannot be made with these filters:</p>
          <ul>{problems?.map((p) => <li key={p}>{p}</li>)}</ul>
          <p>
            <Link to="/insights">← Insights</Link>
          </p>
        </div>
      </article>
    );
  }
  const f = result.filter;
  const scope = [
    f.team && `team ${f.team}`,
    f.model && `model ${f.model}`,
    f.severity.length && f.severity.join("/"),
    f.family && `${f.family} causes`,
    f.includeSuggested && "suggested classes included",
  ]
    .filter(Boolean)
    .join(", ");
  return (
    <article className="report">
      <p className="no-print">
        <Link to={`/insights${search}`}>← Insights</Link> · Use your browser’s print command for a PDF.
      </p>
      <h1>
        Failure review: {f.from} to {f.to}
      </h1>
      <p className="muted">
        {scope ? `Scope: ${scope}. ` : "All teams and models. "}Generated {generatedAt.slice(0, 16).replace("T", " ")} UTC by Faultline.
      </p>
      <section className="card" aria-labelledby="changes-title">
        <h2 id="changes-title" style={{ marginTop: 0 }}>
          What changed most since {result.summary.previous.from} – {result.summary.previous.to}
        </h2>
        <ul className="changes">
          {changes.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="summary-title">
        <h2 id="summary-title" style={{ marginTop: 0 }}>
          Summary
        </h2>
        <ul>
          {summary.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </section>
      <InsightsCharts data={result.datasets} bin={result.summary.bin} previous={result.summary.previous} search={search} tablesOpen />
    </article>
  );
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: chartStyles }];

export const meta: MetaFunction = () => [{ title: "Failure review · Faultline" }];
