import crypto from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { auditLog } from "../../db/schema";
import { formatDate, formatDuration, formatUtc } from "../utils/dates";
import type { Db } from "../utils/db.server";
import { STAGE_LABELS, TRIGGER_LABELS, familyLabel } from "../utils/labels";
import { listActionItems } from "./actions.server";
import { userNames } from "./assignments.server";
import { incidentClassification } from "./classification.server";
import { durations, getIncident } from "./incidents.server";
import { incidentVersions } from "./models.server";
import { listTimeline } from "./timeline.server";

/**
 * A postmortem's first draft, written from what the incident already records. Templates mark where facts go
 * with `<!-- facts: NAME -->`; each becomes a block between `<!-- generated: NAME sha=… -->` and
 * `<!-- /generated: NAME -->`. The sha is of the block as generated, so a refresh rewrites only blocks nobody
 * edited: a person's text, inside a block or outside, is never replaced.
 */
export const FACTS = ["summary", "impact", "times", "timeline", "models", "classification", "actions"] as const;
export type FactName = (typeof FACTS)[number];

const PLACEHOLDER = /^[ \t]*<!--\s*facts:\s*([a-z]+)\s*-->[ \t]*$/gm;
const BLOCK = /<!-- generated: ([a-z]+) sha=([0-9a-f]{12}) [^\n]*-->\n([\s\S]*?)\n?<!-- \/generated: \1 -->/g;

function sha(text: string): string {
  return crypto.createHash("sha256").update(text.trim()).digest("hex").slice(0, 12);
}

function block(name: string, content: string): string {
  return `<!-- generated: ${name} sha=${sha(content)} (written from the incident; refresh rewrites it until you edit it) -->\n${content.trim()}\n<!-- /generated: ${name} -->`;
}

/** Text safe inside one Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\r?\n+/g, " ").replace(/\|/g, "\\|").trim() || "—";
}

/** Each fact of the incident as Markdown. */
export function incidentFacts(db: Db, incidentId: number): Record<FactName, string> {
  const row = getIncident(db, incidentId);
  if (!row) throw new Response("Incident not found", { status: 404 });
  const i = row.incident;
  const d = durations(i);
  const since = (ms: number | null) => (ms === null ? "—" : formatDuration(ms));
  const times = [
    "| Milestone | Time (UTC) | Since start |",
    "|---|---|---|",
    `| Started | ${formatUtc(i.startedAt)} | — |`,
    `| Detected | ${formatUtc(i.detectedAt)} | ${since(d.toDetect)} |`,
    `| Mitigated | ${formatUtc(i.mitigatedAt)} | ${since(d.toMitigate)} |`,
    `| Resolved | ${formatUtc(i.resolvedAt)} | ${since(d.toResolve)} |`,
  ].join("\n");

  // Entries (alert firings and resolves among them) and status changes, in time order.
  const statusChanges = db
    .select({ at: auditLog.at, detail: auditLog.detail, actor: auditLog.actorLabel })
    .from(auditLog)
    .where(and(eq(auditLog.entity, "incident"), eq(auditLog.entityId, String(incidentId)), eq(auditLog.action, "status")))
    .orderBy(asc(auditLog.at))
    .all()
    .map((a) => {
      const { from, to } = JSON.parse(a.detail) as { from: string; to: string };
      return { at: a.at, kind: "status", body: `Status: ${from.replaceAll("_", " ")} → ${to.replaceAll("_", " ")}`, by: a.actor };
    });
  const entries = [
    ...listTimeline(db, incidentId).map((e) => ({ at: e.at, kind: e.kind, body: e.body, by: e.author ?? "alert" })),
    ...statusChanges,
  ].sort((a, b) => a.at - b.at);
  const timeline = entries.length
    ? ["| Time (UTC) | Kind | What happened |", "|---|---|---|", ...entries.map((e) => `| ${formatUtc(e.at)} | ${e.kind} | ${cell(e.body)} |`)].join("\n")
    : "_No timeline entries yet: add them on the incident page, then refresh this block._";

  const versions = incidentVersions(db, incidentId);
  const models = versions.length
    ? versions.map((v) => `- **${v.model}** ${v.version} (${v.status.replaceAll("_", " ")}): ${v.role.replaceAll("_", " ")}`).join("\n")
    : "_No model versions linked._";

  const cls = incidentClassification(db, incidentId);
  const classification = cls.primary
    ? [
        `- Primary class: **${cls.primary.parentName ? `${cls.primary.parentName} › ` : ""}${cls.primary.name}** (${familyLabel(cls.primary.family) || "unclassified family"}${i.classStatus === "suggested" ? ", suggested, not yet confirmed" : ""})`,
        `- Contributing: ${cls.contributing.map((c) => c.name).join(", ") || "none"}`,
        `- Factors: ${cls.factors.map((f) => f.name).join(", ") || "none"}`,
        `- Trigger: ${i.trigger ? TRIGGER_LABELS[i.trigger] : "not set"}; lifecycle stage: ${i.lifecycleStage ? STAGE_LABELS[i.lifecycleStage] : "not set"}`,
      ].join("\n")
    : "_Not classified yet: classify the incident, then refresh this block._";

  const items = listActionItems(db, incidentId);
  const assignees = userNames(db, items.map((a) => a.assigneeId));
  const actions = items.length
    ? [
        "| Action | Kind | Owner | Due | Status |",
        "|---|---|---|---|---|",
        ...items.map((a) => `| ${cell(a.title)} | ${a.kind} | ${cell((a.assigneeId !== null ? assignees.get(a.assigneeId) : null) ?? a.owner)} | ${formatDate(a.dueAt)} | ${a.status.replace("_", " ")} |`),
      ].join("\n")
    : "_No action items yet: add them on the incident page, then refresh this block._";

  return {
    summary: i.summary.trim() || "_No summary recorded yet._",
    impact: i.impact.trim() || "_No impact recorded yet._",
    times,
    timeline,
    models,
    classification,
    actions,
  };
}

/** A template with its `<!-- facts: NAME -->` placeholders replaced by generated blocks. */
export function fillTemplate(template: string, facts: Record<FactName, string>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => ((FACTS as readonly string[]).includes(name) ? block(name, facts[name as FactName]) : whole));
}

export type Refresh = { markdown: string; refreshed: string[]; kept: string[] };

/** Rewrites the generated blocks nobody edited with today's facts; edited blocks are kept and named. */
export function refreshGenerated(markdown: string, facts: Record<FactName, string>): Refresh {
  const refreshed: string[] = [];
  const kept: string[] = [];
  const out = markdown.replace(BLOCK, (whole, name: string, hash: string, content: string) => {
    if (!(FACTS as readonly string[]).includes(name)) return whole;
    if (sha(content) !== hash) {
      kept.push(name);
      return whole;
    }
    refreshed.push(name);
    return block(name, facts[name as FactName]);
  });
  return { markdown: out, refreshed, kept };
}

/** Names of the generated blocks a write-up still holds. */
export function generatedBlocks(markdown: string): string[] {
  return [...markdown.matchAll(BLOCK)].map((m) => m[1]);
}
