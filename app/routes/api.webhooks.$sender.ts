import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { MAX_WEBHOOK_BYTES, modelLabels, receiveDelivery, storeUnappliedDelivery } from "~/domain/alerts.server";
import { authenticateToken, tokenActor } from "~/domain/tokens.server";
import { SENDERS, WebhookParseError, isSender, parseWebhook, verifyGrafanaSignature, verifyPagerDutySignature } from "~/webhooks/index";
import { BodyTooLargeError, apiError, readBodyText } from "~/utils/api.server";
import { getDb } from "~/utils/db.server";

export async function loader() {
  return apiError(405, "Send alerts with POST.", { Allow: "POST" });
}

function secrets(name: string): string[] {
  return (process.env[name] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return apiError(405, "Send alerts with POST.", { Allow: "POST" });
  const sender = params.sender ?? "";
  if (!isSender(sender)) return apiError(404, `Unknown sender "${sender}". Use one of: ${SENDERS.join(", ")}.`);
  const db = getDb();

  let body: string;
  try {
    body = await readBodyText(request, MAX_WEBHOOK_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) return apiError(413, `Body over ${MAX_WEBHOOK_BYTES} bytes; split the batch.`);
    throw e;
  }

  const token = authenticateToken(db, request.headers.get("Authorization"), "webhook");
  // PagerDuty cannot send a bearer token; its deliveries may instead carry an HMAC signature.
  const pagerDutySigned =
    sender === "pagerduty" && verifyPagerDutySignature(body, request.headers.get("X-PagerDuty-Signature"), secrets("PAGERDUTY_WEBHOOK_SECRETS"));
  if (!token && !pagerDutySigned) {
    return apiError(401, request.headers.get("Authorization") ? "Invalid or revoked token." : "Missing Authorization: Bearer <webhook token>.", {
      "WWW-Authenticate": "Bearer",
    });
  }
  const grafanaSecret = process.env.GRAFANA_WEBHOOK_SECRET;
  if (
    sender === "grafana" &&
    grafanaSecret &&
    !verifyGrafanaSignature(body, request.headers.get("X-Grafana-Alerting-Signature"), grafanaSecret, request.headers.get("X-Grafana-Alerting-Signature-Timestamp"))
  ) {
    return apiError(401, "Missing or invalid X-Grafana-Alerting-Signature.");
  }

  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    if (key !== "authorization" && key !== "cookie") headers[key] = value;
  });
  const delivery = { sender, headers, body, tokenId: token?.id ?? null };

  let events;
  try {
    events = parseWebhook(sender, JSON.parse(body), { modelLabel: modelLabels().model });
  } catch (e) {
    const message = e instanceof SyntaxError ? "Body is not valid JSON." : e instanceof WebhookParseError ? e.message : null;
    if (message === null) throw e;
    storeUnappliedDelivery(db, delivery, "rejected", message);
    return apiError(400, message);
  }
  const actor = token ? tokenActor(token) : { id: null, label: "pagerduty-signature" };
  try {
    return json(receiveDelivery(db, delivery, events, actor));
  } catch (e) {
    // Nothing was applied; the body is kept so an admin can replay it once the cause is fixed.
    storeUnappliedDelivery(db, delivery, "failed", e instanceof Error ? e.message : String(e));
    throw e;
  }
}
