import pino from "pino";

// Lines are written in batches of 3 KiB or more, or every 100 ms, not one write per line: under an alert storm
// the request lines cost the request thread a syscall each. A batch is whole lines and at most PIPE_BUF (4 KiB),
// so it reaches a pipe in one piece even when another thread's logger writes to the same stdout. pino flushes the
// rest at exit.
const destination = pino.destination({ dest: 1, sync: false, minLength: 3072, maxWrite: 4096 });
setInterval(() => destination.flush(), 100).unref();

/**
 * The process's one logger: JSON lines on stdout (level from LOG_LEVEL, default info). Secrets never reach a log
 * line: the usual places they travel are redacted wherever a caller passes them in.
 */
export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? "info",
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ["password", "token", "secret", "*.password", "*.token", "*.secret", "headers.authorization", "headers.cookie", "req.headers.authorization", "req.headers.cookie"],
      censor: "[redacted]",
    },
  },
  destination,
);
