import fs from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeTestDb, readRow, type TestDb } from "../helpers/db";
import { WalSyncError, createWalSync } from "../../db/wal-sync";
import { WriterStopped, startIngestWriter } from "../../scripts/server/ingest-writer";

const realFdatasync = fs.fdatasync;
type Callback = (err: NodeJS.ErrnoException | null) => void;

/** Replaces fs.fdatasync: each real sync's callback is held `delayMs`, or answered with `error`; returns a log. */
function watchSyncs({ delayMs = 0, error }: { delayMs?: number; error?: NodeJS.ErrnoException } = {}) {
  const log: { fd: number; file: string; doneAt?: number }[] = [];
  vi.spyOn(fs, "fdatasync").mockImplementation(((fd: number, cb: Callback) => {
    const entry: { fd: number; file: string; doneAt?: number } = { fd, file: fs.readlinkSync(`/proc/self/fd/${fd}`) };
    log.push(entry);
    realFdatasync(fd, (err) =>
      setTimeout(() => {
        entry.doneAt = performance.now();
        cb(error ?? err);
      }, delayMs),
    );
  }) as typeof fs.fdatasync);
  return log;
}

let t: TestDb | undefined;
afterEach(() => {
  vi.restoreAllMocks();
  t?.cleanup();
  t = undefined;
});

describe("createWalSync", () => {
  it("calls back after a sync that began after the call, and callers that come during a sync share the next one", async () => {
    t = makeTestDb();
    const log = watchSyncs({ delayMs: 50 });
    const wal = createWalSync(t.file);
    const done: { n: number; at: number; error: unknown }[] = [];
    const call = (n: number) => new Promise<void>((resolve) => wal.afterCommit((error) => (done.push({ n, at: performance.now(), error }), resolve())));
    const first = call(1);
    // These two arrive while the first sync runs: it may not cover what they wrote, so they wait for a second.
    const rest = [call(2), call(3)];
    await Promise.all([first, ...rest]);
    wal.close();

    expect(log).toHaveLength(2);
    expect(log.every((s) => s.file === fs.realpathSync(`${t!.file}-wal`))).toBe(true);
    expect(done.map((d) => d.error)).toEqual([null, null, null]);
    expect(done[0].at).toBeGreaterThanOrEqual(log[0].doneAt!);
    for (const d of done.slice(1)) expect(d.at).toBeGreaterThanOrEqual(log[1].doneAt!);
  });

  it("reports a WAL it cannot open as a WalSyncError", async () => {
    const wal = createWalSync("/nonexistent/faultline.db");
    const error = await new Promise((resolve) => wal.afterCommit(resolve));
    expect(error).toBeInstanceOf(WalSyncError);
    expect(String(error)).toMatch(/cannot open \/nonexistent\/faultline\.db-wal/);
  });
});

describe("the webhook writer and the WAL sync", () => {
  const delivery = (fingerprint: string) => ({
    delivery: {
      sender: "generic" as const,
      headers: {},
      body: JSON.stringify({ alerts: [{ name: "FeatureFreshnessLag", status: "firing", fingerprint }] }),
      tokenId: null,
    },
    actor: { id: null, label: "token:test-bot" },
    now: Date.now(),
  });

  it("answers a delivery only once the WAL holding its commit is synced to disk", async () => {
    t = makeTestDb();
    const log = watchSyncs({ delayMs: 150 });
    const writer = startIngestWriter(t.file);
    try {
      const outcome = await writer.receive(delivery("synced-1"));
      const answeredAt = performance.now();
      expect(outcome).toEqual({ result: expect.objectContaining({ alerts: 1, duplicate: false }) });
      expect(log.length).toBeGreaterThanOrEqual(1);
      expect(log[0].file).toBe(fs.realpathSync(`${t.file}-wal`));
      expect(answeredAt).toBeGreaterThanOrEqual(log[log.length - 1].doneAt!);
    } finally {
      await writer.stop();
    }
  });

  it("refuses a delivery whose WAL could not be synced as WriterStopped, so the sender sends it again", async () => {
    t = makeTestDb();
    watchSyncs({ error: Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }) });
    const writer = startIngestWriter(t.file);
    try {
      await expect(writer.receive(delivery("unsynced-1"))).rejects.toBeInstanceOf(WriterStopped);
      // Committed all the same (the sync failed, not the write): the sender's retry is a duplicate, changing nothing.
      vi.restoreAllMocks();
      expect(await writer.receive(delivery("unsynced-1"))).toEqual({ result: expect.objectContaining({ duplicate: true }) });
      expect((readRow(t.file, "select count(*) as n from alerts") as { n: number }).n).toBe(1);
    } finally {
      await writer.stop();
    }
  });
});
