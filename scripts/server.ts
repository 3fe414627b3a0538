// Usage: npm start   (env: DATABASE_URL, PORT, HOST, SESSION_SECRET, TRUST_PROXY; see README)
// Applies pending migrations, syncs content/, then serves the built Remix app.
import "./server/production-default";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { startCheckpointer } from "../db/checkpointer";
import { SqliteBindingError, databasePath, getDb } from "../db/client";
import { startDeliveryPruning } from "../app/domain/delivery-retention.server";
import { startSuggestions } from "../app/domain/suggestions.server";
import { startNotificationSender } from "../app/domain/notifications/sender.server";
import { announceSetupCode } from "../app/domain/setup-code.server";
import { allowedImageHosts } from "../app/utils/image-hosts.server";
import { logger } from "../app/utils/logger.server";
import { startup } from "../app/web/startup.server";
import { applyTrustProxy, closeWhenBodyUnread, finalErrorHandler, noStoreWhenPrivate, securityHeaders, withEdgeContext } from "./server/edge";
import { requestLog } from "./server/request-log";
import { startIngestWriter } from "./server/ingest-writer";
import { exitGracefully } from "./server/shutdown";
import { webhookEndpoint } from "./server/webhooks";

const started = performance.now();
try {
  startup();
} catch (e) {
  // A missing native build is a setup step, not a bug: one line saying what to run, no stack.
  if (!(e instanceof SqliteBindingError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
announceSetupCode(getDb());
const checkpointer = startCheckpointer(getDb(), databasePath());
const notifications = startNotificationSender(getDb());
const deliveryPruning = startDeliveryPruning(getDb());
const ingestWriter = startIngestWriter(databasePath());

const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;

const app = express();
app.disable("x-powered-by");
applyTrustProxy(app);
app.use(requestLog);
app.use(closeWhenBodyUnread);
// Webhooks answer short JSON to machines: ahead of compression and of the page headers (CSP nonce, no-store).
app.all("/api/webhooks/:sender", webhookEndpoint(ingestWriter));
app.use(compression());
app.use(securityHeaders(allowedImageHosts));
app.use(noStoreWhenPrivate);
app.use("/assets", express.static("build/assets", { immutable: true, maxAge: "1y" }));
app.all(
  "*",
  withEdgeContext(
    createRequestHandler({
      build,
      mode: process.env.NODE_ENV === "development" ? "development" : "production",
      getLoadContext: (_req, res) => ({ nonce: res.locals.nonce as string }),
    }),
  ),
);
app.use(finalErrorHandler);

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const server = app.listen(port, host, () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  logger.info({ host, port: actual, readyMs: Math.round(performance.now() - started) }, `Faultline listening on http://${host}:${actual}`);
  // The class suggester loads its language model and learns confirmed incidents after start-up, off the request path.
  startSuggestions(getDb(), (err) => logger.error({ err }, "class suggester failed to start"));
});

exitGracefully(server, [ingestWriter, { stop: () => checkpointer.terminate() }, notifications, deliveryPruning]);
