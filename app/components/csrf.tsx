import { useRouteLoaderData } from "@remix-run/react";

/** The hidden field every form posts: this render's masked CSRF token, from the root loader. */
export function CsrfInput() {
  // Typed here rather than through root.tsx's loader type, so root (which renders this) and this file do not import each other.
  const data = useRouteLoaderData("root") as { csrf?: string } | undefined;
  return <input type="hidden" name="csrf" value={data?.csrf ?? ""} />;
}
