// Who owns the demo incidents: three demo accounts on an empty database; otherwise the existing users.
import type { Db } from "../../db/client";
import { hashPassword } from "../../app/utils/password.server";
import { countRows } from "./database";

export const DEMO_PASSWORD = "faultline-demo";

export type SeedUsers = { createdUsers: boolean; admin: { id: number; email: string; role: string } | null; owners: number[] };

export async function seedUsers(db: Db): Promise<SeedUsers> {
  const sqlite = db.$client;
  const countOf = (table: string) => countRows(db, table);
  // Users: three demo accounts on an empty database; otherwise the existing ones own the incidents.
  let createdUsers = false;
  if (countOf("users") === 0) {
    const hash = await hashPassword(DEMO_PASSWORD);
    const ins = sqlite.prepare("insert into users (email, name, role, password_hash) values (?, ?, ?, ?)");
    sqlite.transaction(() => {
      ins.run("admin@example.com", "Ada Admin", "admin", hash);
      ins.run("editor@example.com", "Eddie Editor", "editor", hash);
      ins.run("viewer@example.com", "Vera Viewer", "viewer", hash);
    })();
    createdUsers = true;
  }
  const userRows = sqlite.prepare("select id, email, role from users where disabled = 0 order by id").all() as { id: number; email: string; role: string }[];
  const admin = userRows.find((u) => u.email === "admin@example.com") ?? userRows.find((u) => u.role === "admin") ?? userRows[0] ?? null;
  const owners = userRows.filter((u) => u.role !== "viewer").map((u) => u.id);
  if (!owners.length && admin) owners.push(admin.id);
  return { createdUsers, admin, owners };
}
