import { and, eq, isNull } from "drizzle-orm";
import { apiTokens } from "../../db/schema";
import type { Db } from "../utils/db.server";
import { publicUrl } from "./notifications/sender.server";

/** What a new install needs to say on its empty incident list: where Alertmanager posts and whether a token exists. */
export function gettingStarted(db: Db) {
  const token = db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(eq(apiTokens.scope, "webhook"), isNull(apiTokens.revokedAt)))
    .limit(1)
    .get();
  return { webhookUrl: `${publicUrl()}/api/webhooks/alertmanager`, hasWebhookToken: !!token };
}
