import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { z } from "zod";
import { INCIDENT_MODEL_ROLES, INCIDENT_STATUSES } from "../../db/schema";
import { SeverityBadge, StatusBadge, statusLabel } from "~/components/badges";
import { CsrfInput } from "~/components/csrf";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/field";
import { FamilyBadge } from "~/components/family-badge";
import { DETECTION_LABELS } from "~/components/incident-form";
import { ActionItemsSection } from "~/components/incident/action-items";
import { AlertsSection } from "~/components/incident/alerts";
import { HistorySection } from "~/components/incident/history";
import { PeoplePanel } from "~/components/incident/people";
import { ReviewPanel } from "~/components/incident/review";
import { ShareLinks } from "~/components/incident/share";
import { TimelineSection } from "~/components/incident/timeline";
import { TriagePanel } from "~/components/incident/triage";
import { AssignmentError, incidentPeople } from "~/domain/assignments.server";
import { describeChange } from "~/domain/history.server";
import { reviewView } from "~/domain/reviews.server";
import { actionInputSchema, actionItemRows, actionStatusSchema, addActionItem, setActionStatus } from "~/domain/actions.server";
import { alertsForIncident } from "~/domain/alerts.server";
import { listAudit } from "~/domain/audit.server";
import { REPEAT_WINDOW_DAYS, findRepeats, incidentClassification } from "~/domain/classification.server";
import { TransitionError, canTransition, changeStatus, durations, getIncident } from "~/domain/incidents.server";
import { allVersions, incidentVersions, linkVersion, unlinkVersion } from "~/domain/models.server";
import { listRevisions } from "~/domain/postmortems.server";
import { addTimelineEvent, listTimeline, timelineInputSchema } from "~/domain/timeline.server";
import type { loader as rootLoader } from "~/root";
import { actorOf, requireUser } from "~/utils/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatDate, formatDuration, formatUtc, toDateTimeInput } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { renderMarkdown } from "~/utils/markdown.server";
import { idParam } from "~/utils/params";
import { requireRole } from "~/utils/permissions.server";
import { STAGE_LABELS, TRIGGER_LABELS } from "~/utils/labels";
import { hasRole } from "~/utils/roles";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const id = idParam(params.id);
  const row = getIncident(db, id);
  if (!row) throw new Response("Incident not found", { status: 404 });
  const { incident } = row;
  const now = Date.now();
  return {
    incident: {
      id: incident.id,
      title: incident.title,
      status: incident.status,
      severity: incident.severity,
      team: incident.team,
      summary: incident.summary,
      impact: incident.impact,
      detectionSource: incident.detectionSource,
      startedAt: incident.startedAt,
      detectedAt: incident.detectedAt,
      mitigatedAt: incident.mitigatedAt,
      resolvedAt: incident.resolvedAt,
      source: incident.source,
      postmortemRev: incident.postmortemRev,
    },
    ...incidentPeople(db, incident.ownerId, incident.leadId),
    review: reviewView(db, id),
    durations: durations(incident),
    classification: incidentClassification(db, id),
    trigger: incident.trigger,
    lifecycleStage: incident.lifecycleStage,
    repeats: findRepeats(db, id),
    repeatWindowDays: REPEAT_WINDOW_DAYS,
    nextStatuses: INCIDENT_STATUSES.filter((s) => s !== incident.status && canTransition(incident.status, s)),
    postmortemHtml: incident.postmortemMd ? renderMarkdown(incident.postmortemMd) : null,
    timeline: listTimeline(db, id),
    alerts: alertsForIncident(db, id),
    versions: incidentVersions(db, id),
    versionChoices: hasRole(user, "editor") ? allVersions(db) : [],
    actions: actionItemRows(db, id, now),
    revisions: listRevisions(db, id, 10),
    history: listAudit(db, { entity: "incident", entityId: id, limit: 30 }).map((h) => ({ id: h.id, at: h.at, actor: h.actor, text: describeChange(h.action, h.detail) })),
    now: toDateTimeInput(now),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  // Built here, not at module level: it uses server-only schemas that are empty in the browser bundle.
  const intentSchema = z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("status"), status: z.enum(INCIDENT_STATUSES, { message: "Unknown status." }) }),
    timelineInputSchema.extend({ intent: z.literal("timeline.add") }),
    actionInputSchema.extend({ intent: z.literal("action.add") }),
    z.object({ intent: z.literal("action.status"), actionId: z.coerce.number().int().positive(), status: actionStatusSchema }),
    z.object({
      intent: z.enum(["model.link", "model.unlink"]),
      versionId: z.coerce.number({ message: "Pick a model version." }).int().positive("Pick a model version."),
      role: z.enum(INCIDENT_MODEL_ROLES, { message: "Pick the version's role." }),
    }),
  ]);
  const id = idParam(params.id);
  const values = formObject(await readForm(request));
  const parsed = intentSchema.safeParse(values);
  if (!parsed.success) {
    return json({ intent: values.intent ?? "", errors: fieldErrors(parsed.error), values }, { status: 400 });
  }
  const db = getDb();
  const actor = actorOf(user);
  const input = parsed.data;
  switch (input.intent) {
    case "status":
      try {
        changeStatus(db, id, input.status, actor);
      } catch (e) {
        if (!(e instanceof TransitionError)) throw e;
        return json({ intent: input.intent, errors: { form: e.message }, values }, { status: 400 });
      }
      break;
    case "timeline.add":
      addTimelineEvent(db, id, { at: input.at, kind: input.kind, body: input.body }, actor);
      return redirect(`/incidents/${id}#timeline`);
    case "action.add":
      try {
        addActionItem(db, id, { title: input.title, owner: input.owner, assigneeId: input.assigneeId, dueAt: input.dueAt, kind: input.kind }, actor);
      } catch (e) {
        if (!(e instanceof AssignmentError)) throw e;
        return json({ intent: input.intent, errors: { assigneeId: e.message }, values }, { status: 400 });
      }
      return redirect(`/incidents/${id}#actions`);
    case "action.status":
      setActionStatus(db, id, input.actionId, input.status, actor);
      return redirect(`/incidents/${id}#action-${input.actionId}`);
    case "model.link":
      linkVersion(db, id, input.versionId, input.role, actor);
      break;
    case "model.unlink":
      unlinkVersion(db, id, input.versionId, input.role, actor);
      break;
  }
  return redirect(`/incidents/${id}`);
}

