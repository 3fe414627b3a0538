import { json } from "@remix-run/node";

/** The one shape of API errors: `{ "error": "<what is wrong>" }` with a 4xx/5xx status. */
export function apiError(status: number, error: string, headers?: HeadersInit): Response {
  return json({ error }, { status, headers });
}

export class BodyTooLargeError extends Error {}

/** Reads a request body as text, refusing (without buffering the rest) once it passes `limit` bytes. */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("Content-Length") ?? "");
  if (declared > limit) throw new BodyTooLargeError();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
