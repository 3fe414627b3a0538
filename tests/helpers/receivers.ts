import http from "node:http";
import { SMTPServer } from "smtp-server";
import { freePort } from "../../scripts/lib/alertmanager-process";

export { freePort };

export type Mail = { to: string[]; subject: string; headers: Record<string, string>; text: string };

/** Header lines of a raw message (folded lines unfolded), lower-cased names. */
function parseHeaders(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let text = raw.slice(split + 4);
  if (/quoted-printable/i.test(headers["content-transfer-encoding"] ?? "")) {
    text = Buffer.from(text.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8");
  }
  return { headers, text };
}

/** A real SMTP server on loopback (the smtp-server package) that keeps every message it accepts. */
export async function startSmtp(port?: number) {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.setEncoding("utf8");
      stream.on("data", (c: string) => (raw += c));
      stream.on("end", () => {
        const { headers, text } = parseHeaders(raw);
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: headers.subject ?? "", headers, text });
        callback();
      });
    },
  });
  const actual = port ?? (await freePort());
  await new Promise<void>((resolve) => server.listen(actual, "127.0.0.1", resolve));
  return { port: actual, url: `smtp://127.0.0.1:${actual}`, mails, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

export type Hit = { path: string; headers: http.IncomingHttpHeaders; body: string };

/** A local HTTP receiver for chat and JSON webhooks; `status` sets what it answers (503 to play a broken one). */
export async function startReceiver(port?: number) {
  const hits: Hit[] = [];
  const state = { status: 200 };
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      if (state.status === 200) hits.push({ path: req.url ?? "", headers: req.headers, body });
      res.writeHead(state.status, { "Content-Type": "text/plain" }).end(state.status === 200 ? "ok" : "unavailable");
    });
  });
  const actual = port ?? (await freePort());
  await new Promise<void>((resolve) => server.listen(actual, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${actual}`,
    hits,
    state,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
