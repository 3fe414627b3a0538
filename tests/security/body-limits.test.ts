import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, createIncidentByForm, createToken, setupAdmin } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
});
afterAll(() => server?.dispose());

/** The server process's resident memory in bytes, from /proc. */
function serverRss(): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.process.pid}/status`, "utf8"))?.[1];
  if (!kb) throw new Error("no VmRSS");
  return Number(kb) * 1024;
}

/**
 * POSTs `size` bytes of "a" (chunked unless `contentLength`), writing with backpressure and stopping once the
 * server answers. Resolves with the status and body of the answer.
 */
function postBytes(path: string, size: number, opts: { contentLength?: boolean; contentType?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  const url = new URL(server.url + path);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: "POST",
        headers: {
          "Content-Type": opts.contentType ?? "application/x-www-form-urlencoded",
          ...(opts.contentLength ? { "Content-Length": String(size) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        answered = true;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    // Once the server has answered and closed, the rest of the upload fails: that is the point.
    req.on("error", (e) => (answered ? undefined : reject(e)));
    const chunk = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    const pump = () => {
      while (!answered && sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    // With a Content-Length, or a type no form takes, the server can refuse on the headers alone: give it a moment
    // to, so a loaded machine's race between our first writes and its closing the connection cannot swallow the
    // answer (EPIPE or a reset, no status).
    if (opts.contentLength || opts.contentType?.startsWith("multipart/")) setTimeout(pump, 200);
    else pump();
  });
}

const MB = 1024 * 1024;

describe("form bodies are limited before they are parsed", () => {
  beforeAll(async () => {
    // Warm the code paths up, so the measurements below see only what a large body costs.
    for (let i = 0; i < 3; i++) {
      await postBytes("/login", 2 * MB);
      await postBytes("/login", 2 * MB, { contentLength: true });
    }
  });

  it.each([
    { how: "with Content-Length", contentLength: true },
    { how: "chunked, counted as it streams", contentLength: false },
  ])("an anonymous 100 MB POST to /login ($how) is refused with 413 within 20 MB of memory", async ({ contentLength }) => {
    const before = serverRss();
    const res = await postBytes("/login", 100 * MB, { contentLength });
    const after = serverRss();
    expect(res.status).toBe(413);
    expect(res.body).not.toMatch(/\bat .+\(|node_modules/);
    expect(after - before).toBeLessThan(20 * MB);
    // The server is fine afterwards.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("a client still uploading after the 413 reads the whole answer and gets the server's FIN, not a reset", async () => {
    const url = new URL(server.url);
    // Half-open, as an uploading HTTP client is: the server's FIN ends its answer, not the upload.
    const socket = net.connect({ port: Number(url.port), host: url.hostname, allowHalfOpen: true });
    let received = "";
    let resetOrBrokenPipe: string | null = null;
    socket.setEncoding("utf8");
    socket.on("data", (c: string) => (received += c));
    socket.on("error", (e: NodeJS.ErrnoException) => (resetOrBrokenPipe = e.code ?? e.message));
    const ended = new Promise<void>((resolve) => socket.once("end", resolve));
    socket.write(`POST /login HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = `10000\r\n${"a".repeat(0x10000)}\r\n`;
    // Past the form limit, so the server answers; then half a second more of upload, as a slow client would.
    for (let i = 0; i < 8; i++) socket.write(chunk);
    await ended;
    const until = Date.now() + 500;
    while (Date.now() < until && !resetOrBrokenPipe) {
      socket.write(chunk);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(received).toMatch(/connection: close/i);
    expect(resetOrBrokenPipe).toBeNull();
    // The lingering is bounded: a client that never stops uploading is cut off within seconds.
    const closed = new Promise((r) => socket.once("close", r));
    const pumping = setInterval(() => socket.writable && socket.write(chunk), 20);
    const cutOffAfter = Date.now();
    await closed;
    clearInterval(pumping);
    expect(Date.now() - cutOffAfter).toBeLessThan(5000);
  }, 15_000);

  it("three parallel 100 MB multipart posts are refused with 415 and cost no memory", async () => {
    const before = serverRss();
    const results = await Promise.all([1, 2, 3].map(() => postBytes("/login", 100 * MB, { contentType: "multipart/form-data; boundary=x" })));
    expect(results.map((r) => r.status)).toEqual([415, 415, 415]);
    expect(serverRss() - before).toBeLessThan(20 * MB);
  });

  it("an ordinary form refuses a body over 256 KiB and takes one under it", async () => {
    const { body } = await admin.html("/incidents/new");
    const csrf = /name="csrf" value="([^"]+)"/.exec(body)![1];
    const form = (summary: string) =>
      new URLSearchParams({ csrf, title: "Big summary", severity: "SEV3", startedAt: "2026-01-01T10:00", summary });
    const post = (f: URLSearchParams) =>
      fetch(`${server.url}/incidents/new`, {
        method: "POST",
        redirect: "manual",
        headers: { Cookie: admin.cookieHeader(), "Content-Type": "application/x-www-form-urlencoded" },
        body: f,
      });
    expect((await post(form("x".repeat(257 * 1024)))).status).toBe(413);
    // Under the limit the form is read (and the field's own length rule answers).
    expect([302, 400]).toContain((await post(form("x".repeat(20_000)))).status);
  });

  it("the postmortem form takes a full-length write-up of multi-byte characters and refuses more", async () => {
    const id = await createIncidentByForm(admin, { title: "Long write-up", severity: "SEV3", startedAt: "2026-01-01T10:00" });
    const page = await admin.html(`/incidents/${id}/postmortem`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1];
    const rev = /name="rev" value="(\d+)"/.exec(page.body)?.[1] ?? "0";
    const save = (markdown: string) =>
      fetch(`${server.url}/incidents/${id}/postmortem`, {
        method: "POST",
        redirect: "manual",
        headers: { Cookie: admin.cookieHeader(), "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf, intent: "save", rev, markdown }),
      });
    // 199,000 em dashes: 1.8 MB URL-encoded, within the write-up's 200,000-character limit.
    const res = await save(`# Summary\n\n${"\u2014".repeat(199_000)}`);
    expect(res.status).toBe(302);
    expect((await save("x".repeat(3 * MB))).status).toBe(413);
  });
});

describe("/api/v1 shares the same limit", () => {
  it("a chunked JSON body over 1 MiB is a 413 with a JSON error", async () => {
    const token = await createToken(admin, "api");
    const res = await postBytes("/api/v1/incidents", 3 * MB, { contentType: "application/json", headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toMatch(/1 MiB/);
  });
});
