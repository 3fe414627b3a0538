import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-seed-"));
const dbFile = path.join(dir, "seed.db");
const args = (file: string, extra: string[] = []) => [
  "--import",
  "tsx",
  "scripts/seed-demo.ts",
  "--db",
  file,
  "--incidents",
  "200",
  "--alerts",
  "1000",
  "--seed",
  "7",
  ...extra,
];

function seed(file: string, extra: string[] = []) {
  const res = spawnSync(process.execPath, args(file, extra), { cwd: process.cwd(), encoding: "utf8", timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

let db: Database.Database;
let firstRun: ReturnType<typeof seed>;

beforeAll(() => {
  firstRun = seed(dbFile);
  db = new Database(dbFile, { readonly: true });
});

afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;

/** Every table's row count: what "changes nothing" is checked against. */
function tableCounts(conn: Database.Database): Record<string, number> {
  const tables = conn
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'incidents_fts%' and name not like '__drizzle%' order by name")
    .all() as { name: string }[];
  return Object.fromEntries(tables.map((t) => [t.name, (conn.prepare(`select count(*) as n from "${t.name}"`).get() as { n: number }).n]));
}

describe("scripts/seed-demo.ts", () => {
  it("runs and prints a summary with the demo credentials", () => {
    expect(firstRun.code, firstRun.stderr).toBe(0);
    expect(firstRun.stdout).toMatch(/incidents\s+200/);
    expect(firstRun.stdout).toContain("admin@example.com");
    expect(firstRun.stdout).toContain("faultline-demo");
  });

  it("writes the requested numbers of incidents and alerts, and the supporting rows", () => {
    expect(count("select count(*) as n from incidents")).toBe(200);
    expect(count("select count(*) as n from alerts")).toBe(1000);
    expect(count("select count(*) as n from users")).toBe(3);
    expect(count("select count(*) as n from models")).toBeGreaterThanOrEqual(8);
    expect(count("select count(*) as n from audit_log where entity = 'incident' and action = 'create'")).toBe(200);
    // Every incident but webhook drafts has 3-8 timeline events and at least one action item.
    expect(count("select count(*) as n from incidents i where (select count(*) from timeline_events t where t.incident_id = i.id) not between 3 and 8")).toBe(0);
    expect(count("select count(*) as n from incidents i where status <> 'draft' and not exists (select 1 from action_items a where a.incident_id = i.id)")).toBe(0);
    expect(count("select count(*) as n from incidents where status = 'draft' and (source <> 'webhook' or group_key is null)")).toBe(0);
    // Closed incidents carry a postmortem whose revision 1 matches.
    expect(count("select count(*) as n from incidents where status = 'closed'")).toBeGreaterThan(0);
    expect(
      count(
        `select count(*) as n from incidents i where status = 'closed' and (postmortem_rev <> 1 or postmortem_md = ''
           or not exists (select 1 from postmortem_revisions r where r.incident_id = i.id and r.rev = 1 and r.markdown = i.postmortem_md))`,
      ),
    ).toBe(0);
  });

  it("gives every classified incident exactly one primary class, an active class", () => {
    expect(
      count(
        `select count(*) as n from (select incident_id from incident_classes group by incident_id
           having sum(role = 'primary') <> 1)`,
      ),
    ).toBe(0);
    expect(
      count(
        `select count(*) as n from incident_classes ic join failure_classes f on f.id = ic.class_id
           where ic.role = 'primary' and (f.kind <> 'class' or f.status <> 'active')`,
      ),
    ).toBe(0);
    expect(count("select count(*) as n from incident_classes ic join failure_classes f on f.id = ic.class_id where ic.role = 'factor' and f.kind <> 'factor'")).toBe(0);
    const unclassified = count("select count(*) as n from incidents i where not exists (select 1 from incident_classes c where c.incident_id = i.id)");
    expect(unclassified).toBeGreaterThan(0);
    expect(unclassified).toBeLessThan(200 * 0.15);
  });

  it("keeps milestones in order", () => {
    expect(count("select count(*) as n from incidents where detected_at < started_at")).toBe(0);
    expect(count("select count(*) as n from incidents where mitigated_at < coalesce(detected_at, started_at)")).toBe(0);
    expect(count("select count(*) as n from incidents where resolved_at < coalesce(mitigated_at, detected_at, started_at)")).toBe(0);
    expect(count("select count(*) as n from incidents where status in ('resolved', 'in_review', 'closed') and resolved_at is null")).toBe(0);
    expect(count("select count(*) as n from incidents where status in ('draft', 'investigating') and (mitigated_at is not null or resolved_at is not null)")).toBe(0);
    expect(
      count(
        `select count(*) as n from timeline_events t join incidents i on i.id = t.incident_id
           where t.at < i.started_at or (i.resolved_at is not null and t.at > i.resolved_at)`,
      ),
    ).toBe(0);
    expect(count("select count(*) as n from alerts where first_received_at > last_received_at or ends_at < starts_at")).toBe(0);
  });

  it("links incidents to model versions serving at their start", () => {
    expect(
      count(
        `select count(*) as n from incident_models im join model_versions v on v.id = im.model_version_id
           join incidents i on i.id = im.incident_id
          where v.deployed_at > i.started_at or (v.retired_at is not null and v.retired_at <= i.started_at)`,
      ),
    ).toBe(0);
    expect(count("select count(*) as n from incidents i where not exists (select 1 from incident_models m where m.incident_id = i.id)")).toBe(0);
    // One serving version per model.
    expect(count("select count(*) as n from (select model_id from model_versions where status = 'serving' group by model_id having count(*) <> 1)")).toBe(0);
  });

  it("mostly has non-ML root causes", () => {
    const rows = db
      .prepare(
        `select coalesce(f.family, p.family) as family, count(*) as n from incident_classes ic
           join failure_classes f on f.id = ic.class_id
           left join failure_classes p on p.id = f.parent_id
          where ic.role = 'primary' group by 1`,
      )
      .all() as { family: string; n: number }[];
    const total = rows.reduce((s, r) => s + r.n, 0);
    const nonMl = rows.find((r) => r.family === "non-ml")?.n ?? 0;
    expect(total).toBeGreaterThan(150);
    expect(nonMl / total).toBeGreaterThanOrEqual(0.5);
    // All 11 top-level classes show up as primary causes.
    const tops = count(
      `select count(distinct coalesce(f.parent_id, f.id)) as n from incident_classes ic join failure_classes f on f.id = ic.class_id
        where ic.role = 'primary'`,
    );
    expect(tops).toBe(count("select count(*) as n from failure_classes where kind = 'class' and parent_id is null and status = 'active'"));
  });

  it("contains repeats: the same primary class on the same team within 180 days, the earlier one with open actions", () => {
    const repeats = count(
      `select count(*) as n from incidents a
         join incident_classes ca on ca.incident_id = a.id and ca.role = 'primary'
         join incidents b on b.team = a.team and b.id <> a.id and b.started_at < a.started_at
                         and a.started_at - b.started_at <= 180 * 86400000
         join incident_classes cb on cb.incident_id = b.id and cb.role = 'primary' and cb.class_id = ca.class_id
        where exists (select 1 from action_items x where x.incident_id = b.id and x.status = 'open')`,
    );
    expect(repeats).toBeGreaterThan(0);
  });

  it("links about a fifth of the alerts to incidents and keeps fingerprints unique per sender", () => {
    const linked = count("select count(*) as n from alerts where incident_id is not null");
    expect(linked).toBeGreaterThan(100);
    expect(linked).toBeLessThan(350);
    expect(count("select count(*) as n from alerts where fingerprint not glob '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'")).toBe(0);
    expect(count("select count(*) as n from alerts where json_extract(labels, '$.alertname') <> rule_name")).toBe(0);
    const deliveries = count("select count(*) as n from alert_deliveries where outcome = 'processed' and length(body_hash) = 64");
    expect(deliveries).toBe(100);
  });

  it("indexes incidents for full-text search", () => {
    const inc = db.prepare("select id, title from incidents where status = 'closed' order by id limit 1").get() as { id: number; title: string };
    const word = inc.title
      .split(/[^A-Za-z]+/)
      .filter((w) => w.length >= 4)
      .sort((a, b) => b.length - a.length)[0];
    expect(word).toBeTruthy();
    const ids = (db.prepare("select rowid as id from incidents_fts where incidents_fts match ?").all(`"${word}"`) as { id: number }[]).map((r) => r.id);
    expect(ids).toContain(inc.id);
  });

  it("passes SQLite's integrity and foreign-key checks", () => {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(db.pragma("foreign_key_check")).toEqual([]);
  });

  it("refuses to seed a non-empty database without --reset and changes nothing", () => {
    const before = tableCounts(db);
    const titlesBefore = db.prepare("select group_concat(title, '|') as t from (select title from incidents order by id)").get();
    const again = seed(dbFile);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/--reset/);
    const check = new Database(dbFile, { readonly: true });
    try {
      expect(tableCounts(check)).toEqual(before);
      expect(check.prepare("select group_concat(title, '|') as t from (select title from incidents order by id)").get()).toEqual(titlesBefore);
    } finally {
      check.close();
    }
  });

  it("is deterministic: the same seed gives the same titles", () => {
    const other = path.join(dir, "again.db");
    const res = seed(other);
    expect(res.code, res.stderr).toBe(0);
    const conn = new Database(other, { readonly: true });
    try {
      const titles = (c: Database.Database) => (c.prepare("select title from incidents order by id").all() as { title: string }[]).map((r) => r.title);
      expect(titles(conn)).toEqual(titles(db));
      const rules = (c: Database.Database) => (c.prepare("select rule_name from alerts order by id").all() as { rule_name: string }[]).map((r) => r.rule_name);
      expect(rules(conn)).toEqual(rules(db));
    } finally {
      conn.close();
    }
  });
});
