// The seed's command line: flags, their defaults, and how a textual --seed becomes a number.
import { databasePath } from "../../db/client";
import { fail, parseCli } from "../lib/cli";

const USAGE = "Usage: npm run seed -- [--db PATH] [--incidents N] [--alerts M] [--seed S] [--reset]";

export type Options = { db: string; incidents: number; alerts: number; seed: number; seedLabel: string; reset: boolean };


export function parseOptions(argv: string[]): Options {
  const values = parseCli(
    USAGE,
    {
      db: { type: "string" },
      incidents: { type: "string" },
      alerts: { type: "string" },
      seed: { type: "string" },
      reset: { type: "boolean", default: false },
    },
    argv,
  );
  const count = (name: string, raw: string | undefined, dflt: number): number => {
    if (raw === undefined) return dflt;
    if (!/^\d+$/.test(raw.replaceAll("_", ""))) fail(`--${name} must be a whole number, got "${raw}"\n${USAGE}`, 2);
    return Number(raw.replaceAll("_", ""));
  };
  const seedLabel = values.seed ?? "42";
  // Numeric seeds are used as given; any other text is hashed (FNV-1a) so "--seed demo" works too.
  let seed: number;
  if (/^\d+$/.test(seedLabel)) seed = Number(BigInt(seedLabel) & 0xffffffffn);
  else {
    seed = 0x811c9dc5;
    for (const ch of seedLabel) seed = Math.imul(seed ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  }
  return {
    db: values.db ?? databasePath(),
    incidents: count("incidents", values.incidents, 150),
    alerts: count("alerts", values.alerts, 2_000),
    seed,
    seedLabel,
    reset: values.reset ?? false,
  };
}
