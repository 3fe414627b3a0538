import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// With the classic compiler a .server module is empty in the browser bundle: a value imported from one and used
// in a route's component renders on the server, then breaks (or silently changes) after hydration.
const files = [
  "app/root.tsx",
  // Flat route files, and route folders (route.tsx with its components beside it).
  ...(fs.readdirSync("app/routes", { recursive: true }) as string[]).map((f) => path.join("app/routes", f)),
].filter((f) => f.endsWith(".tsx"));

function serverValuesUsedInComponent(source: string): string[] {
  const imported = [...source.matchAll(/import \{([^}]+)\} from "[^"]+\.server"/g)]
    .flatMap((m) => m[1].split(","))
    .map((n) => n.trim())
    .filter((n) => n && !n.startsWith("type "));
  const start = source.indexOf("export default function");
  if (start < 0) return [];
  // The component and everything after it (meta, ErrorBoundary) run in the browser.
  const clientPart = source.slice(start).replace(/useLoaderData<typeof loader>|useActionData<typeof action>/g, "");
  return imported.filter((name) => new RegExp(`(?<![\\w.:/])${name}(?![\\w:])`).test(clientPart));
}

describe("route modules", () => {
  it.each(files)("%s uses no server-only value in browser code", (file) => {
    expect(serverValuesUsedInComponent(fs.readFileSync(file, "utf8"))).toEqual([]);
  });

  it("detects a server value used in a component", () => {
    const source = `import { PAGE_SIZE } from "~/domain/incidents.server";\nexport default function X() { return PAGE_SIZE; }`;
    expect(serverValuesUsedInComponent(source)).toEqual(["PAGE_SIZE"]);
  });
});
