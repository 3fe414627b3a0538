import { describe, expect, it } from "vitest";
import { hashPassword, sha256, verifyPassword } from "~/utils/password.server";

describe("password hashing", () => {
  it("verifies the right password and rejects a wrong one", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery ", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password", a)).toBe(true);
    expect(await verifyPassword("same password", b)).toBe(true);
  });

  // A hash made by hashPassword("pw"); the malformed variants below are derived from it.
  const good = "scrypt$32768$8$1$Conz8KTqvEynFwfLz6GpNQ==$jefNk8s7mKr6KMr7VIbOw03nLZOyDE033x/PlIALq08=";
  const [, n, r, p, salt] = good.split("$");

  it("verifies a hash stored earlier", async () => {
    expect(await verifyPassword("pw", good)).toBe(true);
  });

  describe("a malformed stored hash never verifies", () => {
    it.each([
      ["empty", ""],
      ["not a hash", "hunter2"],
      ["another algorithm", good.replace(/^scrypt/, "bcrypt")],
      ["key missing", `scrypt$${n}$${r}$${p}$${salt}`],
      ["key empty", `scrypt$${n}$${r}$${p}$${salt}$`],
      ["cost not a number", good.replace(`$${n}$`, "$lots$")],
      ["key that decodes to no bytes", `scrypt$${n}$${r}$${p}$${salt}$!!!!`],
    ])("%s", async (_, stored) => {
      await expect(verifyPassword("pw", stored)).resolves.toBe(false);
    });
  });
});

describe("sha256", () => {
  it("is hex sha-256", () => {
    expect(sha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
