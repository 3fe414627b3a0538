import crypto from "node:crypto";
import { BodyTooLargeError, FORM_BODY_BYTES, UnsupportedMediaTypeError, readUrlEncodedForm } from "./body-limit.server";
import { cookiePair, sessionCookie } from "./session.server";

// Double-submit token: a signed HttpOnly cookie holds a random secret; every form repeats a token derived from it
// and from the session, so a token seen before sign-in (or in another session) is worthless after it. Each render
// masks the token afresh, so no byte of it repeats across responses (compression side channels learn nothing).
const csrfCookie = cookiePair("faultline_csrf", { httpOnly: true, sameSite: "lax" });

const TOKEN_BYTES = 32;

async function sessionKey(cookieHeader: string | null): Promise<string> {
  const id = await sessionCookie().parse(cookieHeader);
  return typeof id === "string" ? id : "";
}

function boundToken(secret: string, session: string): Buffer {
  return crypto.createHmac("sha256", secret).update(`csrf:${session}`).digest();
}

function mask(token: Buffer): string {
  const pad = crypto.randomBytes(TOKEN_BYTES);
  const masked = Buffer.alloc(TOKEN_BYTES);
  for (let i = 0; i < TOKEN_BYTES; i++) masked[i] = pad[i] ^ token[i];
  return Buffer.concat([pad, masked]).toString("base64url");
}

function unmask(value: string): Buffer | null {
  const raw = Buffer.from(value, "base64url");
  if (raw.length !== 2 * TOKEN_BYTES) return null;
  const token = Buffer.alloc(TOKEN_BYTES);
  for (let i = 0; i < TOKEN_BYTES; i++) token[i] = raw[i] ^ raw[TOKEN_BYTES + i];
  return token;
}

/** This render's masked CSRF token, and a Set-Cookie header when this browser needed a new secret. */
export async function csrfToken(request: Request): Promise<{ token: string; setCookie: string | null }> {
  const cookieHeader = request.headers.get("Cookie");
  const existing = await csrfCookie().parse(cookieHeader);
  const session = await sessionKey(cookieHeader);
  if (typeof existing === "string" && existing.length >= 32) return { token: mask(boundToken(existing, session)), setCookie: null };
  const secret = crypto.randomBytes(24).toString("base64url");
  return { token: mask(boundToken(secret, session)), setCookie: await csrfCookie().serialize(secret) };
}

/** True when `given` (a form's csrf field) unmasks to this browser's token for its current session. */
export async function csrfTokenMatches(request: Request, given: FormDataEntryValue | null): Promise<boolean> {
  const cookieHeader = request.headers.get("Cookie");
  const secret = await csrfCookie().parse(cookieHeader);
  if (typeof secret !== "string" || typeof given !== "string") return false;
  const token = unmask(given);
  return !!token && crypto.timingSafeEqual(token, boundToken(secret, await sessionKey(cookieHeader)));
}

/**
 * Reads a form post within `maxBytes` (413 past it, 415 unless URL-encoded) and rejects it (403) unless it carries
 * this browser's token for its session.
 */
export async function readForm(request: Request, opts: { maxBytes?: number } = {}): Promise<FormData> {
  let form: FormData;
  try {
    form = await readUrlEncodedForm(request, opts.maxBytes ?? FORM_BODY_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new Response("That form is too large to accept.", { status: 413 });
    if (e instanceof UnsupportedMediaTypeError) throw new Response(e.message, { status: 415 });
    throw new Response("The form could not be read.", { status: 400 });
  }
  if (!(await csrfTokenMatches(request, form.get("csrf")))) {
    throw new Response("This form has expired or came from another site. Reload the page and try again.", {
      status: 403,
    });
  }
  return form;
}
