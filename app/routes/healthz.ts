import { json } from "@remix-run/node";
import { healthProblem } from "~/domain/operations.server";
import { getDb } from "~/utils/db.server";

/** GET /healthz for load balancers and container health checks: no session, no data, 503 with the reason. */
export async function loader() {
  const problem = healthProblem(getDb());
  const headers = { "Cache-Control": "no-store" };
  return problem ? json({ status: "unavailable", reason: problem }, { status: 503, headers }) : json({ status: "ok" }, { headers });
}
