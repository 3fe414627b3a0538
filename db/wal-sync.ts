import fs from "node:fs";

/** fdatasync of the WAL failed: what was committed since the last good sync may not survive a power loss. */
export class WalSyncError extends Error {}

/**
 * Durability for a connection that commits with synchronous=NORMAL (no fsync inside COMMIT): `afterCommit(done)`
 * calls `done` once everything written to the database's WAL before the call is on disk. The fdatasync runs on
 * libuv's thread pool, so the committing thread goes on with the next transaction meanwhile; callers that arrive
 * while one sync is running share the next one. Answering a client only in `done` keeps synchronous=FULL's promise
 * (an acknowledged write survives power loss) without the committing thread waiting on the disk.
 *
 * The WAL file stays open for the connection's life: SQLite deletes it only when the last connection closes, and
 * takes no locks on it (they are on the -shm file), so this descriptor can neither go stale nor drop SQLite's locks.
 */
export function createWalSync(databaseFile: string) {
  const walFile = `${databaseFile}-wal`;
  let fd: number | null = null;
  let syncing = false;
  let next: ((error: WalSyncError | null) => void)[] = [];

  function sync(): void {
    const batch = next;
    next = [];
    syncing = true;
    const finish = (error: WalSyncError | null) => {
      syncing = false;
      for (const done of batch) done(error);
      if (next.length) sync();
    };
    try {
      fd ??= fs.openSync(walFile, "r");
    } catch (e) {
      return finish(new WalSyncError(`cannot open ${walFile}: ${(e as Error).message}`));
    }
    fs.fdatasync(fd, (e) => finish(e ? new WalSyncError(`fdatasync of ${walFile} failed: ${e.message}`) : null));
  }

  return {
    afterCommit(done: (error: WalSyncError | null) => void): void {
      next.push(done);
      if (!syncing) sync();
    },
    /** After the connection's last commit was synced. */
    close(): void {
      if (fd !== null) fs.closeSync(fd);
      fd = null;
    },
  };
}
