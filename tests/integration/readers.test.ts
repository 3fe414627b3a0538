import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { readInParallel } from "../../db/readers";
import { makeTestDb } from "../helpers/db";

const tdb = makeTestDb();
afterAll(() => tdb.cleanup());

describe("readInParallel", () => {
  it("runs queries on reader threads over the same file and returns each one's rows in order", async () => {
    tdb.db.$client.exec("create table t (n integer); insert into t values (1), (2), (3);");
    const [count, rows, journal] = await readInParallel<[{ n: number }[], { n: number }[], { m: string }[]]>(tdb.db, [
      sql`select count(*) as n from t`,
      sql`select n from t where n >= ${2} order by n`,
      // The worker's own connection is read-only: it sees the file, not the caller's handle.
      sql`select journal_mode as m from pragma_journal_mode`,
    ]);
    expect(count).toEqual([{ n: 3 }]);
    expect(rows).toEqual([{ n: 2 }, { n: 3 }]);
    expect(journal).toEqual([{ m: "wal" }]);
  });

  it("rejects with SQLite's message, and the pool keeps working", async () => {
    await expect(readInParallel(tdb.db, [sql`select * from no_such_table`])).rejects.toThrow(/no such table: no_such_table/);
    await expect(readInParallel(tdb.db, [sql`insert into t values (4) returning n`])).rejects.toThrow(/readonly/);
    expect(await readInParallel<[{ n: number }[]]>(tdb.db, [sql`select max(n) as n from t`])).toEqual([[{ n: 3 }]]);
  });
});
