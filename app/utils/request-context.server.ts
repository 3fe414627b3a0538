import { AsyncLocalStorage } from "node:async_hooks";
import { processWide } from "./process-wide";

/** What the Express edge (scripts/server.ts) knows about a request that a Fetch `Request` does not carry. */
export type RequestContext = {
  /** The browser reached us over HTTPS: directly, or through a trusted proxy's X-Forwarded-Proto. */
  https: boolean;
  /** The client's address (the proxy's X-Forwarded-For when TRUST_PROXY trusts it). */
  clientAddress: string;
};

// The server script runs the handler, the Remix build's loaders read it: one store for both copies of this module.
const store = processWide("request-context", () => new AsyncLocalStorage<RequestContext>());

/** Runs `fn` (the Remix handler) with `context` visible to every loader and action it calls. */
export function withRequestContext<T>(context: RequestContext, fn: () => T): T {
  return store.run(context, fn);
}

/** The context of the request being handled, or undefined outside one (scripts, tests of domain code). */
export function requestContext(): RequestContext | undefined {
  return store.getStore();
}
