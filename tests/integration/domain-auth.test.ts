import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sessions, users, type User } from "../../db/schema";
import { listAudit, SYSTEM, type Actor } from "~/domain/audit.server";
import {
  authenticate,
  createFirstAdmin,
  createSession,
  createUser,
  deleteSession,
  DuplicateEmailError,
  LastAdminError,
  newUserSchema,
  updateUser,
  userCount,
  userForSession,
} from "~/domain/auth.server";
import { sha256 } from "~/utils/password.server";
import { SESSION_DAYS } from "~/utils/session.server";
import { makeTestDb, type TestDb } from "../helpers/db";

let t: TestDb;
let admin: User;
let asAdmin: Actor;
const PASSWORD = "correct horse battery";

const auditOf = (id: number) =>
  listAudit(t.db, { entity: "user", entityId: id }).map((a) => ({ ...a, detail: JSON.parse(a.detail) }));
const userRow = (id: number) => t.db.select().from(users).where(eq(users.id, id)).get()!;
const newUser = (email: string, role: "viewer" | "editor" | "admin" = "editor") =>
  createUser(t.db, newUserSchema.parse({ email, name: email.split("@")[0], role, password: PASSWORD }), asAdmin);

beforeAll(async () => {
  t = makeTestDb();
  admin = (await createFirstAdmin(t.db, { email: "root@example.com", name: "Root", password: PASSWORD }))!;
  asAdmin = { id: admin.id, label: admin.email };
});
afterAll(() => t.cleanup());
afterEach(() => {
  vi.useRealTimers();
});

describe("createFirstAdmin", () => {
  it("creates an admin once, then refuses", async () => {
    expect(admin).toMatchObject({ email: "root@example.com", name: "Root", role: "admin", disabled: false });
    expect(admin.passwordHash).toMatch(/^scrypt\$/);
    expect(auditOf(admin.id)).toEqual([
      expect.objectContaining({
        action: "create",
        actor: "root@example.com",
        detail: { email: "root@example.com", role: "admin", firstAdmin: true },
      }),
    ]);

    const second = await createFirstAdmin(t.db, { email: "late@example.com", name: "Late", password: PASSWORD });
    expect(second).toBeNull();
    expect(t.db.select().from(users).where(eq(users.email, "late@example.com")).get()).toBeUndefined();
  });
});

describe("createUser", () => {
  it("normalises the email, stores a hash and audits the creator", async () => {
    const u = await createUser(
      t.db,
      newUserSchema.parse({ email: "  Carol@Example.COM ", name: "Carol", role: "viewer", password: PASSWORD }),
      asAdmin,
    );
    expect(u).toMatchObject({ email: "carol@example.com", role: "viewer", disabled: false });
    expect(u.passwordHash).not.toContain(PASSWORD);
    expect(auditOf(u.id)[0]).toMatchObject({ actor: "root@example.com", detail: { email: "carol@example.com", role: "viewer" } });
  });

  it("rejects an email that already has an account, in any case", async () => {
    const count = userCount(t.db);
    await expect(newUser("ROOT@example.com")).rejects.toThrow(DuplicateEmailError);
    await expect(newUser("root@example.com")).rejects.toThrow("root@example.com already has an account.");
    expect(userCount(t.db)).toBe(count);
  });

  it("records a self-service account as created by itself when the actor is the system", async () => {
    const u = await createUser(
      t.db,
      newUserSchema.parse({ email: "dave@example.com", name: "Dave", role: "viewer", password: PASSWORD }),
      SYSTEM,
    );
    expect(auditOf(u.id)[0]).toMatchObject({ actor: "dave@example.com", actorEmail: "dave@example.com" });
  });
});

describe("authenticate", () => {
  it("accepts the right password, with the email in any case and spacing", async () => {
    expect((await authenticate(t.db, "root@example.com", PASSWORD))?.id).toBe(admin.id);
    expect((await authenticate(t.db, "  Root@Example.com ", PASSWORD))?.id).toBe(admin.id);
  });

  it("rejects a wrong password and an unknown email", async () => {
    expect(await authenticate(t.db, "root@example.com", "wrong horse battery")).toBeNull();
    expect(await authenticate(t.db, "nobody@example.com", PASSWORD)).toBeNull();
  });

  it("rejects a disabled account even with the right password", async () => {
    const u = await newUser("erin@example.com");
    expect((await authenticate(t.db, "erin@example.com", PASSWORD))?.id).toBe(u.id);
    updateUser(t.db, u.id, { role: "editor", disabled: true }, asAdmin);
    expect(await authenticate(t.db, "erin@example.com", PASSWORD)).toBeNull();
  });
});

