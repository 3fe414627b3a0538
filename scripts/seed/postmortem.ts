// The postmortem of a reviewed incident, written into the sections of the standard template.
import { listTemplates } from "../../app/utils/content.server";
import { DAY, HOUR, iso, utcMinute } from "./common";
import type { ActionItem } from "./action-items";
import type { IncidentClasses } from "./incident-classes";
import type { IncidentText, IncidentWords } from "./incident-text";
import type { Plan } from "./plan-incidents";
import type { Rng } from "./rng";
import type { TimelineEvent } from "./timeline";

export type TemplateShape = { preamble: string; headings: string[] };

export function templateShape(): TemplateShape {
  const templates = listTemplates();
  const t = templates.find((x) => x.id === "standard") ?? templates[0];
  if (!t) return { preamble: "", headings: ["Summary", "Impact", "Timeline", "Root cause", "Contributing factors", "Action items"] };
  const lines = t.markdown.split("\n");
  const first = lines.findIndex((l) => /^##\s+/.test(l));
  const headings = lines.filter((l) => /^##\s+/.test(l)).map((l) => l.replace(/^##\s+/, "").trim());
  return { preamble: first > 0 ? lines.slice(0, first).join("\n").trim() : "", headings };
}

export type Postmortem = { md: string; rev: number; revAt: number };

type Facts = { words: IncidentWords; text: IncidentText; events: TimelineEvent[]; actions: ActionItem[]; classes: IncidentClasses };

/** Revision 1 for closed and in-review incidents; others have none yet (empty text, revision 0). */
export function writePostmortem(rng: Rng, now: number, p: Plan, shape: TemplateShape, facts: Facts): Postmortem {
  const { spec, vars, cause, detectedBy, lag, lagText } = facts.words;
  const { summary, impact } = facts.text;
  const { events, actions } = facts;
  const { contributing, factors } = facts.classes;
  let md = "";
  let rev = 0;
  let revAt = 0;
  if (p.status === "closed" || p.status === "in_review") {
    const section = (h: string): string => {
      switch (h.toLowerCase()) {
        case "summary":
          return summary;
        case "impact":
          return impact;
        case "timeline":
          return ["| Time (UTC) | Event |", "|---|---|", ...events.map((e) => `| ${utcMinute(e.at)} | ${e.body.replaceAll("|", "\\|")} |`)].join("\n");
        case "root cause":
          return (
            `${cause}\n\nPrimary class: ${p.primary ? `\`${p.primary}\`` : "not yet classified"}.` +
            (contributing.length ? ` Contributing: ${contributing.map((c) => `\`${c}\``).join(", ")}.` : "")
          );
        case "contributing factors":
          return factors.length ? factors.map((f) => `- \`${f}\``).join("\n") : "- None beyond the root cause.";
        case "what went well":
          return rng.pick([
            `${detectedBy[0].toUpperCase()}${detectedBy.slice(1)} caught it before most users noticed.`,
            `The previous ${spec.name} version was still deployable, so mitigation took minutes.`,
            "The incident channel stayed focused and status updates went out on time.",
          ]);
        case "what went wrong":
          return rng.pick([
            lag > HOUR ? `It took ${lagText} to notice; nothing alerted on the signal that moved first.` : `The first page went to the wrong rotation and took a while to reach ${p.team}.`,
            `The runbook for ${spec.name} was out of date, and on-call had to find the owner of ${vars.table}.`,
            "Several noisy alerts fired at the same time and hid the one that mattered.",
          ]);
        case "where we got lucky":
          return rng.pick([
            "It happened during business hours, with the owning team online.",
            `Traffic to the ${spec.product} was low that day.`,
            "A snapshot from the day before had not yet been garbage-collected.",
          ]);
        case "action items":
          return [
            "| Action | Kind | Owner | Due |",
            "|---|---|---|---|",
            ...actions.map((a) => `| ${a.title} | ${a.kind} | ${a.owner} | ${iso(a.due).slice(0, 10)} |`),
          ].join("\n");
        default:
          return "Nothing further to add.";
      }
    };
    md = [shape.preamble, ...shape.headings.map((h) => `## ${h}\n\n${section(h)}`)].filter(Boolean).join("\n\n") + "\n";
    rev = 1;
    revAt = Math.min(now, (p.resolvedAt as number) + rng.int(HOUR, 3 * DAY));
  }
  return { md, rev, revAt };
}
