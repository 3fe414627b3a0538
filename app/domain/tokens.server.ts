import crypto from "node:crypto";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { TOKEN_SCOPES, apiTokens, users } from "../../db/schema";
import type { Db } from "../utils/db.server";
import { sha256 } from "../utils/password.server";
import { recordAudit, type Actor } from "./audit.server";

export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const newTokenSchema = z.object({
  name: z.string().trim().min(2, "Name the token after what uses it (2+ characters).").max(100),
  scope: z.enum(TOKEN_SCOPES, { message: "Pick webhook or api." }),
});

/** Creates a token and returns its secret, which is shown once: only its sha-256 is stored. */
export function createToken(db: Db, input: z.infer<typeof newTokenSchema>, actor: Actor): { id: number; secret: string } {
  const secret = `fl_${input.scope}_${crypto.randomBytes(24).toString("base64url")}`;
  return db.transaction((tx) => {
    const row = tx
      .insert(apiTokens)
      .values({ name: input.name, scope: input.scope, tokenHash: sha256(secret), createdBy: actor.id })
      .returning({ id: apiTokens.id })
      .get();
    recordAudit(tx, actor, "create", "token", row.id, { name: input.name, scope: input.scope });
    return { id: row.id, secret };
  });
}

export function revokeToken(db: Db, id: number, actor: Actor): void {
  db.transaction((tx) => {
    const row = tx
      .update(apiTokens)
      .set({ revokedAt: Date.now() })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning({ name: apiTokens.name })
      .get();
    if (!row) throw new Response("No such active token", { status: 404 });
    recordAudit(tx, actor, "revoke", "token", id, { name: row.name });
  });
}

export function listTokens(db: Db) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      scope: apiTokens.scope,
      createdAt: apiTokens.createdAt,
      createdBy: users.email,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.createdBy))
    .orderBy(desc(apiTokens.createdAt))
    .all();
}

export type TokenIdentity = { id: number; name: string; scope: TokenScope };

// Every webhook and API request looks its token up: the query is prepared once per connection.
const tokenLookups = new WeakMap<object, ReturnType<typeof prepareTokenLookup>>();
function prepareTokenLookup(db: Db) {
  return db
    .select({ id: apiTokens.id, name: apiTokens.name, scope: apiTokens.scope, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sql.placeholder("hash")), eq(apiTokens.scope, sql.placeholder("scope")), isNull(apiTokens.revokedAt)))
    .prepare();
}

/**
 * The active token of this scope named by an `Authorization: Bearer …` header, or null.
 * Records last use at most once a minute, so the ingest path does not write for every request.
 */
export function authenticateToken(db: Db, authorization: string | null | undefined, scope: TokenScope): TokenIdentity | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!m) return null;
  let lookup = tokenLookups.get(db.$client);
  if (!lookup) tokenLookups.set(db.$client, (lookup = prepareTokenLookup(db)));
  const token = lookup.get({ hash: sha256(m[1]), scope });
  if (!token) return null;
  const now = Date.now();
  if (token.lastUsedAt === null || token.lastUsedAt < now - 60_000) {
    db.update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, token.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, now - 60_000))))
      .run();
  }
  return { id: token.id, name: token.name, scope: token.scope };
}

export function tokenActor(token: TokenIdentity): Actor {
  return { id: null, label: `token:${token.name}` };
}
