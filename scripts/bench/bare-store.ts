// Usage: tsx scripts/bench/bare-store.ts DB_FILE   (prints "listening on http://127.0.0.1:PORT")
// The yardstick of the ingest bench: the minimum any durable webhook store does, with no framework. Per request it
// keeps the raw body and upserts one row per alert by fingerprint, in one transaction, on WAL with synchronous=FULL.
import http from "node:http";
import Database from "better-sqlite3";

const file = process.argv[2];
if (!file) throw new Error("usage: tsx scripts/bench/bare-store.ts DB_FILE");
const db = new Database(file);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(`
  create table if not exists deliveries (id integer primary key, received_at integer not null, body text not null);
  create table if not exists alerts (fingerprint text primary key, status text not null, labels text not null,
    starts_at text, last_delivery integer not null);
`);
const insertDelivery = db.prepare<[number, string]>("insert into deliveries (received_at, body) values (?, ?)");
const upsertAlert = db.prepare<[string, string, string, string | null, number | bigint]>(
  `insert into alerts (fingerprint, status, labels, starts_at, last_delivery) values (?, ?, ?, ?, ?)
   on conflict (fingerprint) do update set status = excluded.status, labels = excluded.labels,
     starts_at = excluded.starts_at, last_delivery = excluded.last_delivery`,
);
type Alert = { fingerprint: string; status: string; labels: Record<string, string>; startsAt?: string };
const store = db.transaction((body: string, alerts: Alert[]) => {
  const id = insertDelivery.run(Date.now(), body).lastInsertRowid;
  for (const a of alerts) upsertAlert.run(a.fingerprint, a.status, JSON.stringify(a.labels), a.startsAt ?? null, id);
});

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    let alerts: Alert[];
    try {
      alerts = (JSON.parse(body) as { alerts: Alert[] }).alerts;
      if (!Array.isArray(alerts)) throw new Error("no alerts");
    } catch {
      res.writeHead(400, { "Content-Type": "application/json" }).end('{"error":"bad body"}');
      return;
    }
    store(body, alerts);
    res.writeHead(200, { "Content-Type": "application/json" }).end(`{"alerts":${alerts.length}}`);
  });
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on("SIGTERM", () => server.close(() => (db.close(), process.exit(0))));
