import { describe, expect, it } from "vitest";
import { safeRedirect } from "~/web/auth.server";

describe("safeRedirect", () => {
  it.each(["/incidents?x=1", "/", "/incidents/12/edit#timeline"])("accepts the same-site path %j", (to) => {
    expect(safeRedirect(to)).toBe(to);
  });

  it.each([
    "//evil.example",
    "https://evil.example",
    "http://evil.example/incidents",
    "/\\evil.example",
    "javascript:alert(1)",
    "incidents",
    "",
    " /incidents",
  ])("rejects %j", (to) => {
    expect(safeRedirect(to)).toBe("/incidents");
  });

  // Browsers drop tabs and newlines from URLs, so "/\t/evil" is followed as "//evil".
  it.each(["/\t/evil.example", "/\t\\evil.example"])("rejects %j, which a browser reads as another host", (to) => {
    expect(new URL(to, "https://faultline.test").host).toBe("evil.example");
    expect(safeRedirect(to)).toBe("/incidents");
  });

  it.each([null, undefined, new File(["x"], "x.txt")])("rejects the non-string %s", (to) => {
    expect(safeRedirect(to)).toBe("/incidents");
  });

  it("uses the given fallback", () => {
    expect(safeRedirect("//evil.example", "/actions")).toBe("/actions");
  });
});
