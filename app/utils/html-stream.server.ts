import { Transform } from "node:stream";

/** React 18's server renderer writes HTML in views of this many bytes. */
const VIEW_SIZE = 2048;

/**
 * React 18.3's renderToPipeableStream sends a whole 2048-byte view when the next character (·, –, →, any
 * non-ASCII text) does not fit in it, so up to three never-written zero bytes reach the page (facebook/react#24985,
 * fixed only in React 19). HTML never holds a NUL, so this drops those trailing zeros from full views.
 */
export function withoutNulPadding(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let end = chunk.length;
      if (end === VIEW_SIZE) while (end > VIEW_SIZE - 3 && chunk[end - 1] === 0) end--;
      done(null, end === chunk.length ? chunk : chunk.subarray(0, end));
    },
  });
}