describe("sessions", () => {
  it("finds the user for a session id and stores only its hash", async () => {
    const u = await newUser("frank@example.com");
    const id = createSession(t.db, u.id);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(userForSession(t.db, id)?.email).toBe("frank@example.com");
    expect(t.db.select().from(sessions).where(eq(sessions.userId, u.id)).all().map((s) => s.id)).toEqual([sha256(id)]);
    expect(userForSession(t.db, sha256(id))).toBeNull();
    expect(userForSession(t.db, "made-up")).toBeNull();
  });

  it("expires after SESSION_DAYS", async () => {
    const u = await newUser("grace@example.com");
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.UTC(2026, 0, 1);
    vi.setSystemTime(start);
    const id = createSession(t.db, u.id);
    vi.setSystemTime(start + SESSION_DAYS * 24 * 3600 * 1000 - 1000);
    expect(userForSession(t.db, id)?.id).toBe(u.id);
    vi.setSystemTime(start + SESSION_DAYS * 24 * 3600 * 1000 + 1000);
    expect(userForSession(t.db, id)).toBeNull();
  });

  it("deletes expired sessions when a new one opens, and keeps live ones", async () => {
    const [u, v] = [await newUser("sybil@example.com"), await newUser("trent@example.com")];
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.UTC(2026, 1, 1);
    vi.setSystemTime(start);
    const old = createSession(t.db, u.id);
    vi.setSystemTime(start + (SESSION_DAYS - 1) * 24 * 3600 * 1000);
    const live = createSession(t.db, u.id);
    vi.setSystemTime(start + SESSION_DAYS * 24 * 3600 * 1000 + 1000);
    const hashes = () => t.db.select({ id: sessions.id }).from(sessions).all().map((s) => s.id);
    expect(hashes()).toContain(sha256(old));
    createSession(t.db, v.id);
    expect(hashes()).not.toContain(sha256(old));
    expect(userForSession(t.db, live)?.id).toBe(u.id);
  });

  it("ends on sign-out", async () => {
    const u = await newUser("heidi@example.com");
    const [a, b] = [createSession(t.db, u.id), createSession(t.db, u.id)];
    deleteSession(t.db, a);
    expect(userForSession(t.db, a)).toBeNull();
    expect(userForSession(t.db, b)?.id).toBe(u.id);
  });
});

describe("updateUser", () => {
  it("changes the role, signs that user out everywhere and audits the change", async () => {
    const u = await newUser("ivan@example.com", "viewer");
    const other = await newUser("judy@example.com");
    const [s1, s2, keep] = [createSession(t.db, u.id), createSession(t.db, u.id), createSession(t.db, other.id)];

    updateUser(t.db, u.id, { role: "editor", disabled: false }, asAdmin);

    expect(userRow(u.id)).toMatchObject({ role: "editor", disabled: false });
    expect(userForSession(t.db, s1)).toBeNull();
    expect(userForSession(t.db, s2)).toBeNull();
    expect(userForSession(t.db, keep)?.id).toBe(other.id);
    expect(auditOf(u.id)[0]).toMatchObject({
      action: "update",
      actor: "root@example.com",
      detail: { from: { role: "viewer", disabled: false }, to: { role: "editor", disabled: false } },
    });
  });

  it("keeps at least one active admin", async () => {
    const session = createSession(t.db, admin.id);
    expect(() => updateUser(t.db, admin.id, { role: "editor", disabled: false }, asAdmin)).toThrow(LastAdminError);
    expect(() => updateUser(t.db, admin.id, { role: "admin", disabled: true }, asAdmin)).toThrow(LastAdminError);
    expect(userRow(admin.id)).toMatchObject({ role: "admin", disabled: false });
    expect(userForSession(t.db, session)?.id).toBe(admin.id);

    // A second admin makes the first one removable, and then is the last one.
    const second = await newUser("ken@example.com", "admin");
    updateUser(t.db, admin.id, { role: "editor", disabled: false }, asAdmin);
    expect(userRow(admin.id).role).toBe("editor");
    expect(() => updateUser(t.db, second.id, { role: "viewer", disabled: false }, asAdmin)).toThrow(
      "Faultline needs at least one active admin.",
    );

    // A disabled admin does not count.
    const third = await newUser("liz@example.com", "admin");
    updateUser(t.db, third.id, { role: "admin", disabled: true }, asAdmin);
    expect(() => updateUser(t.db, second.id, { role: "admin", disabled: true }, asAdmin)).toThrow(LastAdminError);
    updateUser(t.db, admin.id, { role: "admin", disabled: false }, asAdmin);
  });

  it("throws a 404 Response for an unknown user", () => {
    let err: unknown;
    try {
      updateUser(t.db, 999_999, { role: "viewer", disabled: false }, asAdmin);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Response);
    expect((err as Response).status).toBe(404);
  });
});
