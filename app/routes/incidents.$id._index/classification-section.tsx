import { Link } from "@remix-run/react";
import { FamilyBadge } from "~/components/family-badge";
import { formatDate } from "~/utils/dates";
import { STAGE_LABELS, TRIGGER_LABELS } from "~/utils/labels";
import type { IncidentPageData } from "./route";

type Props = Pick<IncidentPageData, "classification" | "trigger" | "lifecycleStage" | "repeats" | "repeatWindowDays"> & { canEdit: boolean };

export function RepeatCard({ classification: cls, repeats, repeatWindowDays }: Pick<Props, "classification" | "repeats" | "repeatWindowDays">) {
  if (!repeats.length) return null;
  return (
    <section className="card repeat" aria-label="Repeat incident">
      <h2 style={{ marginTop: 0 }}>Repeat: this class hit before</h2>
      <p>
        {cls.primary?.name} already caused {repeats.length} incident{repeats.length === 1 ? "" : "s"} on the same team or model
        in the {repeatWindowDays} days before this one.
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
  );
}

export function ClassificationSection({ classification: cls, trigger, lifecycleStage, canEdit }: Omit<Props, "repeats" | "repeatWindowDays">) {
  return (
    <section>
      <div className="spread">
        <h2>Classification</h2>
        {canEdit ? <Link to="classify">{cls.primary ? "Change classification" : "Classify"}</Link> : null}
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
  );
}
