import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { InsightsCharts } from "~/components/insights-charts";
import { insights, parseInsightFilter, reportSummary } from "~/domain/insights.server";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const url = new URL(request.url);
  const filter = parseInsightFilter(url.searchParams);
  const data = await insights(getDb(), filter);
  const overdue = data.actions.reduce((s, a) => s + a.overdue, 0);
  return { filter, data, summary: reportSummary(data, overdue), search: url.search, generatedAt: new Date().toISOString() };
}

export default function Report() {
  const { filter, data, summary, search, generatedAt } = useLoaderData<typeof loader>();
  const scope = [filter.team && `team ${filter.team}`, filter.model && `model ${filter.model}`, filter.severity.length && filter.severity.join("/"), filter.family && `${filter.family} causes`]
    .filter(Boolean)
    .join(", ");
  return (
    <article className="report">
      <p className="no-print">
        <Link to={`/insights${search}`}>← Insights</Link> · Use your browser’s print command for a PDF.
      </p>
      <h1>Failure review: {filter.from} to {filter.to}</h1>
      <p className="muted">
        {scope ? `Scope: ${scope}. ` : "All teams and models. "}Generated {generatedAt.slice(0, 16).replace("T", " ")} UTC by Faultline.
      </p>
      <section className="card" aria-label="Summary">
        <h2 style={{ marginTop: 0 }}>Summary</h2>
        <ul>
          {summary.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </section>
      <InsightsCharts data={data} search={search} />
    </article>
  );
}

export const meta: MetaFunction = () => [{ title: "Failure review · Faultline" }];
