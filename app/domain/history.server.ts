import { formatDate, formatUtc } from "../utils/dates";
import { statusLabel } from "../utils/labels";

type Detail = Record<string, unknown>;


const FIELD_LABELS: Record<string, string> = {
  title: "title",
  severity: "severity",
  team: "team",
  summary: "summary",
  impact: "impact",
  detectionSource: "detected by",
  startedAt: "start time",
  detectedAt: "detected time",
  mitigatedAt: "mitigated time",
  resolvedAt: "resolved time",
  owner: "owner (text)",
  dueAt: "due date",
  kind: "kind",
  at: "time",
  body: "text",
};
const TIME_FIELDS = new Set(["startedAt", "detectedAt", "mitigatedAt", "resolvedAt", "at"]);

function value(field: string, v: unknown): string {
  if (v === null || v === undefined || v === "") return "empty";
  if (TIME_FIELDS.has(field) && typeof v === "number") return formatUtc(v);
  if (field === "dueAt" && typeof v === "number") return formatDate(v);
  const text = String(v);
  return text.length > 80 ? `“${text.slice(0, 77)}…”` : `“${text}”`;
}

function changes(changed: unknown): string {
  const entries = Object.entries((changed ?? {}) as Record<string, [unknown, unknown]>);
  if (!entries.length) return "nothing changed";
  return entries.map(([k, [from, to]]) => `${FIELD_LABELS[k] ?? k} ${value(k, from)} → ${value(k, to)}`).join("; ");
}

function timeStamps(before: Detail, after: Detail): string[] {
  return (["detectedAt", "mitigatedAt", "resolvedAt"] as const)
    .filter((k) => after && after[k] !== undefined && before?.[k] !== after[k])
    .map((k) => (after[k] === null ? `${FIELD_LABELS[k]} cleared (was ${value(k, before?.[k])})` : `${FIELD_LABELS[k]} set to ${value(k, after[k])}`));
}

/** One audit entry of an incident as a sentence a person reads ("Status: in review → closed; resolved time set to …"). */
export function describeChange(action: string, detailJson: string): string {
  let d: Detail;
  try {
    d = JSON.parse(detailJson) as Detail;
  } catch {
    return action;
  }
  const s = (k: string) => String(d[k] ?? "");
  switch (action) {
    case "create":
      return `Created “${s("title")}” (${s("severity")})`;
    case "update":
      return `Details: ${changes(d.changed)}`;
    case "status":
      return [`Status: ${statusLabel(s("from"))} → ${statusLabel(s("to"))}`, ...timeStamps(d.before as Detail, d.after as Detail)].join("; ");
    case "severity":
      return `Severity raised to ${s("to")} by an alert`;
    case "alerts":
      return `Alerts changed state (${s("alerts")} rule${d.alerts === 1 ? "" : "s"})`;
    case "timeline.add":
      return `Timeline: added a ${s("kind")} entry`;
    case "timeline.edit": {
      const before = d.before as Detail;
      const after = d.after as Detail;
      const changed = Object.fromEntries(Object.keys(after ?? {}).filter((k) => before?.[k] !== after[k]).map((k) => [k, [before?.[k], after[k]]]));
      return `Timeline entry edited: ${changes(changed)}`;
    }
    case "timeline.delete":
      return `Timeline entry deleted (${value("at", d.at)}, ${s("kind") || "entry"}): ${value("body", d.body)}`;
    case "action.add":
      return `Action item added: ${value("title", d.title)}`;
    case "action.edit":
      return `Action item ${value("title", d.title)} edited: ${changes(d.changed)}`;
    case "action.status":
      return `Action item #${s("action")}: ${s("from").replace("_", " ")} → ${s("to").replace("_", " ")}`;
    case "action.delete":
      return `Action item deleted: ${value("title", d.title)}`;
    case "action.assign":
      return d.to === null ? `Action item ${value("title", d.title)} unassigned` : `Action item ${value("title", d.title)} assigned to ${s("name")}`;
    case "assign":
      return d.to === null ? `${s("role") === "lead" ? "Incident lead" : "Owner"} removed` : `${s("role") === "lead" ? "Incident lead" : "Owner"}: ${s("name")}`;
    case "model.link":
      return `Model version linked as ${s("role").replaceAll("_", " ")}`;
    case "model.unlink":
      return `Model version unlinked (${s("role").replaceAll("_", " ")})`;
    case "postmortem":
      return `Postmortem saved: revision ${s("rev")} (${Number(d.chars ?? 0).toLocaleString("en-US")} characters)`;
    case "classify": {
      const after = (d.after ?? {}) as Detail;
      return `Classified: primary ${value("class", after.primary)}`;
    }
    case "review.request":
      return `Review requested from ${s("name")}`;
    case "review.decide":
      return d.verdict === "approved" ? "Review: approved" : "Review: changes requested";
    case "comment":
      return `Commented${Array.isArray(d.mentions) && d.mentions.length ? `, mentioning ${(d.mentions as string[]).join(", ")}` : ""}`;
    case "merge":
      return d.into !== undefined
        ? `Merged into #${s("into")} ${value("title", d.intoTitle)}`
        : `Merged draft #${s("from")} ${value("title", d.fromTitle)} into this incident: ${s("alerts")} alerts, ${s("timeline")} timeline entries moved`;
    case "alerts.move":
      return `${(d.alerts as unknown[] | undefined)?.length ?? 0} alert(s) moved to #${s("to")}`;
    case "dismiss":
      return `Dismissed as noise (${(d.alerts as unknown[] | undefined)?.length ?? 0} alerts)`;
    case "import":
      return `Imported (${s("format")}, ${s("outcome")})`;
    default:
      return action;
  }
}
