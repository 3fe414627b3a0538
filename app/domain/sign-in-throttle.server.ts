import { and, eq, gt, inArray, isNull, like, lt, or } from "drizzle-orm";
import { signInThrottle } from "../../db/schema";
import type { Db } from "../utils/db.server";
import { logger } from "../utils/logger.server";
import { recordAudit, type Actor } from "./audit.server";

const DAY_MS = 24 * 3600 * 1000;

export type ThrottleSettings = { maxFailures: number; maxFailuresPerAddress: number; windowMs: number; maxLockMs: number };

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * SIGN_IN_MAX_FAILURES failures for an account (three times as many from one address, which a whole office behind
 * one NAT may share) within SIGN_IN_WINDOW_SECONDS lock it for one window, the next time twice as long, … up to a day.
 */
export function throttleSettings(): ThrottleSettings {
  const maxFailures = Math.floor(positive(process.env.SIGN_IN_MAX_FAILURES, 10));
  return {
    maxFailures,
    maxFailuresPerAddress: maxFailures * 3,
    windowMs: positive(process.env.SIGN_IN_WINDOW_SECONDS, 15 * 60) * 1000,
    maxLockMs: DAY_MS,
  };
}

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const addressKey = (address: string) => `address:${address}`;

/** Milliseconds until every one of `keys` may try again; 0 when none is locked. */
export function retryAfterMs(db: Db, keys: string[], now = Date.now()): number {
  const rows = db
    .select({ blockedUntil: signInThrottle.blockedUntil })
    .from(signInThrottle)
    .where(and(inArray(signInThrottle.key, keys), gt(signInThrottle.blockedUntil, now)))
    .all();
  return Math.max(0, ...rows.map((r) => r.blockedUntil! - now));
}

/**
 * Counts one failed sign-in against each key, in one transaction. A key reaching the threshold within the window
 * is locked for windowMs × 2^(lockouts in a row), at most maxLockMs. Returns how long the longest lock now runs.
 */
export function recordFailure(db: Db, keys: string[], now = Date.now(), settings = throttleSettings()): number {
  return db.transaction((tx) => {
    let longest = 0;
    for (const key of keys) {
      const row = tx.select().from(signInThrottle).where(eq(signInThrottle.key, key)).get();
      // A day without failures forgives earlier lockouts; a window past its end starts counting afresh.
      const lockouts = row && now - row.lastFailureAt < settings.maxLockMs ? row.lockouts : 0;
      const fresh = !row || now - row.windowStart >= settings.windowMs;
      let failures = (fresh ? 0 : row.failures) + 1;
      let windowStart = fresh ? now : row.windowStart;
      let blockedUntil = row?.blockedUntil ?? null;
      let nextLockouts = lockouts;
      if (failures >= (key.startsWith("address:") ? settings.maxFailuresPerAddress : settings.maxFailures)) {
        const lockMs = Math.min(settings.windowMs * 2 ** lockouts, settings.maxLockMs);
        blockedUntil = now + lockMs;
        nextLockouts = lockouts + 1;
        failures = 0;
        windowStart = blockedUntil;
        longest = Math.max(longest, lockMs);
      }
      const values = { failures, windowStart, lastFailureAt: now, lockouts: nextLockouts, blockedUntil };
      tx.insert(signInThrottle)
        .values({ key, ...values })
        .onConflictDoUpdate({ target: signInThrottle.key, set: values })
        .run();
    }
    // Keys for made-up emails would pile up: forget those quiet for a day and not locked.
    tx.delete(signInThrottle)
      .where(
        and(
          lt(signInThrottle.lastFailureAt, now - settings.maxLockMs),
          or(isNull(signInThrottle.blockedUntil), lt(signInThrottle.blockedUntil, now)),
        ),
      )
      .run();
    return longest;
  });
}

/** A successful sign-in clears its account's count (not its address's: one good account must not reset a guesser). */
export function clearAccount(db: Db, email: string): void {
  db.delete(signInThrottle).where(eq(signInThrottle.key, accountKey(email))).run();
}

/** Accounts locked right now, with when their lock ends, for Settings → Users. */
export function lockedAccounts(db: Db, now = Date.now()): { email: string; until: number }[] {
  return db
    .select({ key: signInThrottle.key, until: signInThrottle.blockedUntil })
    .from(signInThrottle)
    .where(and(like(signInThrottle.key, "account:%"), gt(signInThrottle.blockedUntil, now)))
    .all()
    .map((r) => ({ email: r.key.slice("account:".length), until: r.until! }));
}

/** An admin lifts an account's lock (and forgets its failures). */
export function unlockAccount(db: Db, email: string, actor: Actor): void {
  db.transaction((tx) => {
    tx.delete(signInThrottle).where(eq(signInThrottle.key, accountKey(email))).run();
    recordAudit(tx, actor, "unlock", "user", email.trim().toLowerCase(), {});
  });
}

/**
 * Records one failed sign-in: the throttle for the account and the client address, an audit entry and a JSON log
 * line (the email as typed, at most 200 characters, and the address; never the password). Returns the lock it caused.
 */
export function recordFailedSignIn(db: Db, attempt: { email: string; address: string }, now = Date.now()): number {
  const email = attempt.email.trim().toLowerCase().slice(0, 200);
  const lockedMs = recordFailure(db, [accountKey(email), addressKey(attempt.address)], now);
  recordAudit(db, { id: null, label: email }, "sign_in_failed", "user", email, { address: attempt.address, lockedMs });
  logger.warn({ event: "sign_in_failed", email, address: attempt.address, lockedMs }, "failed sign-in");
  return lockedMs;
}
