import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { authenticateToken, tokenActor } from "../../app/domain/tokens.server";
import { BodyTooLargeError, MAX_BODY_BYTES, readBodyLimited } from "../../app/utils/body-limit.server";
import { getDb } from "../../app/utils/db.server";
import { logger } from "../../app/utils/logger.server";
import { metrics, type RefusalReason } from "../../app/utils/metrics.server";
import { DeliveryFailed, WriterStopped, type startIngestWriter } from "./ingest-writer";
import { SENDERS, isSender, verifyGrafanaSignature, verifyPagerDutySignature } from "../../app/webhooks/index";

function secrets(name: string): string[] {
  return (process.env[name] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res
    .writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body), "X-Content-Type-Options": "nosniff", ...headers })
    .end(body);
}

/**
 * Headers stored with a delivery, by allowlist: what tells an admin who sent it and how it was framed. Anything
 * else (credentials, cookies, a proxy's or sender's custom headers) is never written down.
 */
const KEPT_HEADERS = ["content-type", "content-length", "content-encoding", "user-agent", "x-request-id", "x-grafana-alerting-signature-timestamp"];

function keptHeaders(req: IncomingMessage): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const key of KEPT_HEADERS) {
    const value = req.headers[key];
    if (value !== undefined) kept[key] = (Array.isArray(value) ? value.join(", ") : value).slice(0, 500);
  }
  return kept;
}

type Writer = ReturnType<typeof startIngestWriter>;

/**
 * `/api/webhooks/:sender`, served by express in front of Remix (the hot path needs none of Remix's work): the
 * token and any signature are checked before the body goes on, the body is read once (at most 1 MiB), and the
 * writer thread (ingest-writer.ts) parses, validates, stores and applies it; the answer is sent only after the commit.
 */
export function webhookEndpoint(writer: Writer) {
  return (req: Request, res: Response, next: NextFunction): void => void receiveWebhook(writer, req, res).catch(next);
}

async function receiveWebhook(writer: Writer, req: Request, res: Response): Promise<void> {
  const started = performance.now();
  const sender = req.params.sender ?? "";
  const refuse = (status: number, reason: RefusalReason, error: string, headers?: Record<string, string>) => {
    if (isSender(sender)) metrics.refused.inc({ sender, reason });
    logger.warn({ sender: sender.slice(0, 40), reason, status }, `webhook refused: ${error}`);
    sendJson(res, status, { error }, headers);
  };
  if (req.method !== "POST") return refuse(405, "method", "Send alerts with POST.", { Allow: "POST" });
  if (!isSender(sender)) return refuse(404, "unknown_sender", `Unknown sender "${sender.slice(0, 40)}". Use one of: ${SENDERS.join(", ")}.`);
  metrics.received.inc({ sender });
  const db = getDb();

  const token = authenticateToken(db, req.headers.authorization, "webhook");
  // PagerDuty cannot send a bearer token; its deliveries may instead carry an HMAC signature over the body.
  const pagerDutySignature = sender === "pagerduty" ? req.headers["x-pagerduty-signature"] : undefined;
  const pagerDutySecrets = secrets("PAGERDUTY_WEBHOOK_SECRETS");
  const unauthorized = () =>
    refuse(401, "unauthorized", req.headers.authorization ? "Invalid or revoked token." : "Missing Authorization: Bearer <webhook token>.", {
      "WWW-Authenticate": "Bearer",
    });
  if (!token && !(typeof pagerDutySignature === "string" && pagerDutySecrets.length)) return unauthorized();

  let body: string;
  try {
    body = (await readBodyLimited(req, MAX_BODY_BYTES)).toString("utf8");
  } catch (e) {
    if (e instanceof BodyTooLargeError) return refuse(413, "too_large", `Body over ${MAX_BODY_BYTES} bytes; split the batch.`);
    // The client went away mid-body: there is no one to answer.
    logger.info({ sender, reason: "aborted" }, "webhook body not received whole");
    return void res.destroy();
  }
  if (!token && !verifyPagerDutySignature(body, String(pagerDutySignature), pagerDutySecrets)) return unauthorized();
  const grafanaSecret = process.env.GRAFANA_WEBHOOK_SECRET;
  if (
    sender === "grafana" &&
    grafanaSecret &&
    !verifyGrafanaSignature(body, req.get("X-Grafana-Alerting-Signature") ?? null, grafanaSecret, req.get("X-Grafana-Alerting-Signature-Timestamp") ?? null)
  ) {
    return refuse(401, "unauthorized", "Missing or invalid X-Grafana-Alerting-Signature.");
  }

  const delivery = { sender, headers: keptHeaders(req), body, tokenId: token?.id ?? null };
  const actor = token ? tokenActor(token) : { id: null, label: "pagerduty-signature" };
  try {
    const outcome = await writer.receive({ delivery, actor, now: Date.now() });
    if ("invalid" in outcome) return refuse(400, "invalid", outcome.invalid);
    if (!outcome.result.duplicate) metrics.applied.inc({ sender });
    metrics.ingestSeconds.observe({ sender }, (performance.now() - started) / 1000);
    sendJson(res, 200, outcome.result);
  } catch (e) {
    if (!(e instanceof DeliveryFailed || e instanceof WriterStopped)) throw e;
    logger.error({ sender, err: e }, "webhook delivery could not be applied");
    // Nothing of it was applied. A failed one was kept so an admin can replay it once the cause is fixed; one the
    // stopped writer held may not have been, so the sender is asked to send it again (a kept copy makes it a duplicate).
    if (e instanceof DeliveryFailed) refuse(500, "failed", "The delivery could not be applied; it was kept for replay.");
    else refuse(503, "failed", "The delivery could not be stored; send it again.", { "Retry-After": "1" });
  }
}
