// The summary printed after a seed: rows per table, the status mix, and the demo sign-ins when they were created.
import { STATUS_RANK, type SeedCounts, type Status } from "./common";
import type { Taxonomy } from "./classes";
import type { Options } from "./options";
import type { Plan } from "./plan-incidents";
import type { ModelState } from "./plan-models";
import { DEMO_PASSWORD } from "./users";

export type SeedResult = {
  opts: Options;
  t0: number;
  tax: Taxonomy;
  models: ModelState[];
  versionCount: number;
  plans: Plan[];
  counts: SeedCounts;
  createdUsers: boolean;
};

export function printSummary({ opts, t0, tax, models, versionCount, plans, counts, createdUsers }: SeedResult): void {
  const byStatus = new Map<string, number>();
  for (const p of plans) byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1);
  const classified = plans.filter((p) => p.primary).length;
  const nonMl = plans.filter((p) => p.primary && tax.byId.get(p.top)?.family !== "ml").length;
  const repeats = plans.filter((p) => p.repeatOf && p.primary).length;
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const line = (label: string, n: number, extra = "") => `  ${label.padEnd(22)} ${String(n).padStart(9)}${extra ? `  ${extra}` : ""}`;
  const out = [
    `Seeded ${opts.db} (seed ${opts.seedLabel}) in ${secs} s`,
    line("models", models.length),
    line("model versions", versionCount),
    line(
      "incidents",
      counts.incidents,
      [...byStatus].sort((a, b) => STATUS_RANK[a[0] as Status] - STATUS_RANK[b[0] as Status]).map(([s, n]) => `${s} ${n}`).join(", "),
    ),
    line("  classified", classified, classified ? `${Math.round((100 * nonMl) / classified)}% non-ML root causes, ${repeats} repeats` : ""),
    line("incident classes", counts.classes),
    line("incident models", counts.links),
    line("timeline events", counts.events),
    line("action items", counts.actions),
    line("postmortem revisions", counts.revisions),
    line("alerts", counts.alerts, `${plans.reduce((s, p) => s + p.alertIds.length, 0)} linked to incidents`),
    line("alert deliveries", counts.deliveries),
  ];
  if (createdUsers) {
    out.push(
      "",
      "Sign in with (password for all three):",
      `  admin@example.com   / ${DEMO_PASSWORD}   (admin)`,
      `  editor@example.com  / ${DEMO_PASSWORD}   (editor)`,
      `  viewer@example.com  / ${DEMO_PASSWORD}   (viewer)`,
    );
  } else {
    out.push("", "Existing users were kept; no accounts were created.");
  }
  process.stdout.write(`${out.join("\n")}\n`);
}
