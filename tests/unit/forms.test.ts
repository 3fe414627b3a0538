import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldErrors, requiredUtcTime, utcTime } from "~/utils/forms";

describe("utcTime", () => {
  it.each(["", "   ", null, undefined])("turns %j into null", (v) => {
    expect(utcTime.parse(v)).toBeNull();
  });

  it("turns datetime-local and ISO strings into milliseconds", () => {
    expect(utcTime.parse("2026-03-04T05:06")).toBe(Date.UTC(2026, 2, 4, 5, 6));
    expect(utcTime.parse("2026-03-04T05:06:00Z")).toBe(Date.UTC(2026, 2, 4, 5, 6));
  });

  // The union lists undefined so a client may leave the field out; a missing key must mean "no time".
  it("treats a missing key in an object as null", () => {
    expect(z.object({ at: utcTime }).safeParse({})).toEqual({ success: true, data: { at: null } });
  });

  it("rejects garbage with a hint", () => {
    const r = utcTime.safeParse("next tuesday");
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toBe("Use a date and time like 2026-03-04T05:06.");
  });

  it("rejects non-strings", () => {
    expect(utcTime.safeParse(1772600760000).success).toBe(false);
  });

  it("has a required variant", () => {
    expect(requiredUtcTime.parse("2026-03-04")).toBe(Date.UTC(2026, 2, 4));
    expect(requiredUtcTime.safeParse("").error!.issues[0].message).toBe("Enter a date and time.");
  });
});

describe("fieldErrors", () => {
  const schema = z
    .object({
      name: z.string().min(3, "Too short.").regex(/^[a-z]+$/, "Lowercase only."),
      age: z.number({ message: "Enter a number." }),
      address: z.object({ city: z.string().min(1, "Enter a city.") }),
    })
    .superRefine((_, ctx) => ctx.addIssue({ code: "custom", message: "Whole form is wrong." }));

  it("keys errors by field path, keeps the first per field, and puts path-less issues under form", () => {
    const r = schema.safeParse({ name: "A", age: "x", address: { city: "" } });
    expect(fieldErrors(r.error!)).toEqual({
      name: "Too short.",
      age: "Enter a number.",
      "address.city": "Enter a city.",
    });
    const formLevel = schema.safeParse({ name: "abc", age: 1, address: { city: "Oslo" } });
    expect(fieldErrors(formLevel.error!)).toEqual({ form: "Whole form is wrong." });
  });
});
