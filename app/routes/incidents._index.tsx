import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { INCIDENT_STATUSES, SEVERITIES } from "../../db/schema";
import { SeverityBadge, StatusBadge, statusLabel } from "~/components/badges";
import { FilterCheckboxes, FilterSelect } from "~/components/filters";
import { Pager } from "~/components/pager";
import { GettingStarted } from "~/components/getting-started";
import { ReviewBadge } from "~/components/incident/review";
import { COUNT_CAP, PAGE_SIZE, listIncidents, parseIncidentFilter } from "~/domain/incidents.server";
import { filterOptions } from "~/domain/insights.server";
import { gettingStarted } from "~/domain/onboarding.server";
import { reviewStates } from "~/domain/reviews.server";
import { sourceLabelKeys } from "~/domain/source-labels.server";
import { taxonomyTree } from "~/domain/taxonomy.server";
import type { loader as rootLoader } from "~/root";
import { requireUser } from "~/web/auth.server";
import { formatDate, formatDuration, formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { countLabel } from "~/utils/forms";
import { hasRole } from "~/utils/roles";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const url = new URL(request.url);
  const filter = parseIncidentFilter(url.searchParams);
  const db = getDb();
  const { rows, total } = listIncidents(db, filter);
  const options = filterOptions(db);
  const tree = taxonomyTree(db);
  const classNames = new Map(tree.classes.flatMap((c) => [c, ...c.children]).map((c) => [c.id, c.name]));
  const reviews = reviewStates(db, rows.map((r) => r.id));
  const unfiltered = !url.search || url.search === "?";
  return {
    // A brand-new install: say what to do first instead of "no incidents match".
    onboarding: total === 0 && unfiltered ? gettingStarted(db) : null,
    filter: { ...filter, from: filter.from === null ? "" : formatDate(filter.from), to: filter.to === null ? "" : formatDate(filter.to) },
    rows: rows.map((r) => ({ ...r, className: r.primaryClassId === null ? null : (classNames.get(r.primaryClassId) ?? r.primaryClassId), review: reviews.get(r.id) ?? null })),
    total,
    teams: options.teams,
    models: options.models,
    classes: tree.classes.flatMap((c) => [[c.id, c.name] as const, ...c.children.map((s) => [s.id, `\u00a0\u00a0${s.name}`] as const)]),
    labels: sourceLabelKeys(db),
    totalLabel: countLabel(total, COUNT_CAP, "incident"),
    hasMore: filter.page * PAGE_SIZE < total,
    search: url.search,
  };
}

export default function Incidents() {
  const { filter, rows, totalLabel, hasMore, teams, models, classes, labels, search, onboarding } = useLoaderData<typeof loader>();
  const user = useRouteLoaderData<typeof rootLoader>("root")?.user;
  return (
    <>
      <div className="spread">
        <h1>Incidents</h1>
        {hasRole(user, "editor") ? (
          <Link className="button" to="/incidents/new">
            New incident
          </Link>
        ) : null}
      </div>
      <Form method="get" className="filters card" role="search">
        <div className="field">
          <label htmlFor="q">Search</label>
          <input id="q" name="q" type="search" defaultValue={filter.q} placeholder="title, summary, postmortem" />
        </div>
        <FilterCheckboxes name="status" legend="Status" values={INCIDENT_STATUSES} checked={filter.status} label={statusLabel} />
        <FilterCheckboxes name="severity" legend="Severity" values={SEVERITIES} checked={filter.severity} />
        <FilterSelect name="team" label="Team" value={filter.team} any="All teams" choices={teams} />
        <FilterSelect name="class" label="Class" value={filter.class} any="All classes" choices={classes} />
        <FilterSelect name="family" label="Family" value={filter.family} any="Both families" choices={[["non-ml", "non-ML"], ["ml", "ML-specific"]]} />
        <FilterSelect name="model" label="Model" value={filter.model} any="All models" choices={models} />
        <div className="field">
          <label htmlFor="label">Source label</label>
          <input id="label" name="label" list="source-labels" defaultValue={filter.label} placeholder="e.g. cloud" />
          <datalist id="source-labels">
            {labels.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
        </div>
        <fieldset>
          <legend>Needs a person</legend>
          <label>
            <input type="checkbox" name="unclassified" value="1" defaultChecked={filter.unclassified} /> unclassified
          </label>
        </fieldset>
        <div className="field">
          <label htmlFor="from">Started from</label>
          <input id="from" name="from" type="date" defaultValue={filter.from} />
        </div>
        <div className="field">
          <label htmlFor="to">to</label>
          <input id="to" name="to" type="date" defaultValue={filter.to} />
        </div>
        <div className="row">
          <button type="submit">Filter</button>
          <Link to="/incidents">Clear</Link>
        </div>
      </Form>
      <p className="muted" aria-live="polite">
        {totalLabel}
      </p>
      {rows.length ? (
        <table>
          <thead>
            <tr>
              <th>Started</th>
              <th>Title</th>
              <th>Severity</th>
              <th>Status</th>
              <th>Team</th>
              <th>Class</th>
              <th>Time to detect</th>
              <th>Time to resolve</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>{formatUtc(r.startedAt)}</td>
                <td>
                  <Link to={`/incidents/${r.id}`}>{r.title}</Link>
                  {r.source === "webhook" ? <span className="badge">from alert</span> : null}
                </td>
                <td>
                  <SeverityBadge severity={r.severity} />
                </td>
                <td>
                  <StatusBadge status={r.status} /> <ReviewBadge state={r.review} />
                </td>
                <td>{r.team}</td>
                <td>
                  {r.primaryClassId === null ? (
                    <span className="muted">unclassified</span>
                  ) : (
                    <Link to={`/taxonomy/${r.primaryClassId}`}>{r.className}</Link>
                  )}
                  {r.classStatus === "suggested" ? <span className="badge">suggested</span> : null}
                </td>
                <td>{formatDuration(r.detectedAt === null ? null : r.detectedAt - r.startedAt)}</td>
                <td>{formatDuration(r.resolvedAt === null ? null : r.resolvedAt - r.startedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : onboarding ? (
        <GettingStarted {...onboarding} canEdit={hasRole(user, "editor")} isAdmin={hasRole(user, "admin")} />
      ) : (
        <p className="card">
          No incidents match these filters. <Link to="/incidents">Clear the filters</Link>
          {hasRole(user, "editor") ? (
            <>
              {" "}
              or <Link to="/incidents/new">record a new incident</Link>
            </>
          ) : null}
          .
        </p>
      )}
      <Pager page={filter.page} hasMore={hasMore} search={search} />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Incidents · Faultline" }];
