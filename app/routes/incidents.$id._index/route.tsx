import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, type SerializeFrom } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { z } from "zod";
import { INCIDENT_MODEL_ROLES } from "../../../db/schema";
import { SeverityBadge, StatusBadge, statusLabel } from "~/components/badges";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ImportOrigin } from "~/components/import-origin";
import { DETECTION_LABELS } from "~/components/incident-form";
import { actionInputSchema, actionStatusSchema, addActionItem, listActionItems, setActionStatus } from "~/domain/actions.server";
import { alertsForIncident } from "~/domain/alerts.server";
import { listAudit } from "~/domain/audit.server";
import { REPEAT_WINDOW_DAYS, findRepeats, incidentClassification } from "~/domain/classification.server";
import { durations, getIncident } from "~/domain/incidents.server";
import { nextStatuses } from "~/domain/lifecycle.server";
import { allVersions, incidentVersions, linkVersion, unlinkVersion } from "~/domain/models.server";
import { importOrigin } from "~/domain/portability/provenance.server";
import { listRevisions } from "~/domain/postmortems.server";
import { addTimelineEvent, deleteTimelineEvent, listTimeline, timelineInputSchema } from "~/domain/timeline.server";
import type { loader as rootLoader } from "~/root";
import { actorOf, requireUser } from "~/utils/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatDuration, formatUtc, toDateTimeInput } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { renderMarkdown } from "~/utils/markdown.server";
import { idParam } from "~/utils/params";
import { requireRole } from "~/utils/permissions.server";
import { hasRole } from "~/utils/roles";
import { ActionsSection } from "./actions-section";
import { AlertsSection } from "./alerts-section";
import { ClassificationSection, RepeatCard } from "./classification-section";
import { ModelsSection } from "./models-section";
import { HistorySection, PostmortemSection } from "./postmortem-section";
import { TimelineSection } from "./timeline-section";

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
      owner: row.ownerEmail,
    },
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
    actions: listActionItems(db, id).map((a) => ({ ...a, overdue: a.status === "open" && a.dueAt !== null && a.dueAt < now })),
    revisions: listRevisions(db, id, 10),
    history: listAudit(db, { entity: "incident", entityId: id, limit: 30 }),
    origin: importOrigin(db, id),
    now: toDateTimeInput(now),
  };
}


export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  // Built here, not at module level: it uses server-only schemas that are empty in the browser bundle.
  const intentSchema = z.discriminatedUnion("intent", [
    timelineInputSchema.extend({ intent: z.literal("timeline.add") }),
    z.object({ intent: z.literal("timeline.delete"), eventId: z.coerce.number().int().positive() }),
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
      break;
    case "timeline.delete":
      deleteTimelineEvent(db, id, input.eventId, actor);
      break;
    case "action.add":
      addActionItem(db, id, { title: input.title, owner: input.owner, dueAt: input.dueAt, kind: input.kind }, actor);
      break;
    case "action.status":
      setActionStatus(db, id, input.actionId, input.status, actor);
      break;
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
        {canEdit ? (
          <div className="row">
            <Link className="button secondary" to="edit">
              Edit details
            </Link>
            <Link className="button secondary" to="postmortem">
              {i.postmortemRev ? "Edit postmortem" : "Write postmortem"}
            </Link>
          </div>
        ) : null}
      </div>
      <div className="row">
        <SeverityBadge severity={i.severity} />
        <StatusBadge status={i.status} />
        {i.team ? <span className="badge">team: {i.team}</span> : null}
        {i.source === "webhook" ? <span className="badge">opened by an alert</span> : null}
      </div>

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
            <dt>Owner</dt>
            <dd>{i.owner ?? "—"}</dd>
          </dl>
        </section>
        <section>
          <h2>Summary</h2>
          <p className="card" style={{ whiteSpace: "pre-wrap" }}>{i.summary || "No summary yet."}</p>
          <h2>Impact</h2>
          <p className="card" style={{ whiteSpace: "pre-wrap" }}>{i.impact || "Impact not described yet."}</p>
        </section>
      </div>

      <TimelineSection timeline={timeline} canEdit={canEdit} now={now} result={resultOf("timeline.add")} />
      <ModelsSection versions={data.versions} versionChoices={data.versionChoices} canEdit={canEdit} result={resultOf("model.link")} />
      <AlertsSection alerts={data.alerts} />
      <ActionsSection actions={data.actions} canEdit={canEdit} result={resultOf("action.add")} />
      <PostmortemSection postmortemHtml={data.postmortemHtml} revisions={data.revisions} rev={i.postmortemRev} canEdit={canEdit} />
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
