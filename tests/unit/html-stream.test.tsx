import { PassThrough, type Transform } from "node:stream";
import { text } from "node:stream/consumers";
import { renderToPipeableStream } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { withoutNulPadding } from "~/utils/html-stream.server";

/** Renders through React's streaming renderer as entry.server.tsx does, into `body`. */
function stream(el: React.ReactElement, body: Transform): Promise<string> {
  return new Promise((resolve, reject) => {
    const { pipe } = renderToPipeableStream(el, {
      onAllReady() {
        pipe(body);
        text(body).then(resolve, reject);
      },
      onShellError: reject,
    });
  });
}

// Paragraphs of "→" (3 bytes in UTF-8) after a few ASCII characters, so some "→" falls across a 2048-byte view.
const page = (
  <div>
    {Array.from({ length: 6 }, (_, i) => (
      <p key={i}>{`${"x".repeat(i)}${"→".repeat(600)}`}</p>
    ))}
  </div>
);

describe("withoutNulPadding", () => {
  it("removes the zero bytes React 18 pads a full view with, and nothing else", async () => {
    const raw = await stream(page, new PassThrough());
    // Without it the bug shows (if React is ever upgraded past it, this line says so and the module can go).
    expect(raw).toContain("\u0000");
    const html = await stream(page, withoutNulPadding());
    expect(html).not.toContain("\u0000");
    expect(html).toBe(raw.replaceAll("\u0000", ""));
    expect(html.match(/→/g)).toHaveLength(6 * 600);
  });
});
