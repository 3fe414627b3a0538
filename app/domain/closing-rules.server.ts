import path from "node:path";
import { z } from "zod";
import { INCIDENT_STATUSES, SEVERITIES, type Incident } from "../../db/schema";
import { CONTENT_DIR, ContentError, readContentFile } from "../utils/content.server";
import type { Conn } from "../utils/db.server";
import { reviewApproval } from "./reviews.server";

/** What a closing rule may look at: the incident as it stands before it closes. */
export type ClosingFacts = Pick<Incident, "id" | "status" | "severity" | "resolvedAt" | "primaryClassId" | "classStatus" | "postmortemMd">;

type Requirement = {
  /** Shown as a checklist line before closing. */
  label: string;
  /** Completes "Cannot close: …" when the requirement is not met. */
  missing: string;
  /** Where a person fixes it: a path relative to the incident page, and the link text. */
  fix: { path: string; text: string };
  met: (incident: ClosingFacts, tx: Conn) => boolean;
};

/** The things a closing rule can require; a new rule kind is one more entry here and a name in the rules file. */
const REQUIREMENTS = {
  resolved: {
    label: "Resolved (with its resolved time) before closing",
    missing: "it was never marked resolved; move it to resolved first, with the time it was resolved",
    fix: { path: "status?to=resolved", text: "Move it to resolved" },
    met: (i) => i.resolvedAt !== null && (i.status === "resolved" || i.status === "in_review"),
  },
  confirmed_class: {
    label: "A confirmed primary class",
    missing: "its primary class is not confirmed; classify it (a suggestion does not count)",
    fix: { path: "classify", text: "Classify it" },
    met: (i) => i.primaryClassId !== null && i.classStatus === "confirmed",
  },
  postmortem: {
    label: "A postmortem",
    missing: "it has no postmortem; write one",
    fix: { path: "postmortem", text: "Write the postmortem" },
    met: (i) => i.postmortemMd.trim() !== "",
  },
  approval: {
    label: "An approved review (at least one approval, no changes still asked for)",
    missing: "its review is not approved: a reviewer must approve it, and every request for changes must be answered by an approval",
    fix: { path: "#review", text: "See the review" },
    met: (i, tx) => reviewApproval(tx, i.id).ok,
  },
} satisfies Record<string, Requirement>;

export type RequirementName = keyof typeof REQUIREMENTS;
const REQUIREMENT_NAMES = Object.keys(REQUIREMENTS) as [RequirementName, ...RequirementName[]];

const ruleSchema = z.strictObject({
  require: z.enum(REQUIREMENT_NAMES, { error: `require must be one of ${REQUIREMENT_NAMES.join(", ")}` }),
  when: z
    .strictObject({
      severity: z.array(z.enum(SEVERITIES, { error: `severity must list ${SEVERITIES.join(", ")}` })).optional(),
      status: z.array(z.enum(INCIDENT_STATUSES, { error: `status must list ${INCIDENT_STATUSES.join(", ")}` })).optional(),
    })
    .optional(),
});
const fileSchema = z.strictObject({ rules: z.array(ruleSchema, { error: "rules must be a list" }) });
export type ClosingRule = z.infer<typeof ruleSchema>;
export type ClosingRules = { rules: ClosingRule[]; guide: string; file: string };

/** Reads content/rules/closing.md (cached by mtime); throws a ContentError naming the file and every problem. */
export function loadClosingRules(root: string = CONTENT_DIR): ClosingRules {
  const file = path.join(root, "rules", "closing.md");
  let parsed;
  try {
    parsed = readContentFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new ContentError(file, "missing: closing rules are required (see the README)");
    throw e;
  }
  const res = fileSchema.safeParse(parsed.data);
  if (!res.success) {
    const problems = res.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
    throw new ContentError(file, problems.join("; "));
  }
  return { rules: res.data.rules, guide: parsed.body, file };
}

function applies(rule: ClosingRule, incident: ClosingFacts): boolean {
  const w = rule.when;
  if (w?.severity && !w.severity.includes(incident.severity)) return false;
  if (w?.status && !w.status.includes(incident.status)) return false;
  return true;
}

export type ClosingCheck = { require: RequirementName; label: string; met: boolean; missing: string; fix: Requirement["fix"] };

/** Every rule that applies to this incident, met or not (the checklist shown before closing). */
export function closingChecklist(tx: Conn, incident: ClosingFacts, rules: ClosingRule[] = loadClosingRules().rules): ClosingCheck[] {
  const seen = new Set<RequirementName>();
  const out: ClosingCheck[] = [];
  for (const rule of rules) {
    if (!applies(rule, incident) || seen.has(rule.require)) continue;
    seen.add(rule.require);
    const r: Requirement = REQUIREMENTS[rule.require];
    out.push({ require: rule.require, label: r.label, missing: r.missing, fix: r.fix, met: r.met(incident, tx) });
  }
  return out;
}
