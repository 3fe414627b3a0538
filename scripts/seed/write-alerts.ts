// Writes the planned alerts in batches, keeping the raw delivery of about one alert in ten.
import type { Db } from "../../db/client";
import { Progress } from "../lib/cli";
import { DAY, fmt, HOUR, MIN, sha256, type SeedCounts } from "./common";
import { PLATFORM_TEAMS, REGIONS } from "./catalogue";
import { deliveryBody, SENDER_HEADERS } from "./alert-payload";
import type { AlertPlan } from "./plan-alerts";
import type { Plan } from "./plan-incidents";
import { liveAt, servingAt, type ModelState } from "./plan-models";
import { mix32, type Rng } from "./rng";
import { RULES } from "./rules";

const BATCH_ALERTS = 10_000;
const SENDERS = [["alertmanager", 65], ["grafana", 25], ["generic", 10]] as const;

export type AlertWorld = { rng: Rng; now: number; seed: number; models: ModelState[]; plans: Plan[]; alertPlan: AlertPlan };

function prepareStatements(sqlite: Db["$client"]) {
  return {
    alert: sqlite.prepare(
      `insert into alerts (id, sender, fingerprint, rule_name, status, severity, labels, annotations, starts_at, ends_at,
       first_received_at, last_received_at, fire_count, delivery_count, incident_id, model_version_id, triage)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    delivery: sqlite.prepare(
      "insert into alert_deliveries (sender, received_at, headers, body, body_hash, token_id, outcome, error, alert_count) values (?, ?, ?, ?, ?, null, 'processed', null, 1)",
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** Alert row r (id r + 1); `salt` keeps fingerprints unique per seed. */
function writeAlert(w: AlertWorld, ins: Statements, counts: SeedCounts, salt: number, r: number): void {
  const { rng, now, models, plans, alertPlan } = w;
  const id = r + 1;
  const rule = RULES[alertPlan.rule[r]];
  const incidentId = alertPlan.incident[r] || null;
  const inc = incidentId ? plans[incidentId - 1] : null;
  // Incidents opened by the webhook carry an Alertmanager group key, so their alerts came from Alertmanager.
  const sender = inc?.source === "webhook" ? "alertmanager" : rng.table(SENDERS);
  const mi = alertPlan.model[r];
  const model = mi >= 0 ? models[mi] : null;
  const starts = alertPlan.start[r];
  const version = model ? (inc?.rollback && inc.model === mi ? liveAt(model, starts) : servingAt(model, starts)) : null;
  const ago = now - starts;
  let firing: boolean;
  if (inc) firing = (inc.status === "draft" || inc.status === "investigating") && rng.chance(0.7);
  else firing = ago < DAY ? rng.chance(0.4) : rng.chance(0.01);
  let ends: number | null = null;
  if (!firing) {
    const d = rng.duration(35 * MIN, 1.2, MIN, 3 * DAY);
    ends = starts + d;
    const cap = inc?.resolvedAt ?? now;
    if (ends > cap) ends = Math.max(starts + MIN, cap);
    if (ends > now) firing = true;
  }
  if (firing) ends = null;
  const firstReceived = Math.min(now, starts + rng.int(5_000, 60_000));
  const lastReceived = firing ? Math.max(firstReceived, now - rng.int(0, 4 * HOUR)) : Math.max(firstReceived, Math.min(now, (ends as number) + rng.int(5_000, 60_000)));
  const noisy = rule.noise >= 10;
  const fireCount = noisy ? 1 + Math.floor(-Math.log(1 - rng.next()) * 6) : rng.chance(0.2) ? rng.int(2, 3) : 1;
  const deliveryCount = fireCount + Math.min(50, Math.floor((lastReceived - firstReceived) / (4 * HOUR))) + (firing ? 0 : 1);
  const team = model ? model.spec.team : PLATFORM_TEAMS.infra;
  const region = rng.pick(REGIONS);
  const labels: Record<string, string> = { alertname: rule.name, severity: rule.severity };
  if (model && version) {
    labels.model = model.spec.name;
    labels.model_version = version.version;
  }
  labels.team = team;
  labels.env = "prod";
  labels.region = region;
  if (sender === "grafana") labels.grafana_folder = "ML production";
  const annotations = {
    summary: fmt(rule.summary, { model: model?.spec.name ?? "shared" }),
    runbook_url: `https://runbooks.example.com/ml/${rule.name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}`,
  };
  const fingerprint = rng.hex(8) + mix32((id ^ salt) >>> 0).toString(16).padStart(8, "0");
  const triage = inc
    ? rng.chance(0.75) ? "actionable" : "unreviewed"
    : ago > 7 * DAY
      ? rng.table([["noise", 50], ["unreviewed", 42], ["actionable", 8]] as const)
      : rng.table([["unreviewed", 85], ["noise", 12], ["actionable", 3]] as const);
  const labelsJson = JSON.stringify(labels);
  const annotationsJson = JSON.stringify(annotations);
  ins.alert.run(
    id, sender, fingerprint, rule.name, firing ? "firing" : "resolved", rule.severity, labelsJson, annotationsJson,
    starts, ends, firstReceived, lastReceived, fireCount, deliveryCount, incidentId, version?.id ?? null, triage,
  );
  counts.alerts++;

  // Keep the raw body of about one alert in ten, as the webhook endpoint would have stored it.
  if (r % 10 === 0) {
    const raw = deliveryBody({ sender, rule, firing, labels, annotations, starts, ends, fingerprint, modelName: model ? model.spec.name : null });
    ins.delivery.run(sender, lastReceived, SENDER_HEADERS[sender], raw, sha256(raw));
    counts.deliveries++;
  }
}

export function writeAlerts(sqlite: Db["$client"], w: AlertWorld, counts: SeedCounts): void {
  const ins = prepareStatements(sqlite);
  const salt = mix32(w.seed ^ 0x9e3779b9);
  const { alertPlan } = w;
  const alertBar = new Progress("alerts");
  for (let i = 0; i < alertPlan.count; i += BATCH_ALERTS) {
    const stop = Math.min(alertPlan.count, i + BATCH_ALERTS);
    sqlite.transaction(() => {
      for (let r = i; r < stop; r++) {
        writeAlert(w, ins, counts, salt, r);
        if ((r & 1023) === 0) alertBar.update(r, alertPlan.count);
      }
    })();
    alertBar.update(stop, alertPlan.count);
  }
}
