import { createCookie } from "@remix-run/node";
import { sessionSecrets } from "./env.server";

export const SESSION_DAYS = 14;

/** Secure cookies unless served on loopback over plain HTTP; COOKIE_SECURE=1/0 overrides. */
export function secureCookies(): boolean {
  if (process.env.COOKIE_SECURE) return process.env.COOKIE_SECURE === "1";
  const host = process.env.HOST ?? "127.0.0.1";
  return !["127.0.0.1", "localhost", "::1"].includes(host);
}

let cookie: ReturnType<typeof createCookie> | undefined;

/** The signed cookie that carries a session id (the session itself lives in the `sessions` table). */
export function sessionCookie() {
  cookie ??= createCookie("faultline_session", {
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookies(),
    path: "/",
    secrets: sessionSecrets(),
    maxAge: SESSION_DAYS * 24 * 3600,
  });
  return cookie;
}
