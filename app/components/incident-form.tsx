import { Form } from "@remix-run/react";
import { DETECTION_SOURCES, SEVERITIES } from "../../db/schema";
import { CsrfInput } from "./csrf";
import { Field, FormError } from "./field";

export type IncidentFormValues = {
  title: string;
  severity: string;
  team: string;
  summary: string;
  impact: string;
  detectionSource: string;
  startedAt: string;
  detectedAt: string;
  mitigatedAt: string;
  resolvedAt: string;
};

export const DETECTION_LABELS: Record<(typeof DETECTION_SOURCES)[number], string> = {
  alert: "Alert",
  user_report: "User report",
  dashboard: "Dashboard",
  test: "Test",
  other: "Other",
};

/** Create and edit share this form; `version` is the optimistic lock when editing. */
export function IncidentForm({
  values,
  errors,
  version,
  submitLabel,
}: {
  values: Partial<IncidentFormValues>;
  errors?: Record<string, string>;
  version?: number;
  submitLabel: string;
}) {
  const time = (name: keyof IncidentFormValues, label: string, required = false) => (
    <Field label={`${label} (UTC)`} name={name} error={errors?.[name]}>
      <input id={name} name={name} type="datetime-local" step={1} defaultValue={values[name] ?? ""} required={required} />
    </Field>
  );
  return (
    <Form method="post" className="card">
      <CsrfInput />
      {version !== undefined ? <input type="hidden" name="version" value={version} /> : null}
      <FormError error={errors?.form} />
      <Field label="Title" name="title" error={errors?.title}>
        <input id="title" name="title" defaultValue={values.title} required minLength={3} maxLength={200} />
      </Field>
      <div className="grid">
        <Field label="Severity" name="severity" error={errors?.severity}>
          <select id="severity" name="severity" defaultValue={values.severity ?? "SEV3"}>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Team" name="team" error={errors?.team}>
          <input id="team" name="team" defaultValue={values.team} maxLength={100} />
        </Field>
        <Field label="Detected by" name="detectionSource" error={errors?.detectionSource}>
          <select id="detectionSource" name="detectionSource" defaultValue={values.detectionSource ?? ""}>
            <option value="">Not known yet</option>
            {DETECTION_SOURCES.map((s) => (
              <option key={s} value={s}>
                {DETECTION_LABELS[s]}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="grid">
        {time("startedAt", "Started", true)}
        {time("detectedAt", "Detected")}
        {time("mitigatedAt", "Mitigated")}
        {time("resolvedAt", "Resolved")}
      </div>
      <Field label="Summary" name="summary" error={errors?.summary} hint="What happened, in two or three sentences.">
        <textarea id="summary" name="summary" rows={3} defaultValue={values.summary} />
      </Field>
      <Field label="Impact" name="impact" error={errors?.impact} hint="Who or what was affected, how much, for how long.">
        <textarea id="impact" name="impact" rows={3} defaultValue={values.impact} />
      </Field>
      <button type="submit">{submitLabel}</button>
    </Form>
  );
}
