import type { AppLoadContext } from "@remix-run/node";
import type { Request as ExpressRequest } from "express";

/**
 * The load context scripts/server.ts hands every Remix request: the client's address as express sees it (req.ip,
 * which follows express's "trust proxy" setting), for the sign-in throttle.
 */
export function requestContext(req: ExpressRequest): AppLoadContext {
  return { clientAddress: req.ip ?? req.socket.remoteAddress ?? "unknown" };
}

export function clientAddress(context: AppLoadContext | undefined): string {
  const address = (context as { clientAddress?: unknown } | undefined)?.clientAddress;
  return typeof address === "string" && address ? address : "unknown";
}
