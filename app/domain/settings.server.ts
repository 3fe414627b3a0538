import { eq } from "drizzle-orm";
import { z } from "zod";
import { settings } from "../../db/schema";
import { IMAGE_HOST, setAllowedImageHosts } from "../utils/image-hosts.server";
import type { Db } from "../utils/db.server";
import { recordAudit, type Actor } from "./audit.server";

const IMAGE_HOSTS_KEY = "image_hosts";
export const MAX_IMAGE_HOSTS = 50;

/** The image-host list as typed in Settings: one per line (or comma-separated), case and blanks ignored. */
export const imageHostsSchema = z
  .string()
  .max(5_000, "Keep the list under 5,000 characters.")
  .transform((s) => [...new Set(s.split(/[\s,]+/).map((h) => h.trim().toLowerCase()).filter(Boolean))])
  .superRefine((hosts, ctx) => {
    const bad = hosts.filter((h) => !IMAGE_HOST.test(h));
    if (bad.length) ctx.addIssue({ code: "custom", message: `Not a host name: ${bad.slice(0, 3).join(", ")}. Give names like grafana.example.com or *.example.com, without https:// or a path.` });
    if (hosts.length > MAX_IMAGE_HOSTS) ctx.addIssue({ code: "custom", message: `At most ${MAX_IMAGE_HOSTS} hosts.` });
  });

/** Reads the stored settings into the process (at start-up). */
export function loadSettings(db: Db): void {
  const row = db.select({ value: settings.value }).from(settings).where(eq(settings.key, IMAGE_HOSTS_KEY)).get();
  const parsed = z.array(z.string().regex(IMAGE_HOST)).safeParse(row ? JSON.parse(row.value) : []);
  setAllowedImageHosts(parsed.success ? parsed.data : []);
}

/** Replaces the allowed image hosts; pages and the CSP use the new list from the next response on. */
export function saveImageHosts(db: Db, hosts: string[], actor: Actor): void {
  const value = JSON.stringify(hosts);
  db.transaction((tx) => {
    tx.insert(settings)
      .values({ key: IMAGE_HOSTS_KEY, value, updatedBy: actor.id, updatedAt: Date.now() })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedBy: actor.id, updatedAt: Date.now() } })
      .run();
    recordAudit(tx, actor, "settings.image_hosts", "settings", IMAGE_HOSTS_KEY, { hosts });
  });
  setAllowedImageHosts(hosts);
}
