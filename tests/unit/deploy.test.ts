import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { metrics } from "~/utils/metrics.server";

// The Dockerfile and deploy/ are not run in CI (no Docker here): these checks keep them true to the code.

/** Every environment variable the server reads: `process.env.X` and `secrets("X")` in the code it runs. */
function envNamesInCode(): Set<string> {
  const roots = ["app", "db", "scripts/server", "scripts/server.ts"];
  const files = roots.flatMap((root) =>
    fs.statSync(root).isFile() ? [root] : (fs.readdirSync(root, { recursive: true }) as string[]).map((f) => path.join(root, f)).filter((f) => /\.(ts|tsx|mjs)$/.test(f)),
  );
  const names = new Set<string>();
  for (const file of files) {
    for (const m of fs.readFileSync(file, "utf8").matchAll(/process\.env\.([A-Z][A-Z0-9_]*)|secrets\("([A-Z][A-Z0-9_]*)"\)/g)) names.add(m[1] ?? m[2]);
  }
  return names;
}

const readme = fs.readFileSync("README.md", "utf8");
const dockerfile = fs.readFileSync("Dockerfile", "utf8");
/** The final stage's `ENV A=1 \ B=2` settings. */
const dockerEnv = (() => {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  const env: Record<string, string> = {};
  for (const block of finalStage.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm)) {
    for (const m of block[1].matchAll(/([A-Z][A-Z0-9_]*)=(\S+)/g)) env[m[1]] = m[2];
  }
  return env;
})();

/** Metric names a Prometheus query can use: histograms add _bucket, _sum and _count. */
async function exportedMetricNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(m.name + suffix);
  }
  return names;
}

describe("configuration variables", () => {
  const inCode = envNamesInCode();

  it("finds the variables the code reads", () => {
    expect([...inCode]).toEqual(expect.arrayContaining(["DATABASE_URL", "PORT", "HOST", "METRICS_TOKEN", "LOG_LEVEL"]));
  });

  it("names every variable the server reads in the README, and none it does not", () => {
    const documented = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)`(?:, `([A-Z][A-Z0-9_]*)`)?/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean));
    const mentioned = (name: string) => readme.includes(`\`${name}\``);
    expect([...inCode].filter((name) => name !== "NODE_ENV" && !mentioned(name))).toEqual([]);
    expect([...documented].filter((name) => !inCode.has(name))).toEqual([]);
  });

  it("sets in the Dockerfile only variables the code reads, with the database on the volume", () => {
    expect(Object.keys(dockerEnv).filter((name) => !inCode.has(name))).toEqual([]);
    const volume = /^VOLUME (\S+)$/m.exec(dockerfile)?.[1];
    expect(volume).toBeDefined();
    expect(path.posix.dirname(dockerEnv.DATABASE_URL)).toBe(volume);
    expect(dockerEnv.HOST).toBe("0.0.0.0");
  });

  it("runs as a non-root user on a slim Node 20 base, checks /healthz and stops with SIGTERM", () => {
    expect(dockerfile.match(/^FROM (\S+)/gm)!.every((line) => /^FROM node:20(\.\d+)*-[a-z]+-slim\b/.test(line))).toBe(true);
    expect(/^USER (\S+)$/m.exec(dockerfile)?.[1]).not.toMatch(/^(root|0)$/);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*(\\\n.*)*\/healthz/m);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
    expect(dockerEnv.PORT).toBe("3000");
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--import", "tsx", "scripts\/server.ts"\]$/m);
  });
});

describe("deploy/ examples", () => {
  it("point Alertmanager at the webhook path with a bearer token", () => {
    const config = YAML.parse(fs.readFileSync("deploy/alertmanager.yml", "utf8"));
    const hooks = config.receivers.flatMap((r: { webhook_configs?: unknown[] }) => r.webhook_configs ?? []);
    expect(hooks).toHaveLength(1);
    expect(new URL(hooks[0].url).pathname).toBe("/api/webhooks/alertmanager");
    expect(hooks[0].http_config.authorization.type).toBe("Bearer");
    expect(config.route.receiver).toBe(config.receivers[0].name);
  });

  it.skipIf(!fs.existsSync("/usr/bin/amtool"))("is a configuration Alertmanager's own checker accepts", () => {
    expect(() => execFileSync("/usr/bin/amtool", ["check-config", "deploy/alertmanager.yml"], { stdio: "pipe" })).not.toThrow();
  });

  it("scrape /metrics and load the rules file", () => {
    const config = YAML.parse(fs.readFileSync("deploy/prometheus.yml", "utf8"));
    expect(config.scrape_configs[0].metrics_path).toBe("/metrics");
    expect(config.scrape_configs[0].authorization.type).toBe("Bearer");
    for (const file of config.rule_files) expect(fs.existsSync(path.join("deploy", file)), file).toBe(true);
  });

  it("alert only on metrics Faultline exports", async () => {
    const exported = await exportedMetricNames();
    const rules = YAML.parse(fs.readFileSync("deploy/faultline-rules.yml", "utf8")).groups.flatMap((g: { rules: unknown[] }) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(2);
    for (const rule of rules as { alert: string; expr: string }[]) {
      const used = [...rule.expr.matchAll(/\bfaultline_[a-z_]+/g)].map((m) => m[0]);
      expect(used.length, rule.alert).toBeGreaterThan(0);
      expect(used.filter((name) => !exported.has(name)), rule.alert).toEqual([]);
    }
  });
});
