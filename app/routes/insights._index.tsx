import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { SEVERITIES } from "../../db/schema";
import { InsightsCharts } from "~/components/insights-charts";
import { filterOptions, insights, parseInsightFilter } from "~/domain/insights.server";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const url = new URL(request.url);
  const filter = parseInsightFilter(url.searchParams);
  const db = getDb();
  return { filter, data: await insights(db, filter), options: filterOptions(db), search: url.search };
}

export default function Insights() {
  const { filter, data, options, search } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="spread">
        <h1>Insights</h1>
        <Link to={`/insights/report${search}`}>Printable report →</Link>
      </div>
      <Form method="get" className="filters card no-print">
        <div className="field">
          <label htmlFor="from">From</label>
          <input id="from" name="from" type="date" defaultValue={filter.from} />
        </div>
        <div className="field">
          <label htmlFor="to">To</label>
          <input id="to" name="to" type="date" defaultValue={filter.to} />
        </div>
        <div className="field">
          <label htmlFor="team">Team</label>
          <select id="team" name="team" defaultValue={filter.team}>
            <option value="">All teams</option>
            {options.teams.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="model">Model</label>
          <select id="model" name="model" defaultValue={filter.model}>
            <option value="">All models</option>
            {options.models.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend>Severity</legend>
          {SEVERITIES.map((s) => (
            <label key={s}>
              <input type="checkbox" name="severity" value={s} defaultChecked={filter.severity.includes(s)} /> {s}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="family">Cause</label>
          <select id="family" name="family" defaultValue={filter.family}>
            <option value="">ML-specific and non-ML</option>
            <option value="ml">ML-specific only</option>
            <option value="non-ml">Non-ML only</option>
          </select>
        </div>
        <div className="row">
          <button type="submit">Apply</button>
          <Link to="/insights">Reset</Link>
        </div>
      </Form>
      <p className="muted">
        {`${data.total} incidents started ${filter.from} – ${filter.to} (UTC), ${data.classified} of them classified.`}
      </p>
      <InsightsCharts data={data} search={search} />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Insights · Faultline" }];
