// Usage: npm run bench:suggest -- --db PATH [--runs 200]
// On a seeded database (make one with `npm run seed -- --db PATH --incidents 100000 --alerts 100000`), in process:
// how long the suggester takes to build from content, to learn the confirmed incidents (the start-up refresh),
// to take one confirmation, and to suggest for stored incidents and for free text (median and p99).
import { parseArgs } from "node:util";
import { openDatabase } from "../../db/client";
import { suggestForIncidents, suggestForText, suggester, suggesterStatus } from "../../app/domain/suggestions.server";
import { loadTaxonomy, syncTaxonomy } from "../../app/domain/taxonomy.server";
import { percentile } from "./lib";

const { values: args } = parseArgs({ options: { db: { type: "string" }, runs: { type: "string", default: "200" } } });
if (!args.db) {
  console.error("Usage: npm run bench:suggest -- --db PATH [--runs 200]");
  process.exit(2);
}
const runs = Number(args.runs);
const db = openDatabase(args.db);
syncTaxonomy(db, loadTaxonomy());
const ms = (x: number) => `${x.toFixed(1)} ms`;

const t0 = performance.now();
const live = await suggester(db);
const usable = performance.now() - t0;
await live.warm;
const status = await suggesterStatus(db);
const total = db.$client.prepare("select count(*) as n, sum(class_status = 'confirmed') as c from incidents").get() as { n: number; c: number };
console.log(`incidents ${total.n} (${total.c} confirmed)`);
console.log(`first suggestion possible after ${ms(usable)} (wink-nlp model load + content classes ${ms(status.contentMs)})`);
console.log(`start-up refresh: learned ${status.incidents} confirmed incidents in ${ms(status.learnMs ?? 0)} (in the background)`);

const ids = (db.$client.prepare("select id from incidents order by random() limit ?").all(runs) as { id: number }[]).map((r) => r.id);
const times: number[] = [];
for (const id of ids) {
  const s = performance.now();
  await suggestForIncidents(db, [id]);
  times.push(performance.now() - s);
}
console.log(`suggestion for a stored incident: median ${ms(percentile(times.sort((a, b) => a - b), 50))}, p99 ${ms(percentile(times, 99))} (${runs} runs)`);

const texts = ["Half of the feature partition was written with null values and the ranking model scored zeros.", "A config flag pushed to every region at once without a canary broke serving."];
const textTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const s = performance.now();
  await suggestForText(db, texts[i % texts.length]);
  textTimes.push(performance.now() - s);
}
console.log(`suggestion for API text: median ${ms(percentile(textTimes.sort((a, b) => a - b), 50))}, p99 ${ms(percentile(textTimes, 99))}`);

// One confirmation, as noteClassification does it: the incident's words into its class, then the refit the next
// suggestion needs (and the same words out again, so the model is left as it was).
const stems = live.model.terms("Half of the feature partition was written with null values after a schema change upstream.").stems;
const s = performance.now();
live.model.learn("data.corruption", stems);
live.model.refit();
console.log(`confirmation: incremental update + refit ${ms(performance.now() - s)}`);
live.model.learn("data.corruption", stems, -1);
db.$client.close();
