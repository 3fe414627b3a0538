import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { SEVERITIES } from "../../db/schema";
import { FilterCheckboxes, FilterSelect } from "~/components/filters";
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
        <FilterSelect name="team" label="Team" value={filter.team} any="All teams" choices={options.teams} />
        <FilterSelect name="model" label="Model" value={filter.model} any="All models" choices={options.models} />
        <FilterCheckboxes name="severity" legend="Severity" values={SEVERITIES} checked={filter.severity} />
        <FilterSelect
          name="family"
          label="Cause"
          value={filter.family}
          any="ML-specific and non-ML"
          choices={[
            ["ml", "ML-specific only"],
            ["non-ml", "Non-ML only"],
          ]}
        />
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
