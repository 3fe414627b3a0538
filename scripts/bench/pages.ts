// Usage: npm run bench:pages -- --db PATH [--runs 20] [--path /insights?team=x ...] [--email admin@example.com] [--password faultline-demo]
// Serves a seeded database (make one with `npm run seed -- --db PATH --incidents 100000 --alerts 1000000`) and
// prints the median and p90 response time of the main pages (or of each --path given), signed in, over loopback.
import { parseArgs } from "node:util";
import { startAppProcess } from "../lib/app-process";
import { percentile } from "./lib";

const { values: args } = parseArgs({
  options: {
    db: { type: "string" },
    runs: { type: "string", default: "20" },
    path: { type: "string", multiple: true },
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

/** Signs in like a browser: fetch the form for its CSRF token and cookie, post it, keep the session cookie. */
async function signIn(): Promise<string> {
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

try {
  const cookie = await signIn();
  const get = async (path: string) => {
    const t0 = performance.now();
    const res = await fetch(`${app.url}${path}`, { headers: { Cookie: cookie } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return performance.now() - t0;
  };
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
  console.log(`${runs} runs each after 2 warm-up requests, ms over loopback:`);
  for (const [name, path] of pages) {
    await get(path);
    await get(path);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await get(path));
    times.sort((a, b) => a - b);
    console.log(`  ${name.padEnd(28)} median ${percentile(times, 50).toFixed(1).padStart(7)}   p90 ${percentile(times, 90).toFixed(1).padStart(7)}   ${path}`);
  }
} finally {
  await app.stop();
}
