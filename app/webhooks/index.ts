import { parseAlertmanager } from "./alertmanager";
import { parseGeneric } from "./generic";
import { parseGrafana } from "./grafana";
import { parsePagerDuty } from "./pagerduty";
import { SENDERS, type AlertEvent, type ParseOptions, type Sender } from "./types";

export { parseAlertmanager, parseGeneric, parseGrafana, parsePagerDuty };
export { stableFingerprint } from "./fingerprint";
export { verifyGrafanaSignature, verifyPagerDutySignature } from "./signatures";
export { SENDERS, WebhookParseError, type AlertEvent, type ParseOptions, type Sender } from "./types";

export function isSender(s: string): s is Sender {
  return (SENDERS as readonly string[]).includes(s);
}

/** Parses a sender's JSON body into normalized events; throws WebhookParseError on a bad body. */
export function parseWebhook(sender: Sender, body: unknown, options?: ParseOptions): AlertEvent[] {
  switch (sender) {
    case "alertmanager":
      return parseAlertmanager(body, options);
    case "grafana":
      return parseGrafana(body, options);
    case "pagerduty":
      return parsePagerDuty(body);
    case "generic":
      return parseGeneric(body, options);
  }
}
