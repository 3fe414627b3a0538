import { describe, expect, it } from "vitest";
import { formatDuration, formatUtc, parseUtc, toDateTimeInput } from "~/utils/dates";

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (iso: string) => Date.parse(iso);

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [30_000, "30s"],
    [59_499, "59s"],
    [59_500, "1m"],
    [45 * MIN, "45m"],
    [59 * MIN + 59_000, "59m"],
    [HOUR, "1h 00m"],
    [2 * HOUR + 5 * MIN, "2h 05m"],
    [23 * HOUR + 59 * MIN, "23h 59m"],
    [24 * HOUR, "1d 0h"],
    [3 * 24 * HOUR + 4 * HOUR + 30 * MIN, "3d 4h"],
  ])("%i ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([null, undefined, Number.NaN, -1, -HOUR])("shows a dash for %s", (ms) => {
    expect(formatDuration(ms)).toBe("—");
  });
});

describe("parseUtc", () => {
  it("reads datetime-local values as UTC", () => {
    expect(parseUtc("2026-03-04T05:06")).toBe(Date.UTC(2026, 2, 4, 5, 6));
    expect(parseUtc("2026-03-04T05:06:07")).toBe(Date.UTC(2026, 2, 4, 5, 6, 7));
    expect(parseUtc("  2026-03-04T05:06  ")).toBe(Date.UTC(2026, 2, 4, 5, 6));
  });

  it("reads a bare date as midnight UTC", () => {
    expect(parseUtc("2026-03-04")).toBe(Date.UTC(2026, 2, 4));
  });

  it("honours an explicit zone", () => {
    expect(parseUtc("2026-03-04T05:06:00Z")).toBe(Date.UTC(2026, 2, 4, 5, 6));
    expect(parseUtc("2026-03-04T05:06:00.250Z")).toBe(Date.UTC(2026, 2, 4, 5, 6, 0, 250));
    expect(parseUtc("2026-03-04T05:06+02:00")).toBe(Date.UTC(2026, 2, 4, 3, 6));
    expect(parseUtc("2026-03-04T05:06:00-07:00")).toBe(Date.UTC(2026, 2, 4, 12, 6));
  });

  it.each(["", "   "])("is null for empty input %j", (v) => {
    expect(parseUtc(v)).toBeNull();
  });

  it.each(["yesterday", "04/03/2026", "2026-13-01", "2026-03-04T25:00", "2026-03-04Tnoon", "1772600760000"])(
    "is NaN for garbage %j",
    (v) => {
      expect(parseUtc(v)).toBeNaN();
    },
  );

  it.each(["2026-02-30", "2026-04-31T10:00"])("is NaN for a day the month does not have (%j)", (v) => {
    expect(parseUtc(v)).toBeNaN();
  });
});

describe("toDateTimeInput", () => {
  it("formats UTC minutes for <input type=datetime-local>, with seconds only when the time has them", () => {
    expect(toDateTimeInput(Date.UTC(2026, 2, 4, 5, 6))).toBe("2026-03-04T05:06");
    expect(toDateTimeInput(Date.UTC(2026, 2, 4, 5, 6, 59))).toBe("2026-03-04T05:06:59");
    expect(toDateTimeInput(Date.UTC(2026, 2, 4, 5, 6, 0, 500))).toBe("2026-03-04T05:06");
  });

  it("is empty for no value", () => {
    expect(toDateTimeInput(null)).toBe("");
    expect(toDateTimeInput(undefined)).toBe("");
  });

  it("round-trips through parseUtc", () => {
    for (const ms of [Date.UTC(2025, 11, 31, 23, 59), Date.UTC(2025, 11, 31, 23, 59, 7)]) expect(parseUtc(toDateTimeInput(ms))).toBe(ms);
  });
});

describe("formatUtc", () => {
  it("formats milliseconds and ISO strings in UTC", () => {
    expect(formatUtc(Date.UTC(2026, 2, 4, 5, 6, 30))).toBe("2026-03-04 05:06 UTC");
    expect(formatUtc("2026-03-04T07:06:00+02:00")).toBe("2026-03-04 05:06 UTC");
    expect(formatUtc(at("2026-01-01T00:00:00Z"))).toBe("2026-01-01 00:00 UTC");
  });

  it.each([null, undefined, "", "not a date"])("shows a dash for %j", (v) => {
    expect(formatUtc(v)).toBe("—");
  });
});
