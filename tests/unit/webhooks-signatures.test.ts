import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyGrafanaSignature, verifyPagerDutySignature } from "~/webhooks";

const hmac = (secret: string, text: string) => createHmac("sha256", secret).update(text).digest("hex");
const body =
  '{"event":{"id":"01EZ4QH7XNW1D3M8V6B2K9TCSR","event_type":"incident.triggered","data":{"title":"CTR drop ✓"}}}';

describe("verifyPagerDutySignature", () => {
  const secret = "pd-secret-2024-08";
  const good = `v1=${hmac(secret, body)}`;

  it("accepts the signature of the raw body", () => {
    expect(verifyPagerDutySignature(body, good, [secret])).toBe(true);
    expect(verifyPagerDutySignature(Buffer.from(body, "utf8"), good, [secret])).toBe(true);
  });

  it("refuses a changed body or another secret", () => {
    expect(verifyPagerDutySignature(body.replace("CTR", "CVR"), good, [secret])).toBe(false);
    expect(verifyPagerDutySignature(body, good, ["another-secret"])).toBe(false);
  });

  it("accepts any of several v1 signatures during rotation", () => {
    const rotating = `v1=${hmac("old-secret", body)}, v1=${hmac(secret, body)}`;
    expect(verifyPagerDutySignature(body, rotating, [secret])).toBe(true);
    expect(verifyPagerDutySignature(body, rotating, ["old-secret"])).toBe(true);
    expect(verifyPagerDutySignature(body, rotating, ["unrelated", secret])).toBe(true);
    expect(verifyPagerDutySignature(body, `v1=${hmac("x", body)},v1=${hmac("y", body)}`, [secret])).toBe(false);
  });

  it("refuses wrong lengths and non-hex without throwing", () => {
    const hex = hmac(secret, body);
    expect(verifyPagerDutySignature(body, "v1=abcd", [secret])).toBe(false);
    expect(verifyPagerDutySignature(body, `v1=${hex}00`, [secret])).toBe(false);
    expect(verifyPagerDutySignature(body, `v1=${hex.slice(0, 63)}`, [secret])).toBe(false);
    expect(verifyPagerDutySignature(body, `v1=${hex.slice(0, 62)}zz`, [secret])).toBe(false);
  });

  it("refuses a missing header, other schemes, and no usable secret", () => {
    expect(verifyPagerDutySignature(body, null, [secret])).toBe(false);
    expect(verifyPagerDutySignature(body, "", [secret])).toBe(false);
    expect(verifyPagerDutySignature(body, hmac(secret, body), [secret])).toBe(false);
    expect(verifyPagerDutySignature(body, `v2=${hmac(secret, body)}`, [secret])).toBe(false);
    expect(verifyPagerDutySignature(body, good, [])).toBe(false);
    expect(verifyPagerDutySignature(body, `v1=${hmac("", body)}`, [""])).toBe(false);
  });
});

describe("verifyGrafanaSignature", () => {
  const secret = "grafana-contact-point-secret";

  it("accepts lowercase hex HMAC of the body", () => {
    expect(verifyGrafanaSignature(body, hmac(secret, body), secret)).toBe(true);
    expect(verifyGrafanaSignature(body, hmac(secret, body), secret, null)).toBe(true);
    expect(verifyGrafanaSignature(body, ` ${hmac(secret, body)} `, secret)).toBe(true);
  });

  it("signs timestamp:body when a timestamp header is configured", () => {
    const ts = "1720008310";
    const signed = hmac(secret, `${ts}:${body}`);
    expect(verifyGrafanaSignature(body, signed, secret, ts)).toBe(true);
    expect(verifyGrafanaSignature(Buffer.from(body), signed, secret, ts)).toBe(true);
    expect(verifyGrafanaSignature(body, signed, secret, "1720008311")).toBe(false);
    expect(verifyGrafanaSignature(body, signed, secret)).toBe(false);
    expect(verifyGrafanaSignature(body, hmac(secret, body), secret, ts)).toBe(false);
  });

  it("refuses a changed body, another secret, bad or missing headers", () => {
    const good = hmac(secret, body);
    expect(verifyGrafanaSignature(`${body} `, good, secret)).toBe(false);
    expect(verifyGrafanaSignature(body, good, "other")).toBe(false);
    expect(verifyGrafanaSignature(body, good.slice(0, 32), secret)).toBe(false);
    expect(verifyGrafanaSignature(body, `sha256=${good}`, secret)).toBe(false);
    expect(verifyGrafanaSignature(body, null, secret)).toBe(false);
    expect(verifyGrafanaSignature(body, "", secret)).toBe(false);
    expect(verifyGrafanaSignature(body, hmac("", body), "")).toBe(false);
  });
});
