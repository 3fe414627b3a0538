import pino from "pino";

/**
 * The process's one logger: JSON lines on stdout (level from LOG_LEVEL, default info). Secrets never reach a log
 * line: the usual places they travel are redacted wherever a caller passes them in.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: {
    paths: ["password", "token", "secret", "*.password", "*.token", "*.secret", "headers.authorization", "headers.cookie", "req.headers.authorization", "req.headers.cookie"],
    censor: "[redacted]",
  },
});
