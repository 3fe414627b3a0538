import crypto from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, setupAdmin, signIn } from "../helpers/http";
import { freePort, startReceiver, startSmtp } from "../helpers/receivers";
import { startServer, type RunningServer } from "../helpers/server";

const SECRET = "hook-signing-secret-0123";
const PASSWORD = "a long enough password";

let server: RunningServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let smtpPort: number;
let admin: Client;
let env: Record<string, string>;

function q<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(server.dbFile, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

async function until(what: string, check: () => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function createToken(): Promise<string> {
  const res = await admin.submit("/settings/tokens", { intent: "create", name: "am", scope: "webhook" });
  return /<p class="secret">([^<]+)<\/p>/.exec(await res.text())![1];
}

function amBody(rule: string, group: string) {
  return JSON.stringify({
    version: "4",
    groupKey: group,
    status: "firing",
    receiver: "faultline",
    alerts: [
      {
        status: "firing",
        labels: { alertname: rule, severity: "critical" },
        annotations: { summary: `${rule} fired` },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus.example.com/graph",
        fingerprint: `fp-${rule}`,
      },
    ],
  });
}

const outbox = () => q<{ dedupe_key: string; transport: string; status: string; event: string; attempts: number; recipient: string | null }>("select * from notification_outbox order by id");

beforeAll(async () => {
  receiver = await startReceiver();
  receiver.state.status = 503;
  // Nothing listens on the SMTP port yet: email fails until the server starts.
  smtpPort = await freePort();
  env = {
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SMTP_FROM: "Faultline <faultline@test.invalid>",
    PUBLIC_URL: "https://faultline.test.invalid",
    NOTIFY_INTERVAL_MS: "150",
    NOTIFY_RETRY_MS: "200",
    NOTIFY_LEASE_MS: "3000",
  };
  server = await startServer({ env });
  admin = await setupAdmin(server.url);
});
afterAll(async () => {
  await server?.dispose();
  await receiver?.stop();
  await smtp?.stop();
});

describe("notifications arrive once, across a crash and a restart", () => {
  let draftId: number;

  it("queues notices while the receivers are down, and keeps them through a crash", async () => {
    for (const [name, email] of [["Bob", "bob@example.com"], ["Carol", "carol@example.com"]]) {
      expect((await admin.submit("/settings/users", { intent: "create", name, email, role: "editor", password: PASSWORD })).status).toBe(302);
    }
    const events = ["draft_opened", "assigned", "review_requested", "review_decided", "mentioned", "action_digest"];
    expect((await admin.submit("/settings/notifications", { intent: "channel.create", name: "chat", kind: "slack", url: `${receiver.url}/slack/T000/B000/XXXX`, secret: "", events })).status).toBe(302);
    expect((await admin.submit("/settings/notifications", { intent: "channel.create", name: "hook", kind: "webhook", url: `${receiver.url}/hook`, secret: SECRET, events })).status).toBe(302);
    const refused = await admin.submit("/settings/notifications", { intent: "channel.create", name: "bad", kind: "webhook", url: "ftp://x", secret: "short", events: [] });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("A signed webhook needs a secret of 16+ characters.");

    const token = await createToken();
    const res = await fetch(`${server.url}/api/webhooks/alertmanager`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: amBody("FeatureLag", "g1") });
    expect(res.status).toBe(200);
    draftId = q<{ id: number }>("select id from incidents where source = 'webhook'")[0].id;
    const bob = q<{ id: number }>("select id from users where email = 'bob@example.com'")[0].id;
    const carol = q<{ id: number }>("select id from users where email = 'carol@example.com'")[0].id;
    // The admin claims it (no email to themselves), makes Bob the lead, and gives Carol an action item due tomorrow.
    expect((await admin.submit(`/incidents/${draftId}`, { intent: "claim" }, `/incidents/${draftId}/people`)).status).toBe(302);
    expect((await admin.submit(`/incidents/${draftId}`, { intent: "assign", ownerId: "1", leadId: String(bob) }, `/incidents/${draftId}/people`)).status).toBe(302);
    const due = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
    expect((await admin.submit(`/incidents/${draftId}`, { intent: "action.add", title: "Alert on feature lag", owner: "", assigneeId: String(carol), dueAt: due, kind: "detect" }, `/incidents/${draftId}?index`)).status).toBe(302);

    // draft opened (2 channels) + claim (2 channels) + lead (email + 2) + action item (email + 2)
    await until("every row tried at least once", () => {
      const rows = outbox();
      return rows.length === 10 && rows.every((r) => r.attempts >= 1);
    });
    expect(outbox().every((r) => r.status === "pending")).toBe(true);
    const page = await (await admin.get("/settings/notifications?status=pending")).text();
    expect(page).toContain("The webhook answered 503");
    expect(page).toContain("ECONNREFUSED");
    server.process.kill("SIGKILL");
    await new Promise((r) => server.process.once("exit", r));
  });

  it("delivers each of them exactly once after the restart, then the review flow's, and a restart repeats nothing", async () => {
    smtp = await startSmtp(smtpPort);
    receiver.state.status = 200;
    server = { ...server, ...(await startServer({ dir: server.dir, env })) };
    admin = await signIn(server.url, "ada@example.com", "correct horse battery");
    // The restarted sender's first tick also writes today's digest (Carol's item is due tomorrow).
    await until("the queued notices and the digest", () => outbox().length === 13 && outbox().every((r) => r.status === "sent"));

    const bob = await signIn(server.url, "bob@example.com", PASSWORD);
    expect((await admin.submit(`/incidents/${draftId}/review`, { intent: "review.request", reviewers: ["2"] })).status).toBe(302);
    expect((await bob.submit(`/incidents/${draftId}/review`, { intent: "review.comment", quote: "FeatureLag fired", body: "Looks right; @carol please check the lag numbers." })).status).toBe(302);
    expect((await bob.submit(`/incidents/${draftId}/review`, { intent: "review.comment", quote: "", body: "", verdict: "approved" })).status).toBe(302);
    // request (email + 2), mention (email + 2), approval (email to the admin, who owns and asked + 2)
    await until("the review notices", () => outbox().length === 22 && outbox().every((r) => r.status === "sent"));

    await server.stop();
    server = { ...server, ...(await startServer({ dir: server.dir, env })) };
    admin = await signIn(server.url, "ada@example.com", "correct horse battery");
    await new Promise((r) => setTimeout(r, 1500)); // several sender ticks, a digest pass among them

    const rows = outbox();
    expect(rows).toHaveLength(22);
    const keysOf = (transport: string) => rows.filter((r) => r.transport === transport).map((r) => r.dedupe_key).sort();
    const mailKeys = smtp.mails.map((m) => m.headers["x-faultline-dedupe-key"]).sort();
    const slackKeys = receiver.hits.filter((h) => h.path.startsWith("/slack/")).map((h) => String(h.headers["idempotency-key"])).sort();
    const hookKeys = receiver.hits.filter((h) => h.path === "/hook").map((h) => String(h.headers["idempotency-key"])).sort();
    expect(mailKeys).toEqual(keysOf("email"));
    expect(slackKeys).toEqual(keysOf("slack"));
    expect(hookKeys).toEqual(keysOf("webhook"));
    expect(new Set([...mailKeys, ...slackKeys, ...hookKeys]).size).toBe(22);
    const perEvent = (transport: string) => rows.filter((r) => r.transport === transport).map((r) => r.event).sort();
    expect(perEvent("webhook")).toEqual(["action_digest", "assigned", "assigned", "assigned", "draft_opened", "mentioned", "review_decided", "review_requested"]);
    expect(smtp.mails.map((m) => `${m.to.join()} ${m.subject}`).sort()).toEqual([
      expect.stringMatching(/^ada@example.com bob@example.com approved the postmortem of #\d+ FeatureLag fired$/),
      expect.stringMatching(/^bob@example.com ada@example.com asked Bob to review #\d+/),
      expect.stringMatching(/^bob@example.com ada@example.com made Bob incident lead of #\d+/),
      "carol@example.com Action items for Carol: 0 overdue, 1 due soon",
      "carol@example.com ada@example.com assigned you an action item: Alert on feature lag",
      expect.stringMatching(/^carol@example.com bob@example.com mentioned Carol on #\d+/),
    ]);
    expect(smtp.mails.every((m) => m.text.includes(`https://faultline.test.invalid/`))).toBe(true);
  });

  it("signs the JSON webhook with HMAC-SHA256 over timestamp.body and sends Slack-compatible text", () => {
    const hook = receiver.hits.find((h) => h.path === "/hook")!;
    const ts = String(hook.headers["x-faultline-timestamp"]);
    const expected = crypto.createHmac("sha256", SECRET).update(`${ts}.${hook.body}`).digest("hex");
    expect(hook.headers["x-faultline-signature"]).toBe(`sha256=${expected}`);
    const body = JSON.parse(hook.body);
    expect(body).toMatchObject({ id: hook.headers["idempotency-key"], event: expect.any(String), url: expect.stringMatching(/^https:\/\/faultline\.test\.invalid\//) });
    const slack = JSON.parse(receiver.hits.find((h) => h.path.startsWith("/slack/"))!.body);
    expect(Object.keys(slack)).toEqual(["text"]);
    expect(slack.text).toMatch(/^\*Alert opened draft #\d+: FeatureLag fired\*\n/);
  });

  it("shows admins what was sent, and only admins", async () => {
    const page = await (await admin.get("/settings/notifications?status=sent")).text();
    expect(page).toContain("sent (22)");
    expect(page).toContain("Sent through <code>smtp://127.0.0.1:");
    expect(page).not.toContain("/slack/T000/B000/XXXX");
    const bob = await signIn(server.url, "bob@example.com", PASSWORD);
    expect((await bob.get("/settings/notifications")).status).toBe(403);
  });
});
