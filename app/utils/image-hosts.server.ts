import { processWide } from "./process-wide";

/**
 * The hosts pages may load images from, besides this server and data: URLs: the admin's list (Settings → Images),
 * read by both the CSP header (scripts/server/edge.ts) and the Markdown sanitizer, so the two always agree.
 */
// The server script (CSP header) and the Remix build (sanitizer, settings page) read one list.
const store = processWide("image-hosts", (): { hosts: readonly string[] } => ({ hosts: [] }));

/** "grafana.example.com" or "*.example.com": lower-case DNS names, an optional leading wildcard, no port or path. */
export const IMAGE_HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function allowedImageHosts(): readonly string[] {
  return store.hosts;
}

export function setAllowedImageHosts(hosts: readonly string[]): void {
  store.hosts = [...hosts];
}

/** True when an absolute image URL may load: https, on a listed host (a wildcard covers subdomains, not the apex). */
export function imageUrlAllowed(src: string): boolean {
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" || url.port !== "" || url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  return store.hosts.some((h) => (h.startsWith("*.") ? host.endsWith(h.slice(1)) : host === h));
}
