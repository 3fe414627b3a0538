import type { Db } from "../../db/client";

export { getDb } from "../../db/client";
export type { Db } from "../../db/client";
/** A transaction handle; helpers that must join the caller's transaction take `Conn`. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type Conn = Db | Tx;
