// After an import, the built app over HTTP lets a person find what needs them: list filters by class, family,
// model, source label and "unclassified", a class column, the unclassified count on /taxonomy, and the incident's
// source labels and suggested start.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../db/client";
import { incidents } from "../../db/schema";
import { linkVersion, registerVersion, versionInputSchema } from "~/domain/models.server";
import { importMarkdownFiles, readMarkdownFolder } from "~/domain/portability/folder.server";
import { importPublicPostmortem } from "~/domain/portability/public-markdown.server";
import { Client, setupAdmin } from "../helpers/http";
import { IMPORTER } from "../helpers/portability";
import { startServer, type RunningServer } from "../helpers/server";

const CORPORA = path.resolve("tests/fixtures/corpora");

let server: RunningServer;
let admin: Client;
let db: Db;
const id = (prefix: string) => db.select().from(incidents).all().find((i) => i.title.startsWith(prefix))!.id;

beforeAll(async () => {
  server = await startServer();
  admin = await setupAdmin(server.url);
  // The server synced the taxonomy at start; the import writes beside it, as `npm run import` would.
  db = openDatabase(server.dbFile);
  for (const sub of ["icco", "danluu", "aiid", "status"]) importMarkdownFiles(db, "public", readMarkdownFolder(path.join(CORPORA, sub)).files, IMPORTER);
  const tinker = fs.readFileSync(path.join(CORPORA, "icco", "b2d4f6a8-1111-4222-8333-44dd55ee66f4.md"), "utf8").replace("categories:", "start_time: 2022-04-01\ncategories:");
  importPublicPostmortem(db, tinker, IMPORTER);
  const v = registerVersion(db, "surge-pricing", versionInputSchema.parse({ version: "7.2" }), IMPORTER).versionId;
  linkVersion(db, id("Ride-hailing surge"), v, "suspected_cause", IMPORTER);
});

afterAll(async () => {
  db?.$client.close();
  await server?.dispose();
});

async function page(pathAndQuery: string): Promise<string> {
  const res = await admin.get(pathAndQuery);
  expect(res.status, pathAndQuery).toBe(200);
  return plain(await res.text());
}

/** React's text separators and Remix's link attribute left out, so the markup reads as written. */
const plain = (html: string) => html.replaceAll("<!-- -->", "").replaceAll(' data-discover="true"', "");

/** The titles linked from the incidents table. */
async function listed(query: string): Promise<string[]> {
  const html = await page(`/incidents?${query}`);
  return [...html.matchAll(/<a href="\/incidents\/\d+">([^<]*)<\/a>/g)].map((m) => m[1].replaceAll("&#x27;", "'").replaceAll("&quot;", '"').replaceAll("&amp;", "&"));
}

describe("the incidents list after an import", () => {
  it("filters by a top-level class (its subclasses included) or a subclass, and by family", async () => {
    const data = await listed("class=data");
    expect(data.sort()).toEqual(["Parcelpath delivery estimates drifted for three weeks", "Ride-hailing surge model mispriced trips after a city-wide transit strike"]);
    expect((await listed("class=change.config-push")).sort()).toEqual([
      "Allsorts: a router rule typo took every edge router down",
      "Edgewright global outage after a generated rules file doubled in size",
    ]);
    const ml = await listed("family=ml");
    expect(ml).toHaveLength(4);
    expect(ml).not.toContain("Edgewright global outage after a generated rules file doubled in size");
  });

  it("filters by model, by source label and to the unclassified, and searches source labels", async () => {
    expect(await listed("model=surge-pricing")).toEqual(["Ride-hailing surge model mispriced trips after a city-wide transit strike"]);
    expect(await listed("label=Security")).toEqual(["Tinkerbox: An expired signing key stopped every login for an afternoon."]);
    expect(await listed("unclassified=1")).toEqual(["Tinkerbox: An expired signing key stopped every login for an afternoon."]);
    expect(await listed("label=api")).toHaveLength(2);
    // No word of the text says "config errors": the danluu section label does.
    expect(await listed("q=config-errors")).toEqual(["Allsorts: a router rule typo took every edge router down"]);
    expect(await listed("class=data&family=non-ml")).toEqual([]);
  });

  it("shows each incident's class, or that it is unclassified", async () => {
    const html = await page("/incidents");
    expect(html).toContain('<a href="/taxonomy/change.config-push">Config pushed out of order or not canaried</a>');
    expect(html).toMatch(/<span class="muted">unclassified<\/span>/);
    expect(html).toContain('<option value="data.natural-drift">');
  });
});

describe("what needs a person", () => {
  it("/taxonomy says how many incidents are unclassified, beside the family share", async () => {
    const html = await page("/taxonomy");
    expect(html).toMatch(/Of 13 confirmed incidents/);
    expect(html).toContain('<a href="/incidents?unclassified=1">1 incident is unclassified</a>');
  });

  it("the incident page shows source labels with their classes, and a suggested start to confirm", async () => {
    const parcel = id("Parcelpath");
    const html = await page(`/incidents/${parcel}`);
    expect(html).toContain("The start time is a suggestion:");
    expect(html).toContain('<a href="/incidents?label=data-drift">data-drift</a> → <a href="/taxonomy/data.natural-drift">data.natural-drift</a>');
    expect(html).toContain("uuid:9c1b7e44-0d2a-4e6f-b3c5-22cc33dd44e3");
    const edge = await page(`/incidents/${id("Edgewright")}`);
    expect(edge).not.toContain("The start time is a suggestion:");
    expect(db.select({ s: incidents.startedAtStatus }).from(incidents).where(eq(incidents.id, parcel)).get()).toEqual({ s: "suggested" });
  });
});
