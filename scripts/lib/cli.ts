import { parseArgs, type ParseArgsConfig } from "node:util";

/** Prints a message on stderr and exits (1 for failures, 2 for usage errors). */
export function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Progress on stderr: a bar rewritten in place on a terminal, else a line per tenth (logs and CI stay short). */
export class Progress {
  private last = 0;
  private step = -1;
  private readonly tty = Boolean(process.stderr.isTTY);
  constructor(private readonly label: string) {}

  update(done: number, total: number): void {
    if (total === 0) return;
    const frac = Math.min(1, done / total);
    if (!this.tty) {
      const step = Math.floor(frac * 10);
      if (step === this.step) return;
      this.step = step;
      process.stderr.write(`${this.label}: ${done}/${total} (${Math.round(frac * 100)}%)\n`);
      return;
    }
    const t = performance.now();
    if (done < total && t - this.last < 100) return;
    this.last = t;
    const bar = "#".repeat(Math.round(frac * 30)).padEnd(30, ".");
    process.stderr.write(`\r${this.label.padEnd(10)} [${bar}] ${String(Math.round(frac * 100)).padStart(3)}% ${done}/${total}${done >= total ? "\n" : ""}`);
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `--name value` flags strictly (no positionals); an unknown or malformed flag prints the usage line and
 * exits 2, and `-h`/`--help` prints it and exits 0.
 */
const HELP = { help: { type: "boolean", short: "h", default: false } } as const;

export function parseCli<T extends Options>(usage: string, options: T, argv = process.argv.slice(2)) {
  type Config = { args: string[]; options: T & typeof HELP; strict: true; allowPositionals: false };
  let parsed: ReturnType<typeof parseArgs<Config>>;
  try {
    parsed = parseArgs<Config>({ args: argv, options: { ...options, ...HELP }, strict: true, allowPositionals: false });
  } catch (e) {
    fail(`${(e as Error).message}\n${usage}`, 2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed.values;
}
