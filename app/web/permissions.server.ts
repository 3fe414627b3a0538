import type { Role, User } from "../../db/schema";
import { hasRole } from "../utils/roles";
import { requireUser } from "./auth.server";

/** The signed-in user if their role is at least `role`; otherwise 403. */
export async function requireRole(request: Request, role: Role): Promise<User> {
  const user = await requireUser(request);
  if (!hasRole(user, role)) {
    throw new Response(`This needs the ${role} role; you are ${user.role}.`, { status: 403 });
  }
  return user;
}
