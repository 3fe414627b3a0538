import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, createIncidentByForm, setupAdmin } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
});
afterAll(() => server?.dispose());

/** The CSP header's directives by name. */
function csp(res: Response): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of (res.headers.get("Content-Security-Policy") ?? "").split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out[name] = values;
  }
  return out;
}

const nonceOf = (res: Response) => /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(csp(res)["script-src"]?.find((v) => v.startsWith("'nonce-")) ?? "")?.[1];

describe("the Content-Security-Policy", () => {
  it.each(["/login", "/incidents", "/insights", "/settings/images"])("on %s names a nonce that every script of the page carries, and no unsafe-inline", async (path) => {
    const client = path === "/login" ? new Client(server.url) : admin;
    const { res, body } = await client.html(path);
    expect(res.status).toBe(200);
    const scriptSrc = csp(res)["script-src"];
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    const nonce = nonceOf(res);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const scripts = [...body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it("has a fresh nonce on every response", async () => {
    const nonces = new Set<string | undefined>();
    for (let i = 0; i < 5; i++) nonces.add(nonceOf(await admin.get("/incidents")));
    expect(nonces.size).toBe(5);
  });

  it("loads images from this server and data: only until an admin allows hosts", async () => {
    expect(csp(await admin.get("/incidents"))["img-src"]).toEqual(["'self'", "data:"]);
    const saved = await admin.submit("/settings/images", { hosts: "grafana.example.com\n*.Dash.Example.org" });
    expect(saved.status).toBe(302);
    expect(csp(await admin.get("/incidents"))["img-src"]).toEqual(["'self'", "data:", "https://grafana.example.com", "https://*.dash.example.org"]);
  });

  it("refuses a host list with URLs or paths, saying why", async () => {
    const res = await admin.submit("/settings/images", { hosts: "https://tracker.example/pixel" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Not a host name: https://tracker.example/pixel");
  });

  it("and Markdown keeps images of allowed hosts, turning others into links that load nothing", async () => {
    await admin.submit("/settings/images", { hosts: "grafana.example.com" });
    const id = await createIncidentByForm(admin, { title: "Pixel", severity: "SEV3", startedAt: "2026-01-01T10:00" });
    const page = await admin.html(`/incidents/${id}/postmortem`);
    const rev = /name="rev" value="(\d+)"/.exec(page.body)?.[1] ?? "0";
    const markdown = "![p99](https://grafana.example.com/p99.png)\n\n![reader](https://tracker.example/pixel.gif?id=7)\n\n![local](/favicon.ico)";
    expect((await admin.submit(`/incidents/${id}/postmortem`, { intent: "save", rev, markdown })).status).toBe(302);
    const { body } = await admin.html(`/incidents/${id}`);
    expect(body).toContain('<img src="https://grafana.example.com/p99.png" alt="p99"');
    expect(body).toContain('<img src="/favicon.ico" alt="local"');
    expect(body).not.toMatch(/<img[^>]+tracker\.example/);
    expect(body).toMatch(/<a href="https:\/\/tracker\.example\/pixel\.gif\?id=7"[^>]*>reader<\/a>/);
  });
});
