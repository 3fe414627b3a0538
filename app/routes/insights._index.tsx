import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { SEVERITIES } from "../../db/schema";
import chartStyles from "~/components/charts/charts.css";
import { FilterCheckboxes, FilterSelect } from "~/components/filters";
import { InsightsCharts } from "~/components/insights-charts";
import { FilterError, filterOptions, insights, parseInsightQuery } from "~/domain/insights.server";
import { requireUser } from "~/web/auth.server";
import { getDb } from "~/utils/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const url = new URL(request.url);
  const db = getDb();
  const options = filterOptions(db);
  // The filters as asked, to show them again beside any problem with them.
  const asked = (k: string) => url.searchParams.get(k) ?? "";
  const form = {
    range: asked("range"),
    from: asked("from"),
    to: asked("to"),
    team: asked("team"),
    model: asked("model"),
    family: asked("family"),
    suggested: asked("suggested"),
    severity: url.searchParams.getAll("severity"),
  };
  try {
    const result = await insights(db, parseInsightQuery(url.searchParams));
    return json({ problems: null, form, options, search: url.search, result });
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    return json({ problems: e.problems, form, options, search: url.search, result: null }, { status: 400 });
  }
}

/** The same query with suggested classes included or not. */
function toggleSuggested(search: string, include: boolean): string {
  const params = new URLSearchParams(search);
  if (include) params.set("suggested", "include");
  else params.delete("suggested");
  return `?${params}`;
}

export default function Insights() {
  const { problems, form, options, search, result } = useLoaderData<typeof loader>();
  const s = result?.summary;
  return (
    <>
      <div className="spread">
        <h1>Insights</h1>
        <Link to={`/insights/report${search}`}>Printable report →</Link>
      </div>
      <Form method="get" className="filters card no-print" aria-describedby={problems ? "filter-problems" : undefined}>
        <FilterSelect name="range" label="Range" value={form.range} any="Dates below" choices={[["all", "All time"]]} />
        <div className="field">
          <label htmlFor="from">From</label>
          <input id="from" name="from" type="date" defaultValue={result?.filter.from ?? form.from} min="1970-01-01" max="2100-12-31" />
        </div>
        <div className="field">
          <label htmlFor="to">To</label>
          <input id="to" name="to" type="date" defaultValue={result?.filter.to ?? form.to} min="1970-01-01" max="2100-12-31" />
        </div>
        <FilterSelect name="team" label="Team" value={form.team} any="All teams" choices={options.teams} />
        <FilterSelect name="model" label="Model" value={form.model} any="All models" choices={options.models} />
        <FilterCheckboxes name="severity" legend="Severity" values={SEVERITIES} checked={form.severity.filter((v): v is (typeof SEVERITIES)[number] => (SEVERITIES as readonly string[]).includes(v))} />
        <FilterSelect
          name="family"
          label="Cause"
          value={form.family}
          any="ML-specific and non-ML"
          choices={[
            ["ml", "ML-specific only"],
            ["non-ml", "Non-ML only"],
          ]}
        />
        <FilterCheckboxes name="suggested" legend="Classes" values={["include"]} checked={form.suggested === "include" ? ["include"] : []} label={() => "include suggested (unconfirmed)"} />
        <div className="row">
          <button type="submit">Apply</button>
          <Link to="/insights">Reset</Link>
        </div>
      </Form>
      {problems ? (
        <div className="form-error filter-error" id="filter-problems" role="alert">
          <p>These filters cannot be used:</p>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {result && s ? (
        <>
          <p className="muted insight-scope">
            {`${s.total} incidents started ${result.filter.from} – ${result.filter.to} (UTC), ${s.classified} of them with a confirmed class` +
              (result.filter.includeSuggested ? " or a suggested one (included)." : ".")}
            {s.suggestedLeftOut ? (
              <>
                {` ${s.suggestedLeftOut} with only a suggested class count as unclassified. `}
                <Link to={toggleSuggested(search, true)}>Include suggested classes</Link>
              </>
            ) : result.filter.includeSuggested ? (
              <>
                {" "}
                <Link to={toggleSuggested(search, false)}>Count confirmed classes only</Link>
              </>
            ) : null}
          </p>
          <InsightsCharts data={result.datasets} bin={s.bin} previous={s.previous} search={search} />
        </>
      ) : null}
    </>
  );
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: chartStyles }];

export const meta: MetaFunction = () => [{ title: "Insights · Faultline" }];
