import { DueCell } from "~/components/due-date";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { z } from "zod";
import { SeverityBadge } from "~/components/badges";
import { CsrfInput } from "~/components/csrf";
import { FilterSelect } from "~/components/filters";
import { Pager } from "~/components/pager";
import { countOpenActionItems, listOpenActionItems, setActionStatus } from "~/domain/actions.server";
import { assignableUsers } from "~/domain/assignments.server";
import { formatCount } from "~/components/charts/format";
import type { loader as rootLoader } from "~/root";
import { actorOf, requireUser } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { formObject, pageNumber } from "~/utils/forms";
import { requireRole } from "~/web/permissions.server";
import { hasRole } from "~/utils/roles";
import { ActionsHeader } from "~/components/intent-form";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const overdueOnly = url.searchParams.get("overdue") === "1";
  const page = pageNumber.parse(url.searchParams.get("page") ?? 1);
  const ownerParam = url.searchParams.get("owner") ?? "";
  const assigneeId = ownerParam === "me" ? user.id : /^\d+$/.test(ownerParam) ? Number(ownerParam) : undefined;
  const now = Date.now();
  const db = getDb();
  const { items, hasMore } = listOpenActionItems(db, { overdueOnly, assigneeId, now, page });
  const base = new URLSearchParams(url.search);
  base.delete("page");
  base.delete("overdue");
  return {
    items,
    hasMore,
    page,
    overdueOnly,
    owner: assigneeId === undefined ? "" : ownerParam,
    people: assignableUsers(db).map((u) => [String(u.id), u.name] as const),
    counts: countOpenActionItems(db, now, assigneeId),
    search: url.search,
    ownerQuery: base.toString(),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const input = z
    .object({ incidentId: z.coerce.number().int().positive(), actionId: z.coerce.number().int().positive(), back: z.string().default("") })
    .safeParse(formObject(await readForm(request)));
  if (!input.success) throw new Response("Pick an action item.", { status: 400 });
  setActionStatus(getDb(), input.data.incidentId, input.data.actionId, "done", actorOf(user));
  // Back to the same filtered page (only a query string is accepted, never another path).
  return redirect(`/actions${input.data.back.startsWith("?") ? input.data.back : ""}#actions-list`);
}

export default function ActionItems() {
  const { items, hasMore, page, overdueOnly, counts, search, owner, people, ownerQuery } = useLoaderData<typeof loader>();
  const canEdit = hasRole(useRouteLoaderData<typeof rootLoader>("root")?.user, "editor");
  const q = (extra: string) => `?${[ownerQuery, extra].filter(Boolean).join("&")}`;
  return (
    <>
      <h1>Action items</h1>
      <Form method="get" className="filters card" role="search">
        <FilterSelect name="owner" label="Assigned to" value={owner} any="Anyone" choices={[["me", "Me"], ...people]} />
        {overdueOnly ? <input type="hidden" name="overdue" value="1" /> : null}
        <div className="row">
          <button type="submit">Filter</button>
        </div>
      </Form>
      <p className="row">
        {overdueOnly ? <Link to={q("")}>All open ({formatCount(counts.open)})</Link> : <b>All open ({formatCount(counts.open)})</b>}
        {" · "}
        {overdueOnly ? <b>Overdue ({formatCount(counts.overdue)})</b> : <Link to={q("overdue=1")}>Overdue ({formatCount(counts.overdue)})</Link>}
      </p>
      {items.length ? (
        <table id="actions-list">
          <thead>
            <tr>
              <th>Due</th>
              <th>Action</th>
              <th>Kind</th>
              <th>Owner</th>
              <th>Incident</th>
              {canEdit ? <ActionsHeader /> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <DueCell dueAt={a.dueAt} overdue={a.overdue} />
                <td>{a.title}</td>
                <td>{a.kind}</td>
                <td>{a.assignee ?? (a.owner || "—")}</td>
                <td>
                  <SeverityBadge severity={a.severity} /> <Link to={`/incidents/${a.incidentId}`}>#{a.incidentId} {a.incidentTitle}</Link>
                </td>
                {canEdit ? (
                  <td>
                    <Form method="post" preventScrollReset>
                      <CsrfInput />
                      <input type="hidden" name="incidentId" value={a.incidentId} />
                      <input type="hidden" name="back" value={search} />
                      <button type="submit" name="actionId" value={a.id} className="secondary" aria-label={`Mark done: ${a.title}`}>
                        Done
                      </button>
                    </Form>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="card">{page > 1 ? "No more items." : overdueOnly ? "Nothing is overdue." : "No open action items."}</p>
      )}
      <Pager page={page} hasMore={hasMore} search={search} labels={["← Due sooner", "Due later →"]} />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Action items · Faultline" }];
