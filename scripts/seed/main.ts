// The demo seed, step by step: options, database, taxonomy and users, then plans (models, incidents, alerts),
// then the writes, the derived columns and the summary.
import { loadTaxonomy, syncTaxonomy } from "../../app/domain/taxonomy.server";
import { fail } from "../lib/cli";
import { readTaxonomy } from "./classes";
import type { SeedCounts } from "./common";
import { finishBulkLoad, openSeedDatabase, refuseOrReset } from "./database";
import { parseOptions } from "./options";
import { planAlerts } from "./plan-alerts";
import { planIncidents, timing } from "./plan-incidents";
import { planModels } from "./plan-models";
import { templateShape } from "./postmortem";
import { Rng } from "./rng";
import { printSummary } from "./summary";
import { seedUsers } from "./users";
import { writeAlerts } from "./write-alerts";
import { writeIncidents } from "./write-incidents";
import { writeModels } from "./write-models";

export async function main(argv: string[]): Promise<void> {
  const opts = parseOptions(argv);
  const t0 = performance.now();
  const db = openSeedDatabase(opts.db);
  refuseOrReset(db, opts);

  syncTaxonomy(db, loadTaxonomy());
  const tax = readTaxonomy(db);
  if (!tax.tops.length) fail("No active failure classes: check content/taxonomy.");
  const shape = templateShape();
  const { createdUsers, admin, owners } = await seedUsers(db);

  // Everything below draws from one random stream, in this order: the same --seed gives the same data.
  const rng = new Rng(opts.seed);
  const now = Date.now();

  const models = planModels(rng, now);
  const versionCount = models.reduce((s, m) => s + m.chain.length + m.rolledBack.length, 0);
  writeModels(db.$client, rng, models);

  // Plan everything that links across tables before inserting.
  const plans = planIncidents(rng, opts.incidents, now, tax, models);
  for (const p of plans) timing(rng, p, now);
  const alertPlan = planAlerts(rng, opts.alerts, now, plans, models);

  const counts: SeedCounts = { incidents: 0, classes: 0, links: 0, events: 0, actions: 0, revisions: 0, alerts: 0, deliveries: 0 };
  writeIncidents(db.$client, { rng, now, tax, models, plans, alertPlan, shape, owners, admin }, counts);
  writeAlerts(db.$client, { rng, now, seed: opts.seed, models, plans, alertPlan }, counts);

  finishBulkLoad(db);
  db.$client.close();
  printSummary({ opts, t0, tax, models, versionCount, plans, counts, createdUsers });
}
