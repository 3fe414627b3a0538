import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../helpers/server";

// `npm start` sets no NODE_ENV; Express then ran in development mode and printed stacks with install paths.
const STACK = /\bat [\w.<>]+ \(|node_modules|\/work\/|[A-Z]:\\|\.ts:\d+|\.js:\d+/;

describe.each([
  { name: "npm start (no NODE_ENV)", env: { NODE_ENV: "" } },
  { name: "NODE_ENV=development", env: { NODE_ENV: "development" } },
])("error answers under $name", ({ env }) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env });
  });
  afterAll(() => server?.dispose());

  it.each(["/%ff", "/incidents/%E0%A4%A", "/api/v1/incidents/%zz"])("GET %s is a short 4xx, no stack or path", async (path) => {
    const res = await fetch(server.url + path);
    const body = await res.text();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(body).not.toMatch(STACK);
    expect(body).not.toContain(server.dir);
    expect(body.length).toBeLessThan(200);
  });
});
