import crypto from "node:crypto";
import { promisify } from "node:util";

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

// scrypt with N=2^15, r=8: about 50-100 ms per hash, memory-hard, and in Node's standard library.
const PARAMS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEYLEN = 32;

/** More hashes than this wait their turn: each takes 32 MiB and one of libuv's four threads (file I/O needs them too). */
const MAX_HASHING = Math.max(1, Math.floor(Number(process.env.PASSWORD_HASH_CONCURRENCY) || 2));
/** Past this many waiting, a hash is refused at once: a flood of sign-ins answers 503 instead of queueing forever. */
const MAX_WAITING = 64;

/** Too many password hashes are already running or waiting; try again shortly. */
export class PasswordHashBusyError extends Error {}

let hashing = 0;
let peakHashing = 0;
const waiting: (() => void)[] = [];

async function inHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (hashing >= MAX_HASHING) {
    if (waiting.length >= MAX_WAITING) throw new PasswordHashBusyError("Too many sign-ins at once; try again in a moment.");
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    hashing++;
  }
  peakHashing = Math.max(peakHashing, hashing);
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next waiter, so the count never dips and lets a newcomer jump the queue.
    const next = waiting.shift();
    if (next) next();
    else hashing--;
  }
}

/** Hashes running now, the most ever at once, those waiting, and the bound. */
export function passwordHashLoad() {
  return { hashing, peak: peakHashing, waiting: waiting.length, max: MAX_HASHING };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await inHashSlot(() => scrypt(password, salt, KEYLEN, PARAMS));
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** False for a wrong password and for any stored value that is not a well-formed hash of ours. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algo, n, r, p, salt, key, ...rest] = stored.split("$");
  if (algo !== "scrypt" || !salt || !key || rest.length) return false;
  const expected = Buffer.from(key, "base64");
  if (expected.length !== KEYLEN) return false;
  try {
    const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem };
    const actual = await inHashSlot(() => scrypt(password, Buffer.from(salt, "base64"), KEYLEN, options));
    return crypto.timingSafeEqual(actual, expected);
  } catch (e) {
    if (e instanceof PasswordHashBusyError) throw e;
    return false; // unusable cost parameters
  }
}

/** sha-256 hex, for secrets we only ever compare (API tokens, session ids). */
export function sha256(value: string): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}
