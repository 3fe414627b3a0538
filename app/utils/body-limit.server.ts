import type { IncomingMessage } from "node:http";

/** The largest body an /api/v1 call or webhook delivery may send. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The largest body of an ordinary form (the postmortem form asks for more, see readUrlEncodedForm). */
export const FORM_BODY_BYTES = 256 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Body over ${limit} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends Error {
  constructor(readonly mediaType: string) {
    super(mediaType === "multipart/form-data" ? "This form takes no files." : "Send the form URL-encoded.");
  }
}

/**
 * Reads a Node request body, counting bytes as they arrive and refusing once it passes `limit` (or at once when
 * Content-Length says so). On refusal the rest is left unread, so the caller can answer 413 and close.
 */
export function readBodyLimited(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  if (Number(req.headers["content-length"] ?? "") > limit) return Promise.reject(new BodyTooLargeError(limit));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error: Error | null) => {
      req.off("data", onData).off("end", onEnd).off("error", done).off("close", onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      done(new BodyTooLargeError(limit));
    };
    const onEnd = () => done(null);
    const onClose = () => done(new Error("The client closed the connection before sending the whole body."));
    req.on("data", onData).on("end", onEnd).on("error", done).on("close", onClose);
  });
}

/** The same for a Fetch API request (Remix routes): text of at most `limit` bytes. */
export async function readRequestText(request: Request, limit = MAX_BODY_BYTES): Promise<string> {
  if (Number(request.headers.get("Content-Length") ?? "") > limit) throw new BodyTooLargeError(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not cancel(): that destroys the socket before the 413 is sent. Unread, the source pauses; the server
      // closes the connection after answering (scripts/server.ts).
      reader.releaseLock();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A form post's fields, read within `limit` bytes before any parsing. Only URL-encoded bodies: no form takes
 * files, so multipart (and anything else) is refused without reading it.
 */
export async function readUrlEncodedForm(request: Request, limit = FORM_BODY_BYTES): Promise<FormData> {
  const mediaType = (request.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") throw new UnsupportedMediaTypeError(mediaType);
  const form = new FormData();
  for (const [name, value] of new URLSearchParams(await readRequestText(request, limit))) form.append(name, value);
  return form;
}
