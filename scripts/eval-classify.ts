// Usage: npm run eval:classify -- --input FILE.jsonl [--train FILE.jsonl]
// Trains the class suggester on content/ only (plus the labelled lines of --train), then ranks every line of
// --input ({"title","text","class","subclass"}) and prints top-1/top-3 accuracy for class and subclass, per family,
// and the most frequent confusions. The last line is one JSON object:
// {"n","classTop1","classTop3","subclassTop1","subclassTop3","familyAccuracy"} (fractions between 0 and 1).
import fs from "node:fs";
import { z } from "zod";
import { loadSuggestionModel } from "../app/domain/suggestion-model.server";
import { loadTaxonomy } from "../app/domain/taxonomy.server";
import { fail, parseCli } from "./lib/cli";

const USAGE = "Usage: npm run eval:classify -- --input FILE.jsonl [--train FILE.jsonl]";

const lineSchema = z.object({
  title: z.string({ message: "title must be a string" }).default(""),
  text: z.string({ message: "text must be a string" }).default(""),
  class: z.string({ message: "class is required (a top-level class id)" }).min(1, "class is required (a top-level class id)"),
  subclass: z.string({ message: "subclass must be a class id or null" }).nullable().default(null),
});
type Line = z.infer<typeof lineSchema>;

/** Every line of a JSONL file, checked; all problems are reported at once. */
function readLines(file: string, known: (id: string) => boolean): Line[] {
  let raw: string;
  try {
    raw = fs.readFileSync(file, "utf8");
  } catch (e) {
    fail(`${file}: ${(e as Error).message}`);
  }
  const out: Line[] = [];
  const problems: string[] = [];
  raw.split("\n").forEach((text, i) => {
    if (!text.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      problems.push(`${file}:${i + 1}: not valid JSON`);
      return;
    }
    const parsed = lineSchema.safeParse(value);
    if (!parsed.success) {
      problems.push(`${file}:${i + 1}: ${parsed.error.issues.map((p) => `${p.path.join(".") || "line"}: ${p.message}`).join("; ")}`);
      return;
    }
    const line = parsed.data;
    for (const id of [line.class, line.subclass]) if (id && !known(id)) problems.push(`${file}:${i + 1}: unknown class "${id}"`);
    if (line.subclass && !line.subclass.startsWith(`${line.class}.`)) problems.push(`${file}:${i + 1}: subclass "${line.subclass}" is not under "${line.class}"`);
    out.push(line);
  });
  if (problems.length) fail(problems.join("\n"));
  if (!out.length) fail(`${file}: no labelled lines`);
  return out;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);

async function main() {
  const opts = parseCli(USAGE, { input: { type: "string" }, train: { type: "string" } });
  if (!opts.input) fail(`--input is required.\n${USAGE}`, 2);
  const model = await loadSuggestionModel(loadTaxonomy());
  const known = (id: string) => model.has(id);
  const input = readLines(opts.input, known);
  if (opts.train) for (const l of readLines(opts.train, known)) model.learn(l.subclass ?? l.class, model.terms(`${l.title}\n${l.text}`).stems);

  const tally = () => ({ n: 0, top1: 0, top3: 0 });
  const cls = tally();
  const sub = tally();
  const families: Record<string, ReturnType<typeof tally> & { family: number }> = {};
  const confusions = new Map<string, number>();
  for (const l of input) {
    const ranking = model.rank(model.terms(`${l.title}\n${l.text}`));
    const classIds = ranking.classes.map((c) => c.id);
    const family = model.family(l.class) ?? "none";
    const f = (families[family] ??= { ...tally(), family: 0 });
    for (const t of [cls, f]) {
      t.n++;
      if (classIds[0] === l.class) t.top1++;
      if (classIds.slice(0, 3).includes(l.class)) t.top3++;
    }
    if (model.family(classIds[0]) === model.family(l.class)) f.family++;
    if (classIds[0] !== l.class) confusions.set(`${l.class} → ${classIds[0]}`, (confusions.get(`${l.class} → ${classIds[0]}`) ?? 0) + 1);
    if (l.subclass) {
      const subIds = ranking.subclasses.map((s) => s.id);
      sub.n++;
      if (subIds[0] === l.subclass) sub.top1++;
      if (subIds.slice(0, 3).includes(l.subclass)) sub.top3++;
    }
  }
  const frac = (a: number, n: number) => (n ? a / n : 0);
  const familyRight = Object.values(families).reduce((a, f) => a + f.family, 0);
  const lines = [
    `Trained on content/${opts.train ? ` plus ${opts.train}` : ""}; evaluated ${input.length} incidents of ${opts.input}`,
    `  class      top-1 ${pct(frac(cls.top1, cls.n))}   top-3 ${pct(frac(cls.top3, cls.n))}   (n ${cls.n})`,
    `  subclass   top-1 ${pct(frac(sub.top1, sub.n))}   top-3 ${pct(frac(sub.top3, sub.n))}   (n ${sub.n})`,
    `  family (ML vs non-ML) ${pct(frac(familyRight, cls.n))}`,
    ...Object.entries(families).map(
      ([name, f]) => `  ${name.padEnd(8)} class top-1 ${pct(frac(f.top1, f.n))}   top-3 ${pct(frac(f.top3, f.n))}   family ${pct(frac(f.family, f.n))}   (n ${f.n})`,
    ),
    "  most frequent confusions (true → ranked first):",
    ...[...confusions]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10)
      .map(([pair, n]) => `    ${String(n).padStart(3)}  ${pair}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  const result = {
    n: cls.n,
    classTop1: frac(cls.top1, cls.n),
    classTop3: frac(cls.top3, cls.n),
    subclassTop1: frac(sub.top1, sub.n),
    subclassTop3: frac(sub.top3, sub.n),
    familyAccuracy: frac(familyRight, cls.n),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
