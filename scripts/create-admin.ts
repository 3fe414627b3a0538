// Usage: npm run create-admin -- --email EMAIL --name NAME --password PASSWORD [--db PATH]
//   (or FAULTLINE_ADMIN_EMAIL, FAULTLINE_ADMIN_NAME, FAULTLINE_ADMIN_PASSWORD; flags win)
// Creates the first admin of an empty database for scripted installs, so /setup and its setup code are not needed.
import { openDatabase } from "../db/client";
import { createFirstAdmin, newUserSchema } from "../app/domain/auth.server";
import { fail, parseCli } from "./lib/cli";

const USAGE =
  "Usage: npm run create-admin -- --email EMAIL --name NAME --password PASSWORD [--db PATH]\n" +
  "  (or FAULTLINE_ADMIN_EMAIL, FAULTLINE_ADMIN_NAME, FAULTLINE_ADMIN_PASSWORD; a password flag is visible in `ps`, the variable is not)";

const args = parseCli(USAGE, {
  email: { type: "string" },
  name: { type: "string" },
  password: { type: "string" },
  db: { type: "string" },
});
const parsed = newUserSchema.omit({ role: true }).safeParse({
  email: args.email ?? process.env.FAULTLINE_ADMIN_EMAIL,
  name: args.name ?? process.env.FAULTLINE_ADMIN_NAME,
  password: args.password ?? process.env.FAULTLINE_ADMIN_PASSWORD,
});
if (!parsed.success) fail(`${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n")}\n${USAGE}`, 2);
const db = openDatabase(args.db);
const user = await createFirstAdmin(db, parsed.data);
db.$client.close();
if (!user) fail("The database already has accounts; an admin adds users on Settings → Users.");
process.stdout.write(`Created admin ${user.email}; sign in at /login.\n`);
