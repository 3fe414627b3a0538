import crypto from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { operationalCounts } from "~/domain/operations.server";
import { apiError } from "~/web/api.server";
import { getDb } from "~/utils/db.server";
import { metrics } from "~/utils/metrics.server";

function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [crypto.createHash("sha256").update(given).digest(), crypto.createHash("sha256").update(expected).digest()];
  return crypto.timingSafeEqual(a, b);
}

/** GET /metrics in the Prometheus text format; with METRICS_TOKEN set, only for `Authorization: Bearer <it>`. */
export async function loader({ request }: LoaderFunctionArgs) {
  const expected = process.env.METRICS_TOKEN;
  if (expected) {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("Authorization") ?? "")?.[1];
    if (!given || !sameSecret(given, expected)) return apiError(401, "Missing or wrong Authorization: Bearer <METRICS_TOKEN>.", { "WWW-Authenticate": "Bearer" });
  }
  const counts = operationalCounts(getDb());
  for (const [status, n] of Object.entries(counts.incidents)) metrics.incidents.set({ status }, n);
  metrics.actionItemsOpen.set(counts.actionItems.open);
  metrics.actionItemsOverdue.set(counts.actionItems.overdue);
  return new Response(await metrics.registry.metrics(), { headers: { "Content-Type": metrics.registry.contentType, "Cache-Control": "no-store" } });
}
