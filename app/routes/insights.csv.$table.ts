import type { LoaderFunctionArgs } from "@remix-run/node";
import { insights, parseInsightFilter, toCsv } from "~/domain/insights.server";
import { requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";

/** The table behind one insights chart, as CSV, for the same filters as the page. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  const filter = parseInsightFilter(new URL(request.url).searchParams);
  const data = await insights(getDb(), filter);
  const table = data.tables[params.table ?? ""];
  if (!table) throw new Response(`No table "${params.table}". Use one of: ${Object.keys(data.tables).join(", ")}.`, { status: 404 });
  return new Response(toCsv(table), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="faultline-${params.table}-${filter.from}-${filter.to}.csv"`,
    },
  });
}
