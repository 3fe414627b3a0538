import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, Client, setupAdmin } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

const HTTPS = { "X-Forwarded-Proto": "https" };

/** Each Set-Cookie of `res` as its name and attributes (lower-cased, without values). */
function cookiesOf(res: Response): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair, ...attrs] = c.split(";").map((s) => s.trim());
    out[pair.slice(0, pair.indexOf("="))] = attrs.map((a) => a.toLowerCase());
  }
  return out;
}

describe("behind a TLS proxy with TRUST_PROXY", () => {
  let server: RunningServer;
  beforeAll(async () => {
    // The usual nginx/Caddy on the same host: the app listens on loopback, the proxy says the browser used https.
    server = await startServer({ env: { TRUST_PROXY: "loopback" } });
    await setupAdmin(server.url);
  });
  afterAll(() => server?.dispose());

  it("X-Forwarded-Proto: https gets Secure __Host- session and CSRF cookies, and the session works", async () => {
    const browser = new Client(server.url, HTTPS);
    const login = await browser.get("/login");
    expect(cookiesOf(login)["__Host-faultline_csrf"]).toEqual(expect.arrayContaining(["secure", "path=/", "httponly"]));
    expect(cookiesOf(login)["__Host-faultline_csrf"].some((a) => a.startsWith("domain="))).toBe(false);
    const res = await browser.submit("/login", { email: ADMIN.email, password: ADMIN.password });
    expect(res.status).toBe(302);
    const session = cookiesOf(res)["__Host-faultline_session"];
    expect(session).toEqual(expect.arrayContaining(["secure", "path=/", "httponly", "samesite=lax"]));
    expect(cookiesOf(res)).not.toHaveProperty("faultline_session");
    expect((await browser.get("/incidents")).status).toBe(200);
    // Signing out through the proxy ends that cookie too.
    const out = await browser.submit("/incidents", {}, "/logout");
    expect(out.status).toBe(302);
    expect((await browser.get("/incidents")).headers.get("Location")).toMatch(/^\/login/);
  });

  it("the same server over plain http (no header) keeps plain cookies, decided per request", async () => {
    const browser = new Client(server.url);
    const res = await browser.submit("/login", { email: ADMIN.email, password: ADMIN.password });
    expect(res.status).toBe(302);
    expect(cookiesOf(res)["faultline_session"]).not.toContain("secure");
    expect((await browser.get("/incidents")).status).toBe(200);
  });
});

describe("without TRUST_PROXY", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
    await setupAdmin(server.url);
  });
  afterAll(() => server?.dispose());

  it("a client's own X-Forwarded-Proto changes nothing", async () => {
    const res = await new Client(server.url, HTTPS).get("/login");
    expect(Object.keys(cookiesOf(res))).toEqual(["faultline_csrf"]);
    expect(cookiesOf(res)["faultline_csrf"]).not.toContain("secure");
  });
});
