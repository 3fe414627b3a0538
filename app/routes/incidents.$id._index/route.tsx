import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, type SerializeFrom } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { z } from "zod";
import { INCIDENT_MODEL_ROLES } from "../../../db/schema";
import { SeverityBadge, StatusBadge, statusLabel } from "~/components/badges";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ImportOrigin } from "~/components/import-origin";
import { ActionItemsSection } from "~/components/incident/action-items";
import { AlertsSection } from "~/components/incident/alerts";
import { HistorySection } from "~/components/incident/history";
import { PeoplePanel } from "~/components/incident/people";
import { ReviewPanel } from "~/components/incident/review";
import { ShareLinks } from "~/components/incident/share";
import { TimelineSection } from "~/components/incident/timeline";
import { TriagePanel } from "~/components/incident/triage";
import { DETECTION_LABELS } from "~/components/incident-form";
import { actionInputSchema, actionItemRows, actionStatusSchema, addActionItem, setActionStatus } from "~/domain/actions.server";
import { alertsForIncident } from "~/domain/alert-queries.server";
import { AssignmentError, incidentPeople } from "~/domain/assignments.server";
import { listAudit } from "~/domain/audit.server";
import { REPEAT_WINDOW_DAYS, findRepeats, incidentClassification } from "~/domain/classification.server";
import { describeChange } from "~/domain/history.server";
import { durations, getIncident } from "~/domain/incidents.server";
import { nextStatuses } from "~/domain/lifecycle.server";
import { allVersions, incidentVersions, linkVersion, unlinkVersion } from "~/domain/models.server";
import { importOrigin } from "~/domain/portability/provenance.server";
import { listRevisions } from "~/domain/postmortems.server";
import { reviewView } from "~/domain/reviews.server";
import { addTimelineEvent, listTimeline, timelineInputSchema } from "~/domain/timeline.server";
import type { loader as rootLoader } from "~/root";
import { actorOf, requireUser } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatDuration, formatUtc, toDateTimeInput } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { renderMarkdown } from "~/utils/markdown.server";
import { idParam } from "~/utils/params";
import { requireRole } from "~/web/permissions.server";
import { hasRole } from "~/utils/roles";
import { ClassificationSection, RepeatCard } from "./classification-section";
import { ModelsSection } from "./models-section";
import { PostmortemSection } from "./postmortem-section";

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
    nextStatuses: nextStatuses(incident.status),
    postmortemHtml: incident.postmortemMd ? renderMarkdown(incident.postmortemMd) : null,
    timeline: listTimeline(db, id),
    alerts: alertsForIncident(db, id),
    versions: incidentVersions(db, id),
    versionChoices: hasRole(user, "editor") ? allVersions(db) : [],
    actions: actionItemRows(db, id, now),
    revisions: listRevisions(db, id, 10),
    history: listAudit(db, { entity: "incident", entityId: id, limit: 30 }).map((h) => ({ id: h.id, at: h.at, actor: h.actor, text: describeChange(h.action, h.detail) })),
    origin: importOrigin(db, id),
    now: toDateTimeInput(now),
  };
}


export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  // Built here, not at module level: it uses server-only schemas that are empty in the browser bundle.
  const intentSchema = z.discriminatedUnion("intent", [
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

export type IncidentPageData = SerializeFrom<typeof loader>;
/** A refused form of this page: which form it was, its field errors and what was typed. */
export type FormResult = { errors: Record<string, string>; values: Record<string, string> };

export default function IncidentPage() {
  const data = useLoaderData<typeof loader>();
  const { incident: i, durations: d, nextStatuses: next, timeline, now } = data;
  const result = useActionData<typeof action>();
  const user = useRouteLoaderData<typeof rootLoader>("root")?.user;
  const canEdit = hasRole(user, "editor");
  // A draft an alert opened waits for someone to claim, dismiss or merge it.
  const triage = i.status === "draft" && i.source === "webhook";
  const resultOf = (intent: string): FormResult | undefined =>
    result?.intent === intent ? { errors: result.errors as Record<string, string>, values: result.values } : undefined;
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
      {canEdit && triage ? <TriagePanel incidentId={i.id} alertCount={data.alerts.length} /> : null}

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
        <nav className="row" aria-label="Change status" style={{ marginTop: "1rem" }}>
          <span>Move to:</span>
          {next.map((s) => (
            <Link key={s} to={`status?to=${s}`} className="button secondary">
              {statusLabel(s)}
            </Link>
          ))}
        </nav>
      ) : null}

      <RepeatCard classification={data.classification} repeats={data.repeats} repeatWindowDays={data.repeatWindowDays} />
      <ClassificationSection classification={data.classification} trigger={data.trigger} lifecycleStage={data.lifecycleStage} canEdit={canEdit} />
      <ImportOrigin origin={data.origin} canEdit={canEdit} />

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
          <PeoplePanel incidentId={i.id} owner={data.owner} lead={data.lead} people={data.people} me={user?.id} canEdit={canEdit} claim={!triage} />
        </section>
        <section>
          <h2>Summary</h2>
          <p className="card" style={{ whiteSpace: "pre-wrap" }}>{i.summary || "No summary yet."}</p>
          <h2>Impact</h2>
          <p className="card" style={{ whiteSpace: "pre-wrap" }}>{i.impact || "Impact not described yet."}</p>
        </section>
      </div>

      <TimelineSection incidentId={i.id} timeline={timeline} canEdit={canEdit} now={now} result={result} />
      <ModelsSection versions={data.versions} versionChoices={data.versionChoices} canEdit={canEdit} result={resultOf("model.link")} />
      <AlertsSection incidentId={i.id} alerts={data.alerts} canEdit={canEdit} />
      <ActionItemsSection incidentId={i.id} actions={data.actions} people={data.people} canEdit={canEdit} result={result} />
      <PostmortemSection postmortemHtml={data.postmortemHtml} revisions={data.revisions} rev={i.postmortemRev} canEdit={canEdit} />
      <ReviewPanel incidentId={i.id} {...data.review} people={data.people} me={user?.id} canEdit={canEdit} />
      <HistorySection history={data.history} />
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `#${data.incident.id} ${data.incident.title} · Faultline` : "Incident · Faultline" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
