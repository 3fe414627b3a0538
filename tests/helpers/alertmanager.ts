import { startAlertmanagerProcess, type AlertmanagerProcess } from "../../scripts/lib/alertmanager-process";

export type RunningAlertmanager = AlertmanagerProcess;
export { alertmanagerMissing } from "../../scripts/lib/tools";

/** Starts Alertmanager routing every alert to one webhook receiver. Short group timings keep the test quick. */
export async function startAlertmanager(opts: { webhookUrl: string; token: string; repeatInterval?: string }): Promise<RunningAlertmanager> {
  return startAlertmanagerProcess(`
route:
  receiver: faultline
  group_by: ['alertname', 'model']
  group_wait: 1s
  group_interval: 2s
  repeat_interval: ${opts.repeatInterval ?? "1h"}
receivers:
  - name: faultline
    webhook_configs:
      - url: '${opts.webhookUrl}'
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: '${opts.token}'
`);
}

/** Injects alerts through Alertmanager's API v2, as Prometheus would. */
export async function postAlerts(amUrl: string, alerts: unknown[]): Promise<void> {
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(alerts),
  });
  if (!res.ok) throw new Error(`alertmanager refused alerts: ${res.status} ${await res.text()}`);
}
