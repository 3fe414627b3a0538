import type { Role } from "../../db/schema";

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** True when `user` may act as `role` (admin > editor > viewer). The UI hides by it; the server enforces it. */
export function hasRole(user: { role: Role } | null | undefined, role: Role): boolean {
  return !!user && RANK[user.role] >= RANK[role];
}
