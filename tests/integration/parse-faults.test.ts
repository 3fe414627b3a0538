import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LinkError, parseDeliveryBody, replayDelivery, storeUnappliedDelivery } from "~/domain/alerts.server";
import type { Actor } from "~/domain/audit.server";
import { makeTestDb, type TestDb } from "../helpers/db";
import { thrown } from "../helpers/portability";

// A parser with a bug: it throws a TypeError (not a WebhookParseError) on bodies marked "crash", while `broken` holds.
const parser = vi.hoisted(() => ({ broken: true }));
vi.mock("~/webhooks/index", async (importOriginal) => {
  const original = await importOriginal<typeof import("~/webhooks/index")>();
  return {
    ...original,
    parseWebhook: (...args: Parameters<typeof original.parseWebhook>) => {
      if (parser.broken && (args[1] as { crash?: boolean })?.crash) throw new TypeError("Cannot read properties of undefined (reading 'labels')");
      return original.parseWebhook(...args);
    },
  };
});

const ADMIN: Actor = { id: null, label: "ada@example.com" };
const headers = { "content-type": "application/json" };
const crashing = JSON.stringify({ crash: true, alerts: [{ name: "FeatureNullRate", status: "firing", fingerprint: "nulls" }] });

let t: TestDb;
beforeEach(() => {
  t = makeTestDb();
  parser.broken = true;
});
afterEach(() => t.cleanup());

const deliveryRow = (id: number) => t.db.$client.prepare("select outcome, error from alert_deliveries where id = ?").get(id);

describe("a body is judged the same way by ingest and by replay", () => {
  it("tells a body at fault from a fault in the parser", () => {
    expect(parseDeliveryBody("generic", '{"alerts": [')).toEqual({ invalid: "Body is not valid JSON." });
    expect(parseDeliveryBody("generic", '{"alerts":"x"}')).toEqual({ invalid: "alerts: must be an array" });
    expect(parseDeliveryBody("generic", crashing)).toEqual({ fault: "Cannot read properties of undefined (reading 'labels')" });
    parser.broken = false;
    expect(parseDeliveryBody("generic", crashing)).toMatchObject({ events: [{ fingerprint: "nulls", status: "firing" }] });
  });

  it("a replay that hits a parser fault leaves the delivery failed, so it can be replayed once the parser is fixed", () => {
    const id = storeUnappliedDelivery(t.db, { sender: "generic", headers, body: crashing, tokenId: null }, "failed", "parser crashed");
    const e = thrown(() => replayDelivery(t.db, id, ADMIN));
    expect(e).toBeInstanceOf(LinkError);
    expect(e.message).toBe(`Delivery ${id} cannot be applied: Cannot read properties of undefined (reading 'labels')`);
    expect(deliveryRow(id)).toEqual({ outcome: "failed", error: "Cannot read properties of undefined (reading 'labels')" });
    expect(t.db.$client.prepare("select count(*) as n from alerts").get()).toEqual({ n: 0 });

    parser.broken = false;
    expect(replayDelivery(t.db, id, ADMIN)).toMatchObject({ alerts: 1 });
    expect(deliveryRow(id)).toEqual({ outcome: "processed", error: null });
  });
});
