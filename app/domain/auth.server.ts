import crypto from "node:crypto";
import { and, asc, count, eq, gt, lte, ne } from "drizzle-orm";
import { z } from "zod";
import { ROLES, sessions, users, type Role, type User } from "../../db/schema";
import type { Db } from "../utils/db.server";
import { hashPassword, sha256, verifyPassword } from "../utils/password.server";
import { SESSION_DAYS } from "../utils/session.server";
import { recordAudit, type Actor } from "./audit.server";

export const passwordSchema = z.string().min(10, "Use at least 10 characters.").max(200, "Use at most 200 characters.");

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter a valid email address."),
  name: z.string().trim().min(1, "Enter a name.").max(100),
  role: z.enum(ROLES, { message: "Pick a role." }),
  password: passwordSchema,
});
export type NewUser = z.infer<typeof newUserSchema>;

export function userCount(db: Db): number {
  return db.select({ n: count() }).from(users).get()!.n;
}

export class DuplicateEmailError extends Error {}

export async function createUser(db: Db, input: NewUser, actor: Actor): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction((tx) => {
    if (tx.select({ id: users.id }).from(users).where(eq(users.email, input.email)).get()) {
      throw new DuplicateEmailError(`${input.email} already has an account.`);
    }
    const user = tx
      .insert(users)
      .values({ email: input.email, name: input.name, role: input.role, passwordHash })
      .returning()
      .get();
    recordAudit(tx, actor.id === null ? { id: user.id, label: user.email } : actor, "create", "user", user.id, {
      email: user.email,
      role: user.role,
    });
    return user;
  });
}

/** Creates the first account as admin; refuses once any account exists (the race is closed by the transaction). */
export async function createFirstAdmin(db: Db, input: Omit<NewUser, "role">): Promise<User | null> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction((tx) => {
    if (tx.select({ n: count() }).from(users).get()!.n > 0) return null;
    const user = tx
      .insert(users)
      .values({ email: input.email, name: input.name, role: "admin", passwordHash })
      .returning()
      .get();
    recordAudit(tx, { id: user.id, label: user.email }, "create", "user", user.id, {
      email: user.email,
      role: "admin",
      firstAdmin: true,
    });
    return user;
  });
}

// Compared against when the email is unknown, so a miss costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;

export async function authenticate(db: Db, email: string, password: string): Promise<User | null> {
  const user = db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();
  if (!user || user.disabled) {
    dummyHash ??= hashPassword("not a real password");
    await verifyPassword(password, await dummyHash);
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}

/**
 * Opens a session and returns its secret id (only its hash is stored). Expired sessions are deleted on the way,
 * so the table holds at most the sessions of one SESSION_DAYS window (only a correct password creates one).
 */
export function createSession(db: Db, userId: number): string {
  const id = crypto.randomBytes(32).toString("base64url");
  const now = Date.now();
  db.transaction((tx) => {
    tx.delete(sessions).where(lte(sessions.expiresAt, now)).run();
    tx.insert(sessions)
      .values({ id: sha256(id), userId, expiresAt: now + SESSION_DAYS * 24 * 3600 * 1000 })
      .run();
  });
  return id;
}

export function userForSession(db: Db, sessionId: string): User | null {
  const row = db
    .select({ user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sha256(sessionId)), gt(sessions.expiresAt, Date.now())))
    .get();
  return row && !row.user.disabled ? row.user : null;
}

export function deleteSession(db: Db, sessionId: string): void {
  db.delete(sessions).where(eq(sessions.id, sha256(sessionId))).run();
}

export function listUsers(db: Db) {
  return db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, disabled: users.disabled })
    .from(users)
    .orderBy(asc(users.email))
    .all();
}

export class LastAdminError extends Error {}

/** Changes a role or disables an account; signs the user out everywhere. Keeps at least one active admin. */
export function updateUser(db: Db, userId: number, change: { role: Role; disabled: boolean }, actor: Actor): void {
  db.transaction((tx) => {
    const before = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!before) throw new Response("No such user", { status: 404 });
    const losesAdmin = before.role === "admin" && !before.disabled && (change.role !== "admin" || change.disabled);
    if (losesAdmin) {
      const admins = tx
        .select({ n: count() })
        .from(users)
        .where(and(eq(users.role, "admin"), eq(users.disabled, false)))
        .get()!.n;
      if (admins <= 1) throw new LastAdminError("Faultline needs at least one active admin.");
    }
    tx.update(users).set(change).where(eq(users.id, userId)).run();
    tx.delete(sessions).where(eq(sessions.userId, userId)).run();
    recordAudit(tx, actor, "update", "user", userId, {
      from: { role: before.role, disabled: before.disabled },
      to: change,
    });
  });
}

/**
 * Sets a user's password and ends their sessions, all but `keepSessionId` (the one changing it, when it is their
 * own). An admin's reset passes none, so the user signs in afresh with the new password.
 */
export async function setPassword(db: Db, userId: number, password: string, actor: Actor, keepSessionId?: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  db.transaction((tx) => {
    const user = tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).get();
    if (!user) throw new Response("No such user", { status: 404 });
    tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
    const others = keepSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, sha256(keepSessionId))) : eq(sessions.userId, userId);
    tx.delete(sessions).where(others).run();
    recordAudit(tx, actor, actor.id === userId ? "change_password" : "reset_password", "user", userId, {});
  });
}

export class WrongPasswordError extends Error {}

/** A signed-in user changes their own password: only with the current one; their other sessions end. */
export async function changeOwnPassword(db: Db, user: User, current: string, next: string, sessionId: string): Promise<void> {
  if (!(await verifyPassword(current, user.passwordHash))) throw new WrongPasswordError("That is not your current password.");
  await setPassword(db, user.id, next, { id: user.id, label: user.email }, sessionId);
}
