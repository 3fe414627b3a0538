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

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** False for a wrong password and for any stored value that is not a well-formed hash of ours. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algo, n, r, p, salt, key, ...rest] = stored.split("$");
  if (algo !== "scrypt" || !salt || !key || rest.length) return false;
  const expected = Buffer.from(key, "base64");
  if (expected.length !== KEYLEN) return false;
  try {
    const actual = await scrypt(password, Buffer.from(salt, "base64"), KEYLEN, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: PARAMS.maxmem,
    });
    return crypto.timingSafeEqual(actual, expected);
  } catch {
    return false; // unusable cost parameters
  }
}

/** sha-256 hex, for secrets we only ever compare (API tokens, session ids). */
export function sha256(value: string): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}
