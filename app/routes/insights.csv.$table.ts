import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { DATASET_IDS, FilterError, insights, parseInsightQuery } from "~/domain/insights.server";
import { requireUser } from "~/web/auth.server";
import { toCsv } from "~/utils/dataset";
import { getDb } from "~/utils/db.server";

/** The dataset behind one insights chart, as CSV, for the same filters as the page. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  const id = DATASET_IDS.find((t) => t === params.table);
  if (!id) return json({ error: `No table "${params.table}". Use one of: ${DATASET_IDS.join(", ")}.` }, { status: 404 });
  let query;
  try {
    query = parseInsightQuery(new URL(request.url).searchParams);
  } catch (e) {
    if (e instanceof FilterError) return json({ error: e.message }, { status: 400 });
    throw e;
  }
  const { filter, datasets } = await insights(getDb(), query);
  return new Response(toCsv(datasets[id]), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="faultline-${id}-${filter.from}-${filter.to}.csv"`,
    },
  });
}
