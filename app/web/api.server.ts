import { json } from "@remix-run/node";
import type { z } from "zod";
import type { Incident } from "../../db/schema";
import { authenticateToken, type TokenIdentity, type TokenScope } from "../domain/tokens.server";
import { getDb } from "../utils/db.server";
import { fieldErrors } from "../utils/forms";
import { isoOrNull } from "../utils/dates";
import { BodyTooLargeError, readRequestText } from "../utils/body-limit.server";

/** The one shape of API errors: `{ "error": "<what is wrong>" }` with a 4xx/5xx status. */
export function apiError(status: number, error: string, headers?: HeadersInit): Response {
  return json({ error }, { status, headers });
}

/** The active API token of `scope` on the request, or a thrown 401 JSON response. */
export function requireApiToken(request: Request, scope: TokenScope): TokenIdentity {
  const token = authenticateToken(getDb(), request.headers.get("Authorization"), scope);
  if (token) return token;
  throw apiError(401, request.headers.get("Authorization") ? `Invalid or revoked token, or not a${scope === "api" ? "n" : ""} ${scope} token.` : `Missing Authorization: Bearer <${scope} token>.`, {
    "WWW-Authenticate": "Bearer",
  });
}

/** A JSON object body (at most 1 MiB), or a thrown 4xx JSON response saying what is wrong. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  let body: string;
  try {
    body = await readRequestText(request);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw apiError(413, "Body over 1 MiB.");
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw apiError(400, "Body is not valid JSON.");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw apiError(400, "Body must be a JSON object.");
  return value as Record<string, unknown>;
}

/** 400 with the message of each invalid field. */
export function validationError(error: z.ZodError): Response {
  return json({ error: "Invalid input.", fields: fieldErrors(error) }, { status: 400 });
}


/** An incident as the JSON API shows it: ISO times, and `version` for optimistic locking. */
export function incidentJson(i: Incident) {
  return {
    id: i.id,
    title: i.title,
    status: i.status,
    severity: i.severity,
    team: i.team,
    summary: i.summary,
    impact: i.impact,
    detectionSource: i.detectionSource,
    startedAt: isoOrNull(i.startedAt),
    detectedAt: isoOrNull(i.detectedAt),
    mitigatedAt: isoOrNull(i.mitigatedAt),
    resolvedAt: isoOrNull(i.resolvedAt),
    trigger: i.trigger,
    lifecycleStage: i.lifecycleStage,
    source: i.source,
    postmortemMarkdown: i.postmortemMd,
    postmortemRevision: i.postmortemRev,
    version: i.version,
    createdAt: isoOrNull(i.createdAt),
    updatedAt: isoOrNull(i.updatedAt),
  };
}
