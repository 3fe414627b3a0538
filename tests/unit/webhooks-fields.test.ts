import { describe, expect, it } from "vitest";
import { parseTime } from "~/webhooks/fields";
import { stableFingerprint } from "~/webhooks";

const at = (iso: string) => Date.parse(iso);

describe("stableFingerprint", () => {
  it("is 16 hex chars of sha256 over sorted name=value lines", () => {
    // printf 'a=1\nb=2\n' | sha256sum
    expect(stableFingerprint({ b: "2", a: "1" })).toBe("4a73850fde34aad4");
    expect(stableFingerprint({})).toBe("e3b0c44298fc1c14");
  });

  it("does not depend on key order and changes when any label changes", () => {
    const labels = { alertname: "FeatureDriftHigh", model: "fraud-scorer", model_version: "2024.05.2" };
    const reordered = { model_version: "2024.05.2", alertname: "FeatureDriftHigh", model: "fraud-scorer" };
    expect(stableFingerprint(reordered)).toBe(stableFingerprint(labels));
    expect(stableFingerprint({ ...labels, model_version: "2024.05.3" })).not.toBe(stableFingerprint(labels));
    expect(stableFingerprint({ ...labels, team: "risk-ml" })).not.toBe(stableFingerprint(labels));
    const { model_version: _, ...fewer } = labels;
    expect(stableFingerprint(fewer)).not.toBe(stableFingerprint(labels));
  });
});

describe("parseTime", () => {
  it.each([
    ["2024-05-14T09:12:30Z", at("2024-05-14T09:12:30Z")],
    ["2024-05-14T09:12:30.5Z", at("2024-05-14T09:12:30.500Z")],
    ["2024-05-14T09:12:30.512345678Z", at("2024-05-14T09:12:30.512Z")],
    ["2024-07-03T14:05:10.123456+02:00", at("2024-07-03T12:05:10.123Z")],
    ["2024-07-03T04:05:10-0530", at("2024-07-03T09:35:10Z")],
    ["2024-07-03t14:05:10z", at("2024-07-03T14:05:10Z")],
    ["2024-07-03T14:05Z", at("2024-07-03T14:05:00Z")],
    ["2024-02-29T00:00:00Z", at("2024-02-29T00:00:00Z")],
    [" 2024-05-14T09:12:30Z ", at("2024-05-14T09:12:30Z")],
    ["0099-01-01T00:00:00Z", Date.parse("0099-01-01T00:00:00Z")],
  ])("reads %s", (text, ms) => {
    expect(parseTime(text)).toBe(ms);
  });

  it.each(["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z", "0001-01-01T00:00:00+00:00"])(
    "reads Go's zero time %s as null",
    (text) => {
      expect(parseTime(text)).toBeNull();
    },
  );

  it.each([
    "",
    "yesterday",
    "2024-05-14",
    "2024-05-14T09:12:30",
    "2024-05-14 09:12:30Z",
    "May 14 2024 09:12:30 GMT",
    "2023-02-29T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-05-14T24:00:00Z",
    "2024-05-14T09:60:00Z",
    "2024-05-14T09:12:60Z",
    "2024-05-14T09:12:30+25:00",
    "1715677950",
  ])("refuses %j", (text) => {
    expect(parseTime(text)).toBeUndefined();
  });
});
