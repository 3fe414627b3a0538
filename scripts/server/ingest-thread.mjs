// Entry of the webhook writer thread (ingest-writer.ts starts it): a worker thread does not inherit the server's
// tsx loader, so it registers one before loading the writer's TypeScript.
import { register } from "tsx/esm/api";

register();
await import("./ingest-thread.ts");
