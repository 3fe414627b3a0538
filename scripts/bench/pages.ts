// Usage: npm run bench:pages -- --db PATH [--runs 20] [--path /insights?team=x ...] [--compare DIR [--compare-path P ...]]
//          [--email admin@example.com] [--password faultline-demo]
// Serves a seeded database (make one with `npm run seed -- --db PATH --incidents 100000 --alerts 1000000`) and
// prints the median and p90 response time of the main pages (or of each --path given), signed in, over loopback.
// --compare DIR also serves the same database from another built checkout (e.g. an export of main) and alternates
// requests between the two, so both see the same machine load: it prints both medians and their ratio. Its paths
// are --compare-path, one per --path, where the other checkout spells a page differently (default: the same).
import { parseArgs } from "node:util";
import { startAppProcess } from "../lib/app-process";
import { percentile } from "./lib";

const { values: args } = parseArgs({
  options: {
    db: { type: "string" },
    runs: { type: "string", default: "20" },
    path: { type: "string", multiple: true },
    compare: { type: "string" },
    "compare-path": { type: "string", multiple: true },
    email: { type: "string", default: "admin@example.com" },
    password: { type: "string", default: "faultline-demo" },
  },
});
if (!args.db) {
  console.error("Usage: npm run bench:pages -- --db PATH [--runs 20]");
  process.exit(2);
}
const runs = Number(args.runs);
const app = await startAppProcess(args.db);
const other = args.compare ? await startAppProcess(args.db, {}, { cwd: args.compare }) : null;

/** Signs in like a browser: fetch the form for its CSRF token and cookie, post it, keep the session cookie. */
async function signIn(app: { url: string }): Promise<string> {
  const page = await fetch(`${app.url}/login`);
  const csrfCookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const token = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const res = await fetch(`${app.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: csrfCookie, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf: token, email: args.email!, password: args.password! }),
  });
  if (res.status !== 302) throw new Error(`sign-in failed (${res.status}); pass --email/--password of an account in this database`);
  return [csrfCookie, ...res.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
}

/** A signed-in GET that returns its time in ms (and fails on anything but 200). */
async function timer(target: { url: string }) {
  const cookie = await signIn(target);
  return async (path: string) => {
    const t0 = performance.now();
    const res = await fetch(`${target.url}${path}`, { headers: { Cookie: cookie } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return performance.now() - t0;
  };
}

try {
  const get = await timer(app);
  const cookie = await signIn(app);
  const firstIncident = /href="\/incidents\/(\d+)"/.exec(await (await fetch(`${app.url}/incidents`, { headers: { Cookie: cookie } })).text())?.[1];
  const pages: [string, string][] = args.path?.map((p) => [p, p]) ?? [
    ["incident list", "/incidents"],
    ["incident list, filtered", "/incidents?severity=SEV1&severity=SEV2&status=closed"],
    ["search", "/incidents?q=embedding"],
    ["search, two words", "/incidents?q=feature+partition"],
    ["incident page", `/incidents/${firstIncident}`],
    ["insights (last 12 months)", "/insights"],
    ["insights, one team", "/insights?team=ranking"],
    ["insights report", "/insights/report"],
    ["insights CSV (one table)", "/insights/csv/pareto"],
    ["alert rules", "/alerts/rules"],
    ["alerts inbox", "/alerts"],
    ["my work", "/my-work"],
    ["action items, mine", "/actions?owner=me"],
    ["postmortem editor (draft)", `/incidents/${firstIncident}/postmortem`],
  ];
  if (other) {
    const getOther = await timer(other);
    const otherPaths = args["compare-path"] ?? pages.map(([, p]) => p);
    console.log(`${runs} runs each after 2 warm-up requests, alternating with ${args.compare}, median ms over loopback:`);
    for (const [k, [name, path]] of pages.entries()) {
      const there = otherPaths[k] ?? path;
      for (const p of [path, path]) await get(p);
      for (const p of [there, there]) await getOther(p);
      const [here, them]: number[][] = [[], []];
      for (let i = 0; i < runs; i++) {
        here.push(await get(path));
        them.push(await getOther(there));
      }
      const [a, b] = [here, them].map((t) => percentile(t.sort((x, y) => x - y), 50));
      console.log(`  ${name.padEnd(28)} this ${a.toFixed(1).padStart(7)}   other ${b.toFixed(1).padStart(7)}   ratio ${(a / b).toFixed(2)}   ${path}${there === path ? "" : ` vs ${there}`}`);
    }
  } else {
    console.log(`${runs} runs each after 2 warm-up requests, ms over loopback:`);
  }
  for (const [name, path] of other ? [] : pages) {
    await get(path);
    await get(path);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await get(path));
    times.sort((a, b) => a - b);
    console.log(`  ${name.padEnd(28)} median ${percentile(times, 50).toFixed(1).padStart(7)}   p90 ${percentile(times, 90).toFixed(1).padStart(7)}   ${path}`);
  }
} finally {
  await app.stop();
  await other?.stop();
}
