import type { Server } from "node:http";
import { closeDb, getDb } from "../../db/client";
import { logger } from "../../app/utils/logger.server";

/**
 * On SIGTERM (or SIGINT): stop accepting connections, let requests in flight finish (at most `graceMs`, then
 * their connections are cut), stop the background work (the checkpointer; the notification sender, whose sends in
 * flight record their outcome first, so none is repeated), checkpoint the WAL into the database (TRUNCATE, so the
 * file alone is the whole database), close it and exit 0.
 */
export function exitGracefully(
  server: Server,
  background: { stop: () => Promise<unknown> }[],
  graceMs = Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000),
): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs }, "shutting down: finishing requests in flight");
    const started = performance.now();
    // Keep-alive connections go as soon as they are idle; busy ones get their answer first.
    const idle = setInterval(() => server.closeIdleConnections(), 20);
    const cut = setTimeout(() => {
      logger.warn("shutdown grace period over: closing the remaining connections");
      server.closeAllConnections();
    }, graceMs);
    server.close(async () => {
      clearInterval(idle);
      clearTimeout(cut);
      let code = 0;
      try {
        await Promise.all(background.map((b) => b.stop()));
        const [result] = getDb().$client.pragma("wal_checkpoint(TRUNCATE)") as { busy: number; log: number; checkpointed: number }[];
        closeDb();
        logger.info({ ...result, ms: Math.round(performance.now() - started) }, "database checkpointed and closed");
      } catch (e) {
        code = 1;
        logger.error({ err: e }, "shutdown: could not checkpoint or close the database");
      }
      process.exit(code);
    });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
