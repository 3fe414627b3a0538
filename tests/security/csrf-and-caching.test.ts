import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, Client, createToken, setupAdmin } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
});
afterAll(() => server?.dispose());

const tokenOn = async (client: Client, page: string) => /name="csrf" value="([^"]+)"/.exec((await client.html(page)).body)?.[1] ?? "";

describe("Cache-Control: no-store", () => {
  it.each(["/incidents", "/insights", "/settings/users", "/incidents?_data=routes%2Fincidents._index"])("on what a signed-in browser gets from %s", async (path) => {
    const res = await admin.get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("on /api/v1, answered or refused", async () => {
    const token = await createToken(admin, "api");
    const ok = await fetch(`${server.url}/api/v1/incidents`, { headers: { Authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Cache-Control")).toBe("no-store");
    const refused = await fetch(`${server.url}/api/v1/incidents`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("Cache-Control")).toBe("no-store");
  });

  it("but static assets stay cacheable", async () => {
    const html = (await admin.html("/incidents")).body;
    const asset = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1];
    expect((await admin.get(asset)).headers.get("Cache-Control")).toMatch(/immutable/);
  });
});

describe("the CSRF token", () => {
  it("is masked afresh on each render, and every rendering is accepted", async () => {
    const browser = new Client(server.url);
    const first = await tokenOn(browser, "/login");
    const second = await tokenOn(browser, "/login");
    expect(first).not.toBe(second);
    expect(first.length).toBe(second.length);
    // Not one byte position in common beyond chance: the mask is random, not a fixed suffix or prefix.
    expect(first.slice(0, 16)).not.toBe(second.slice(0, 16));
    expect(first.slice(-16)).not.toBe(second.slice(-16));
    const res = await browser.post("/login", { csrf: first, email: ADMIN.email, password: ADMIN.password });
    expect(res.status).toBe(302);
  });

  it("from before sign-in is refused after it (bound to the session)", async () => {
    const browser = new Client(server.url);
    const anonymous = await tokenOn(browser, "/login");
    expect((await browser.post("/login", { csrf: anonymous, email: ADMIN.email, password: ADMIN.password })).status).toBe(302);
    const fields = { title: "Planted", severity: "SEV3", startedAt: "2026-01-01T10:00" };
    expect((await browser.post("/incidents/new", { csrf: anonymous, ...fields })).status).toBe(403);
    // A token rendered in the new session works.
    expect((await browser.post("/incidents/new", { csrf: await tokenOn(browser, "/incidents/new"), ...fields })).status).toBe(302);
  });

  it("of one session is refused in another session of the same browser", async () => {
    const browser = new Client(server.url);
    const first = await tokenOn(browser, "/login");
    await browser.post("/login", { csrf: first, email: ADMIN.email, password: ADMIN.password });
    const inFirstSession = await tokenOn(browser, "/incidents");
    expect((await browser.post("/logout", { csrf: inFirstSession })).status).toBe(302);
    await browser.post("/login", { csrf: await tokenOn(browser, "/login"), email: ADMIN.email, password: ADMIN.password });
    expect((await browser.post("/logout", { csrf: inFirstSession })).status).toBe(403);
  });

  it("altered or from another browser is refused", async () => {
    const browser = new Client(server.url);
    const token = await tokenOn(browser, "/login");
    const flipped = (token[5] === "A" ? "B" : "A");
    const altered = token.slice(0, 5) + flipped + token.slice(6);
    expect((await browser.post("/login", { csrf: altered, email: ADMIN.email, password: ADMIN.password })).status).toBe(403);
    const other = new Client(server.url);
    await other.get("/login");
    expect((await other.post("/login", { csrf: token, email: ADMIN.email, password: ADMIN.password })).status).toBe(403);
  });
});