export default function IncidentPage() {
  const { incident: i, durations: d, nextStatuses: next, classification: cls, trigger, lifecycleStage, repeats, repeatWindowDays, postmortemHtml, timeline, alerts, versions, versionChoices, actions, revisions, history, now, owner, lead, people, review } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const user = useRouteLoaderData<typeof rootLoader>("root")?.user;
  const canEdit = hasRole(user, "editor");
  const triage = i.status === "draft" && i.source === "webhook";
  const errorsFor = (intent: string) => (result?.intent === intent ? (result.errors as Record<string, string>) : undefined);
  return (
    <>
      <p>
        <Link to="/incidents">← Incidents</Link>
      </p>
      <div className="spread">
        <h1>
          #{i.id} {i.title}
        </h1>
        <div className="row no-print">
          <ShareLinks incidentId={i.id} />
          {canEdit ? (
            <>
              <Link className="button secondary" to="edit">
                Edit details
              </Link>
              <Link className="button secondary" to="postmortem">
                {i.postmortemRev ? "Edit postmortem" : "Write postmortem"}
              </Link>
            </>
          ) : null}
        </div>
      </div>
      <div className="row">
        <SeverityBadge severity={i.severity} />
        <StatusBadge status={i.status} />
        {i.team ? <span className="badge">team: {i.team}</span> : null}
        {i.source === "webhook" ? <span className="badge">opened by an alert</span> : null}
      </div>
      {canEdit && triage ? <TriagePanel incidentId={i.id} alertCount={alerts.length} /> : null}

      <section aria-label="Durations" className="metrics" style={{ marginTop: "1rem" }}>
        <div className="metric">
          <b>{formatDuration(d.toDetect)}</b>
          <span>time to detect</span>
        </div>
        <div className="metric">
          <b>{formatDuration(d.toMitigate)}</b>
          <span>time to mitigate</span>
        </div>
        <div className="metric">
          <b>{formatDuration(d.toResolve)}</b>
          <span>time to resolve</span>
        </div>
      </section>

      {canEdit && next.length ? (
        <Form method="post" className="row" style={{ marginTop: "1rem" }} preventScrollReset>
          <CsrfInput />
          <input type="hidden" name="intent" value="status" />
          <span>Move to:</span>
          {next.map((s) => (
            <button key={s} type="submit" name="status" value={s} className="secondary">
              {statusLabel(s)}
            </button>
          ))}
          <FormError error={errorsFor("status")?.form ?? errorsFor("status")?.status} />
        </Form>
      ) : null}

      {repeats.length ? (
        <section className="card repeat" aria-label="Repeat incident">
          <h2 style={{ marginTop: 0 }}>Repeat: this class hit before</h2>
          <p>
            {cls.primary?.name} already caused {repeats.length} incident{repeats.length === 1 ? "" : "s"} on the same team or
            model in the {repeatWindowDays} days before this one.
          </p>
          <ul>
            {repeats.map((r) => (
              <li key={r.id}>
                <Link to={`/incidents/${r.id}`}>
                  #{r.id} {r.title}
                </Link>{" "}
                <small className="muted">
                  {formatDate(r.startedAt)} · same {[r.sameTeam && "team", r.sameModel && "model"].filter(Boolean).join(" and ")}
                </small>
                {r.openActions.length ? (
                  <ul>
                    {r.openActions.map((a) => (
                      <li key={a.id}>
                        Already paid for, still open: <b>{a.title}</b> {a.owner ? `(${a.owner})` : ""}{" "}
                        {a.dueAt ? <span className={a.dueAt < Date.now() ? "overdue" : undefined}>due {formatDate(a.dueAt)}</span> : null}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section>
        <div className="spread">
          <h2>Classification</h2>
          {canEdit ? (
            <Link to="classify" className="no-print">
              {cls.primary ? "Change classification" : "Classify"}
            </Link>
          ) : null}
        </div>
        {cls.primary ? (
          <dl className="facts card">
            <dt>Primary class</dt>
            <dd>
              <Link to={`/taxonomy/${cls.primary.id}`} className={cls.primary.status === "retired" ? "retired" : undefined}>
                {cls.primary.parentName ? `${cls.primary.parentName} › ` : ""}
                {cls.primary.name}
              </Link>{" "}
              <FamilyBadge family={cls.primary.family} />
            </dd>
            <dt>Contributing</dt>
            <dd>
              {cls.contributing.length
                ? cls.contributing.map((c, n) => (
                    <span key={c.id}>
                      {n ? ", " : ""}
                      <Link to={`/taxonomy/${c.id}`}>{c.name}</Link> <FamilyBadge family={c.family} />
                    </span>
                  ))
                : "—"}
            </dd>
            <dt>Factors</dt>
            <dd>{cls.factors.length ? cls.factors.map((f) => f.name).join(", ") : "—"}</dd>
            <dt>Trigger</dt>
            <dd>{trigger ? TRIGGER_LABELS[trigger] : "—"}</dd>
            <dt>Lifecycle stage</dt>
            <dd>{lifecycleStage ? STAGE_LABELS[lifecycleStage] : "—"}</dd>
          </dl>
        ) : (
          <p className="card">Not classified yet.</p>
        )}
      </section>

      <div className="two-col">
        <section>
          <h2>Details</h2>
          <dl className="facts card">
            <dt>Started</dt>
            <dd>{formatUtc(i.startedAt)}</dd>
            <dt>Detected</dt>
            <dd>{formatUtc(i.detectedAt)}</dd>
            <dt>Mitigated</dt>
            <dd>{formatUtc(i.mitigatedAt)}</dd>
            <dt>Resolved</dt>
            <dd>{formatUtc(i.resolvedAt)}</dd>
            <dt>Detected by</dt>
            <dd>{i.detectionSource ? DETECTION_LABELS[i.detectionSource] : "—"}</dd>
          </dl>
          <PeoplePanel incidentId={i.id} owner={owner} lead={lead} people={people} me={user?.id} canEdit={canEdit} claim={!triage} />
        </section>
        <section>
          <h2>Summary</h2>
          <p className="card" style={{ whiteSpace: "pre-wrap" }}>{i.summary || "No summary yet."}</p>
          <h2>Impact</h2>
          <p className="card" style={{ whiteSpace: "pre-wrap" }}>{i.impact || "Impact not described yet."}</p>
        </section>
      </div>

      <TimelineSection incidentId={i.id} timeline={timeline} canEdit={canEdit} now={now} result={result} />

      <section>
        <h2>Model versions</h2>
        {versions.length ? (
          <table>
            <thead>
              <tr>
                <th>Model</th>
                <th>Version</th>
                <th>Role in this incident</th>
                {canEdit ? <th /> : null}
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={`${v.versionId}-${v.role}`}>
                  <td>
                    <Link to={`/models/${encodeURIComponent(v.model)}`}>{v.model}</Link>
                  </td>
                  <td>
                    <Link to={`/models/${encodeURIComponent(v.model)}/${encodeURIComponent(v.version)}`}>{v.version}</Link>{" "}
                    <small className="muted">{v.status.replace("_", " ")}</small>
                  </td>
                  <td>{v.role.replaceAll("_", " ")}</td>
                  {canEdit ? (
                    <td>
                      <Form method="post">
                        <CsrfInput />
                        <input type="hidden" name="intent" value="model.unlink" />
                        <input type="hidden" name="versionId" value={v.versionId} />
                        <button type="submit" name="role" value={v.role} className="link">
                          Unlink
                        </button>
                      </Form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No model versions linked.</p>
        )}
        {canEdit && versionChoices.length ? (
          <Form method="post" className="row card" style={{ marginTop: "0.6rem" }} aria-label="Link a model version">
            <CsrfInput />
            <input type="hidden" name="intent" value="model.link" />
            <select name="versionId" aria-label="Model version" defaultValue="">
              <option value="">Model version…</option>
              {versionChoices.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.model} {v.version} ({v.status.replace("_", " ")})
                </option>
              ))}
            </select>
            <select name="role" aria-label="Role" defaultValue="suspected_cause">
              {INCIDENT_MODEL_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r.replaceAll("_", " ")}
                </option>
              ))}
            </select>
            <button type="submit" className="secondary">
              Link version
            </button>
            <FormError error={errorsFor("model.link")?.versionId ?? errorsFor("model.link")?.role} />
          </Form>
        ) : null}
      </section>

      <AlertsSection incidentId={i.id} alerts={alerts} canEdit={canEdit} />

      <ActionItemsSection incidentId={i.id} actions={actions} people={people} canEdit={canEdit} result={result} />

      <section id="postmortem">
        <div className="spread">
          <h2>Postmortem</h2>
          {revisions.length ? (
            <span className="muted">
              revision {i.postmortemRev}, saved {formatUtc(revisions[0].createdAt)} by {revisions[0].author ?? "unknown"}
            </span>
          ) : null}
        </div>
        {postmortemHtml ? (
          <article className="prose" dangerouslySetInnerHTML={{ __html: postmortemHtml }} />
        ) : (
          <p className="card">
            No write-up yet.{" "}
            {canEdit ? <Link to="postmortem">Start one from a template.</Link> : null}
          </p>
        )}
        {revisions.length > 1 ? (
          <details>
            <summary>Earlier revisions</summary>
            <ul>
              {revisions.map((r) => (
                <li key={r.rev}>
                  <Link to={`revisions/${r.rev}`}>revision {r.rev}</Link> · {formatUtc(r.createdAt)} · {r.author ?? "unknown"} · {r.chars} characters
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </section>

      <ReviewPanel incidentId={i.id} {...review} people={people} me={user?.id} canEdit={canEdit} />

      <HistorySection history={history} />
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `#${data.incident.id} ${data.incident.title} · Faultline` : "Incident · Faultline" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
