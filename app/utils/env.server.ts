import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { databasePath } from "../../db/client";

let secrets: string[] | undefined;

/**
 * Secrets that sign cookies, newest first. SESSION_SECRET may list several (comma-separated) so they can rotate;
 * when unset, one is generated once and kept beside the database so sessions survive restarts.
 */
export function sessionSecrets(): string[] {
  if (secrets) return secrets;
  const fromEnv = process.env.SESSION_SECRET?.split(",").map((s) => s.trim()).filter(Boolean);
  if (fromEnv?.length) return (secrets = fromEnv);
  const file = path.join(path.dirname(databasePath()), "session-secret");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
  }
  return (secrets = [fs.readFileSync(file, "utf8").trim()]);
}
