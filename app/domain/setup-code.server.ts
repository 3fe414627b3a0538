import crypto from "node:crypto";
import type { Db } from "../utils/db.server";
import { logger } from "../utils/logger.server";
import { sha256 } from "../utils/password.server";
import { processWide } from "../utils/process-wide";
import { userCount } from "./auth.server";

// The server script issues it, the Remix build (a separate copy of this module) checks it.
const holder = processWide("setup-code", (): { hash?: string } => ({}));

/**
 * On an empty database, makes a one-time setup code and prints it to the server log: /setup creates the first
 * admin only for someone who can read that log. Each start issues a new one; it ends when the first admin exists.
 */
export function announceSetupCode(db: Db): string | null {
  if (userCount(db) > 0) return null;
  const code = crypto.randomBytes(9).toString("base64url").replace(/[-_]/g, "x").match(/.{4}/g)!.join("-");
  holder.hash = sha256(code);
  logger.warn({ event: "setup_code", setupCode: code }, `No accounts yet: open /setup and enter the setup code ${code}`);
  return code;
}

/** True only for the code this process printed (compared in constant time); false when none was issued. */
export function isSetupCode(given: unknown): boolean {
  const expected = holder.hash;
  if (!expected || typeof given !== "string") return false;
  return crypto.timingSafeEqual(Buffer.from(sha256(given.trim())), Buffer.from(expected));
}

/** The first admin exists: the code is spent. */
export function retireSetupCode(): void {
  holder.hash = undefined;
}
