import { createHmac, timingSafeEqual } from "node:crypto";

const SHA256_HEX = /^[0-9a-f]{64}$/i;

function hmacSha256(secret: string, text: string | Uint8Array): Buffer {
  return createHmac("sha256", secret).update(text).digest();
}

/** Constant-time comparison of a hex signature with a digest; false for anything not 64 hex chars. */
function matches(candidateHex: string, digest: Buffer): boolean {
  if (!SHA256_HEX.test(candidateHex)) return false;
  const candidate = Buffer.from(candidateHex, "hex");
  return candidate.length === digest.length && timingSafeEqual(candidate, digest);
}

/**
 * `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 of the raw body. During secret rotation the header
 * carries one signature per secret and we may hold several secrets: any match is enough. Pass the body bytes
 * exactly as received (not re-serialized JSON).
 */
export function verifyPagerDutySignature(
  rawBody: string | Uint8Array,
  header: string | null,
  secrets: string[],
): boolean {
  if (!header) return false;
  // An empty secret is a misconfiguration, not a key anyone should be able to sign with.
  const digests = secrets.filter((secret) => secret.length > 0).map((secret) => hmacSha256(secret, rawBody));
  const candidates = header
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.startsWith("v1="))
    .map((part) => part.slice(3));
  let valid = false;
  for (const candidate of candidates) {
    for (const digest of digests) {
      // No early exit: the time taken does not depend on which pair matched.
      valid = matches(candidate, digest) || valid;
    }
  }
  return valid;
}

/**
 * `X-Grafana-Alerting-Signature`: lowercase hex HMAC-SHA256 of the body, or of `timestamp + ":" + body` when
 * Grafana is configured to send a timestamp header. Checking the timestamp's age is the caller's choice.
 */
export function verifyGrafanaSignature(
  rawBody: string | Uint8Array,
  header: string | null,
  secret: string,
  timestamp?: string | null,
): boolean {
  if (!header || !secret) return false;
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
  const signed = timestamp ? Buffer.concat([Buffer.from(`${timestamp}:`, "utf8"), body]) : body;
  return matches(header.trim(), hmacSha256(secret, signed));
}
