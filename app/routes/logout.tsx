import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { signOut } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";

export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  await readForm(request);
  return signOut(request);
}
