// Action items for an incident (drafts have none: nobody has looked at them yet), with statuses that follow
// their due dates, and an open preventive fix on every incident that recurred.
import { DAY, fmt } from "./common";
import { DETECT, MITIGATE, PEOPLE, PREVENT, PROCESS } from "./catalogue";
import type { Plan } from "./plan-incidents";
import type { Rng } from "./rng";

export type ActionItem = { title: string; kind: string; owner: string; due: number; status: string; done: number | null };

/** The items and the time they were written (the resolution, else mitigation, else detection). */
export function planActionItems(rng: Rng, now: number, p: Plan, vars: Record<string, string | number>): { actions: ActionItem[]; actionsFrom: number } {
  const actions: ActionItem[] = [];
  const actionsFrom = p.resolvedAt ?? p.mitigatedAt ?? p.detectedAt;
  if (!p.draft) {
    const nActions = rng.int(1, 4);
    for (let i = 0; i < nActions; i++) {
      let kind: string = i === 0 ? "prevent" : rng.table([["prevent", 3], ["detect", 3], ["mitigate", 2], ["process", 2]] as const);
      const pool = kind === "prevent" ? (PREVENT[p.top] ?? ["Add a regression test for this failure in {model}"]) : kind === "detect" ? DETECT : kind === "mitigate" ? MITIGATE : PROCESS;
      const due = actionsFrom + rng.int(7, 45) * DAY;
      const overdueBy = now - due;
      const r = rng.next();
      let status: string;
      if (overdueBy > 30 * DAY) status = r < 0.85 ? "done" : r < 0.9 ? "wont_do" : "open";
      else if (overdueBy > 0) status = r < 0.5 ? "done" : "open";
      else status = r < 0.2 ? "done" : "open";
      // An incident that recurred still had its preventive fix open: that is what the app's repeat flag looks for.
      if (i === 0 && p.hasRepeat) status = "open";
      const done = status === "open" ? null : Math.min(now, actionsFrom + Math.round(rng.next() * (due + 10 * DAY - actionsFrom)));
      const who = rng.table([[p.team, 3], [`${p.team} on-call`, 1], [rng.pick(PEOPLE), 3], ["incident lead", 1]] as const);
      let actionTitle = fmt(rng.pick(pool), vars);
      if (actions.some((a) => a.title === actionTitle)) {
        kind = "process";
        actionTitle = fmt(rng.pick(PROCESS), vars);
      }
      if (actions.some((a) => a.title === actionTitle)) continue;
      actions.push({ title: actionTitle, kind, owner: who, due, status, done });
    }
  }
  return { actions, actionsFrom };
}
