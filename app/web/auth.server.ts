import { redirect } from "@remix-run/node";
import type { User } from "../../db/schema";
import { createSession, deleteSession, userCount, userForSession } from "../domain/auth.server";
import type { Actor } from "../domain/audit.server";
import { getDb } from "../utils/db.server";
import { sessionCookie } from "../utils/session.server";

export function actorOf(user: Pick<User, "id" | "email">): Actor {
  return { id: user.id, label: user.email };
}

export async function sessionId(request: Request): Promise<string | null> {
  const value = await sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" ? value : null;
}

export async function getUser(request: Request): Promise<User | null> {
  const id = await sessionId(request);
  return id ? userForSession(getDb(), id) : null;
}

/** The signed-in user, or a redirect to sign in (or to create the first admin on a new install). */
export async function requireUser(request: Request): Promise<User> {
  const user = await getUser(request);
  if (user) return user;
  if (userCount(getDb()) === 0) throw redirect("/setup");
  const url = new URL(request.url);
  throw redirect(`/login?${new URLSearchParams({ redirectTo: url.pathname + url.search })}`);
}

export async function signIn(userId: number, redirectTo: string): Promise<Response> {
  const id = createSession(getDb(), userId);
  return redirect(safeRedirect(redirectTo), {
    headers: { "Set-Cookie": await sessionCookie().serialize(id) },
  });
}

export async function signOut(request: Request): Promise<Response> {
  const id = await sessionId(request);
  if (id) deleteSession(getDb(), id);
  return redirect("/login", {
    headers: { "Set-Cookie": await sessionCookie().serialize("", { maxAge: 0 }) },
  });
}

/** Only same-site paths: never "//host" or a full URL, so sign-in cannot bounce users elsewhere. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/incidents"): string {
  if (typeof to !== "string" || !to.startsWith("/")) return fallback;
  // Browsers drop tabs and newlines and read "\\" as "/", so "/\t/evil" would become "//evil": judge the parsed URL.
  const base = "http://faultline.invalid";
  const url = new URL(to, base);
  if (url.origin !== base || /[\u0000-\u001f\\]/.test(to)) return fallback;
  // The parsed form, percent-encoded: a raw non-ASCII path cannot go into a Location header.
  return url.pathname + url.search + url.hash;
}
