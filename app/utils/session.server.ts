import { createCookie, type Cookie } from "@remix-run/node";
import { sessionSecrets } from "./env.server";
import { requestContext } from "./request-context.server";

export const SESSION_DAYS = 14;

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

/**
 * Whether this request's cookies are Secure. COOKIE_SECURE=1/0 forces it; otherwise a request that came over
 * HTTPS (directly, or per X-Forwarded-Proto from a proxy that TRUST_PROXY trusts) gets Secure cookies, and so does
 * any request to a server listening beyond loopback.
 */
export function secureCookies(): boolean {
  if (process.env.COOKIE_SECURE) return process.env.COOKIE_SECURE === "1";
  if (requestContext()?.https) return true;
  return !LOOPBACK.includes(process.env.HOST ?? "127.0.0.1");
}

type CookieOptions = Parameters<typeof createCookie>[1];

/**
 * A signed cookie in two forms, chosen per request: Secure ones take the `__Host-` prefix (the browser then refuses
 * them unless Secure, on Path=/ and without Domain, so a sibling subdomain cannot plant or shadow them).
 */
export function cookiePair(name: string, options: CookieOptions): () => Cookie {
  let plain: Cookie | undefined;
  let secure: Cookie | undefined;
  return () => {
    if (secureCookies()) {
      return (secure ??= createCookie(`__Host-${name}`, { ...options, secure: true, path: "/", secrets: sessionSecrets() }));
    }
    return (plain ??= createCookie(name, { ...options, secure: false, path: "/", secrets: sessionSecrets() }));
  };
}

/** The signed cookie that carries a session id (the session itself lives in the `sessions` table). */
export const sessionCookie = cookiePair("faultline_session", {
  httpOnly: true,
  sameSite: "lax",
  maxAge: SESSION_DAYS * 24 * 3600,
});
