import crypto from "node:crypto";
import { createCookie } from "@remix-run/node";
import { sessionSecrets } from "./env.server";
import { secureCookies } from "./session.server";

// Double-submit token: a signed HttpOnly cookie whose value every form repeats in a hidden field.
let cookie: ReturnType<typeof createCookie> | undefined;
function csrfCookie() {
  cookie ??= createCookie("faultline_csrf", {
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookies(),
    path: "/",
    secrets: sessionSecrets(),
  });
  return cookie;
}

/** The request's CSRF token, and a Set-Cookie header when a new one had to be issued. */
export async function csrfToken(request: Request): Promise<{ token: string; setCookie: string | null }> {
  const existing = await csrfCookie().parse(request.headers.get("Cookie"));
  if (typeof existing === "string" && existing.length >= 32) return { token: existing, setCookie: null };
  const token = crypto.randomBytes(24).toString("base64url");
  return { token, setCookie: await csrfCookie().serialize(token) };
}

/** Reads a form post and rejects it (403) unless it carries the token of this browser's cookie. */
export async function readForm(request: Request): Promise<FormData> {
  const expected = await csrfCookie().parse(request.headers.get("Cookie"));
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new Response("The form could not be read.", { status: 400 });
  }
  const given = form.get("csrf");
  if (
    typeof expected !== "string" ||
    typeof given !== "string" ||
    given.length !== expected.length ||
    !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  ) {
    throw new Response("This form has expired or came from another site. Reload the page and try again.", {
      status: 403,
    });
  }
  return form;
}
