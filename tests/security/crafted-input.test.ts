import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, Client, setupAdmin } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: Client;

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
});
afterAll(() => server?.dispose());

describe("crafted input answers 4xx, not 500", () => {
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])("/insights/csv/%s is a 404 naming the tables", async (name) => {
    const res = await admin.get(`/insights/csv/${name}`);
    expect(res.status).toBe(404);
    expect((await res.json()).error).toContain("classes-over-time");
  });

  it.each(["2026-13-45", "2026-02-30", "2026-00-10", "99999-01-01"])("/insights?to=%s is a 400 that says what is wrong", async (to) => {
    const page = await admin.get(`/insights?to=${to}`);
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/not a (calendar )?date/);
    const csv = await admin.get(`/insights/csv/classes-over-time?to=${to}`);
    expect(csv.status).toBe(400);
    expect((await csv.json()).error).toMatch(/not a (calendar )?date/);
  });

  it("sign-in through /login?redirectTo=/%E3%80%80 lands on the encoded path", async () => {
    const client = new Client(server.url);
    const res = await client.submit("/login?redirectTo=/%E3%80%80", { email: ADMIN.email, password: ADMIN.password, redirectTo: "/\u3000" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/%E3%80%80");
    // Signed in: the session cookie works.
    expect((await client.get("/incidents")).status).toBe(200);
  });

  it.each([
    ["/incidents?q=\u00e9t\u00e9#r\u00e9sum\u00e9", "/incidents?q=%C3%A9t%C3%A9#r%C3%A9sum%C3%A9"],
    ["//evil.example/x", "/incidents"],
    ["/\t/evil.example", "/incidents"],
  ])("redirectTo %j signs in to %s", async (to, location) => {
    const client = new Client(server.url);
    const res = await client.submit("/login", { email: ADMIN.email, password: ADMIN.password, redirectTo: to });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(location);
  });
});
