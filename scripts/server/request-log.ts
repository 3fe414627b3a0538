import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { logger } from "../../app/utils/logger.server";

/**
 * One JSON log line per request, when its answer is finished (or the client went away): a request id (also sent
 * as X-Request-Id), method, path without the query string, status and duration. Never headers, cookies or body.
 */
export function requestLog(req: Request, res: Response, next: NextFunction): void {
  const started = performance.now();
  const reqId = crypto.randomUUID();
  res.setHeader("X-Request-Id", reqId);
  let logged = false;
  const log = () => {
    if (logged) return;
    logged = true;
    const line = { reqId, method: req.method, path: req.path, status: res.statusCode, durationMs: Math.round((performance.now() - started) * 10) / 10, aborted: !res.writableFinished || undefined };
    if (res.statusCode >= 500) logger.error(line, "request");
    else logger.info(line, "request");
  };
  res.once("finish", log).once("close", log);
  next();
}
