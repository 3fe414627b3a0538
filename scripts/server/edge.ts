import crypto from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from "express";
import { logger } from "../../app/utils/logger.server";
import { withRequestContext } from "../../app/utils/request-context.server";

/**
 * TRUST_PROXY: unset or 0 trusts no proxy; otherwise Express's "trust proxy" value — a hop count ("1"), "true",
 * or addresses/subnets ("loopback", "10.0.0.0/8,127.0.0.1"). Only then do X-Forwarded-Proto/-For count.
 */
export function trustProxySetting(value = process.env.TRUST_PROXY): boolean | number | string {
  if (!value || value === "0" || value === "false") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

export function applyTrustProxy(app: Express): void {
  app.set("trust proxy", trustProxySetting());
}

/** The Content-Security-Policy of a response whose inline scripts carry `nonce`, images limited to `imageHosts`. */
export function contentSecurityPolicy(nonce: string, imageHosts: readonly string[]): string {
  const img = ["'self'", "data:", ...imageHosts.map((h) => `https://${h}`)].join(" ");
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    `img-src ${img}`,
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join("; ");
}

/** Security headers on every response, with a fresh CSP nonce in `res.locals.nonce` for the page renderer. */
export function securityHeaders(imageHosts: () => readonly string[]): RequestHandler {
  return (_req, res, next) => {
    const nonce = crypto.randomBytes(16).toString("base64");
    res.locals.nonce = nonce;
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce, imageHosts()));
    next();
  };
}

const SESSION_COOKIE = /(?:^|;\s*)(?:__Host-)?faultline_session=/;

/**
 * Cache-Control: no-store on what a signed-in browser is shown and on the API, unless the route chose its own:
 * no shared or back/forward cache may keep a page with someone's incidents after they sign out.
 */
export function noStoreWhenPrivate(req: Request, res: Response, next: NextFunction): void {
  const isPrivate = req.path.startsWith("/api/v1") || SESSION_COOKIE.test(req.headers.cookie ?? "");
  if (isPrivate) {
    beforeHeaders(res, () => {
      if (!res.getHeader("Cache-Control")) res.setHeader("Cache-Control", "no-store");
    });
  }
  next();
}

/** How long a connection closed on an unread body goes on discarding what the client still sends. */
const LINGER_MS = 2000;

/**
 * A route may answer before reading a large body (a 404, a refused token, a 413). The Remix adapter leaves the
 * rest of it paused, which would stall the next request on that keep-alive connection: close the connection
 * instead, and close it lingering (as nginx does): closing a socket with unread data makes the kernel send a
 * reset, which can reach a client still uploading before it has read the answer. So the server sends its FIN,
 * discards what still arrives, and destroys the socket when the client closes or after LINGER_MS at most.
 */
export function closeWhenBodyUnread(req: Request, res: Response, next: NextFunction): void {
  beforeHeaders(res, () => {
    if (req.complete) return;
    res.setHeader("Connection", "close");
    lingerOnClose(req.socket);
  });
  next();
}

/** Node's server closes the last response's socket with destroySoon(): make that a lingering close. */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function (this: Socket) {
    const timer = setTimeout(() => this.destroy(), LINGER_MS).unref();
    this.once("close", () => clearTimeout(timer));
    this.once("end", () => this.destroy());
    // The request parser may be gone by now: whatever arrives is read and dropped.
    this.on("data", () => {});
    this.resume();
    this.end();
  };
}

/** Runs `fn` just before the response's headers are written, whoever writes them. */
function beforeHeaders(res: Response, fn: () => void): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: Parameters<typeof writeHead>) {
    fn();
    return writeHead.apply(this, args);
  } as typeof writeHead;
}

/** Runs the Remix handler with what only Express knows (HTTPS behind a trusted proxy, the client address). */
export function withEdgeContext(handler: RequestHandler): RequestHandler {
  return (req, res, next) => withRequestContext({ https: req.secure, clientAddress: req.ip ?? req.socket.remoteAddress ?? "" }, () => handler(req, res, next));
}

/**
 * The last handler: a short plain message, never a stack or a path (Express's own would print both outside
 * production). 4xx from Express itself (a bad percent-escape, a malformed body) keep their status.
 */
export const finalErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const given = Number((err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode);
  const status = given >= 400 && given < 500 ? given : 500;
  if (status === 500) logger.error({ err, method: req.method, path: req.path }, "unhandled error");
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).type("text/plain; charset=utf-8").send(status === 500 ? "Something went wrong." : `${STATUS_CODES[status] ?? "Bad request"}.`);
};
