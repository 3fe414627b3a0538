import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";

/** The empty incident list of a new install: the three ways to get going. */
export function GettingStarted({ webhookUrl, hasWebhookToken, canEdit, isAdmin }: { webhookUrl: string; hasWebhookToken: boolean; canEdit: boolean; isAdmin: boolean }) {
  const snippet = `receivers:
  - name: faultline
    webhook_configs:
      - url: '${webhookUrl}'
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: '<your Faultline webhook token>'`;
  const [copied, setCopied] = useState<boolean | null>(null);
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <section className="card getting-started" aria-label="Getting started">
      <h2>No incidents yet: start here</h2>
      <ol>
        <li>
          <b>Record one by hand.</b>{" "}
          {canEdit ? <Link to="/incidents/new">Create an incident</Link> : "Ask an editor to create one."} and write its postmortem; the first draft is written from what
          you enter.
        </li>
        <li>
          <b>Let alerts open drafts.</b> {hasWebhookToken ? "A webhook token exists." : isAdmin ? <><Link to="/settings/tokens">Create a webhook token</Link> (Settings → API tokens, scope webhook; it is shown once).</> : "An admin creates a webhook token under Settings → API tokens."}{" "}
          Then add this receiver to <code>alertmanager.yml</code> and route alerts to it:
          <pre className="snippet">{snippet}</pre>
          {hydrated ? (
            <button
              type="button"
              className="secondary"
              onClick={() => navigator.clipboard.writeText(snippet).then(() => setCopied(true), () => setCopied(false))}
            >
              Copy snippet
            </button>
          ) : null}{" "}
          {copied === true ? <span role="status">Copied.</span> : copied === false ? <span role="status">Select the text and copy it.</span> : null}
        </li>
        <li>
          <b>Or look around with demo data.</b> Stop the app and run <code>npm run seed</code> on an empty database: 150 realistic incidents, alerts and
          models, and a demo admin.
        </li>
      </ol>
    </section>
  );
}
