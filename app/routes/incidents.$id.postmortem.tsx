import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/field";
import { useUnsavedWarning } from "~/components/unsaved-guard";
import { getIncident } from "~/domain/incidents.server";
import { fillTemplate, generatedBlocks, incidentFacts, refreshGenerated } from "~/domain/postmortem-draft.server";
import { MAX_POSTMORTEM, savePostmortem } from "~/domain/postmortems.server";
import { actorOf } from "~/web/auth.server";
import { listTemplates } from "~/utils/content.server";
import { FORM_BODY_BYTES } from "~/utils/body-limit.server";
import { readForm } from "~/utils/csrf.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { renderMarkdown } from "~/utils/markdown.server";
import { idParam } from "~/utils/params";
import { requireRole } from "~/web/permissions.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "editor");
  const db = getDb();
  const id = idParam(params.id);
  const row = getIncident(db, id);
  if (!row) throw new Response("Incident not found", { status: 404 });
  const templates = listTemplates();
  const chosen = new URL(request.url).searchParams.get("template");
  const template = templates.find((t) => t.id === chosen) ?? templates[0];
  const { incident } = row;
  // An empty write-up starts from a template, its facts filled in from the incident.
  const markdown = incident.postmortemMd || (template ? `# ${incident.title}\n\n${fillTemplate(template.markdown, incidentFacts(db, id))}` : "");
  return {
    id: incident.id,
    title: incident.title,
    rev: incident.postmortemRev,
    markdown,
    generated: generatedBlocks(markdown),
    fromTemplate: incident.postmortemMd ? null : (template?.id ?? null),
    templates: templates.map((t) => ({ id: t.id, name: t.name })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const saveSchema = z.object({
    intent: z.enum(["save", "preview", "refresh"]),
    rev: z.coerce.number().int().min(0),
    markdown: z.string().max(MAX_POSTMORTEM, `Keep the write-up under ${MAX_POSTMORTEM.toLocaleString("en")} characters.`),
  });
  const id = idParam(params.id);
  // The write-up's limit is in characters; URL-encoded, one can take 9 bytes (%E2%80%94), plus the other fields.
  const values = formObject(await readForm(request, { maxBytes: MAX_POSTMORTEM * 9 + FORM_BODY_BYTES }));
  const parsed = saveSchema.safeParse(values);
  const reply = (extra: { errors?: Record<string, string> | null; markdown: string; rev: number; preview?: string | null; notice?: string | null; theirs?: { rev: number; html: string; markdown: string } | null }, status = 200) =>
    json({ errors: null, preview: null, notice: null, theirs: null, ...extra }, { status });
  if (!parsed.success) {
    return reply({ errors: fieldErrors(parsed.error), markdown: values.markdown ?? "", rev: Number(values.rev) || 0 }, 400);
  }
  const { intent, rev, markdown } = parsed.data;
  if (intent === "preview") return reply({ markdown, rev, preview: renderMarkdown(markdown) });
  if (intent === "refresh") {
    const r = refreshGenerated(markdown, incidentFacts(getDb(), id));
    const notice = [
      r.refreshed.length ? `Refreshed from the incident: ${r.refreshed.join(", ")}.` : "No generated block was left unedited to refresh.",
      r.kept.length ? `Kept as you edited them: ${r.kept.join(", ")}.` : "",
      "Nothing is saved until you save.",
    ].filter(Boolean).join(" ");
    return reply({ markdown: r.markdown, rev, notice });
  }
  const result = savePostmortem(getDb(), id, rev, markdown, actorOf(user));
  if (result.ok) return redirect(`/incidents/${id}#postmortem`);
  const { current } = result;
  return reply(
    {
      errors: {
        form: `Conflict: ${current.author ?? "someone"} saved revision ${current.rev} (${formatUtc(current.at)}) after you started editing revision ${rev}. Nothing was overwritten. Your text is still in the editor; their version is shown below. Merge what you need, then save again.`,
      },
      markdown,
      rev: current.rev,
      theirs: { rev: current.rev, html: renderMarkdown(current.markdown), markdown: current.markdown },
    },
    409,
  );
}

export default function EditPostmortem() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = result?.errors as Record<string, string> | null | undefined;
  const markdown = result?.markdown ?? data.markdown;
  const rev = result?.rev ?? data.rev;
  // The editor is remounted whenever its starting text changes: another template, a refresh, a conflict.
  const editorKey = `${rev}-${data.fromTemplate ?? ""}-${result ? markdown.length : "l"}`;
  const [dirtyFor, setDirtyFor] = useState<string | null>(null);
  const saving = navigation.state !== "idle" && navigation.formMethod?.toLowerCase() === "post";
  // Text changed since the page loaded, or previewed/refreshed but not saved yet.
  const dirty = dirtyFor === editorKey || (!!result && markdown !== data.markdown);
  useUnsavedWarning(dirty && !saving);
  return (
    <>
      <p>
        <Link to={`/incidents/${data.id}`}>← Back to the incident</Link>
      </p>
      <h1>Postmortem: {data.title}</h1>
      {data.fromTemplate && data.templates.length > 1 ? (
        <p className="notice">
          Starting from a template:{" "}
          {data.templates.map((t) => (
            <span key={t.id}>
              {t.id === data.fromTemplate ? <b>{t.name}</b> : <Link to={`?template=${t.id}`}>{t.name}</Link>}{" "}
            </span>
          ))}
        </p>
      ) : null}
      {data.generated.length ? (
        <p className="hint">
          Blocks between <code>&lt;!-- generated … --&gt;</code> markers ({data.generated.join(", ")}) are written from the incident’s facts.
          <b> Refresh from the incident</b> rewrites those you have not edited; your own text is never replaced. Hints in{" "}
          <code>&lt;!-- … --&gt;</code> do not show in the postmortem.
        </p>
      ) : null}
      {result?.notice ? (
        <p className="notice" role="status">
          {result.notice}
        </p>
      ) : null}
      <Form method="post">
        <CsrfInput />
        <input type="hidden" name="rev" value={rev} />
        <FormError error={errors?.form} />
        <FormError error={errors?.markdown} />
        <label htmlFor="markdown" className="muted">
          Markdown · blameless: describe systems and decisions, not people. Editing from revision {rev}.
        </label>
        <textarea id="markdown" name="markdown" className="markdown" defaultValue={markdown} key={editorKey} onChange={() => setDirtyFor(editorKey)} />
        <div className="row">
          <button type="submit" name="intent" value="save">
            Save postmortem
          </button>
          <button type="submit" name="intent" value="preview" className="secondary">
            Preview
          </button>
          <button type="submit" name="intent" value="refresh" className="secondary">
            Refresh from the incident
          </button>
        </div>
      </Form>
      {result?.preview ? (
        <section>
          <h2>Preview</h2>
          <article className="prose" dangerouslySetInnerHTML={{ __html: result.preview }} />
        </section>
      ) : null}
      {result?.theirs ? (
        <section>
          <h2>Saved revision {result.theirs.rev} (theirs)</h2>
          <article className="prose" dangerouslySetInnerHTML={{ __html: result.theirs.html }} />
          <details>
            <summary>Their Markdown</summary>
            <pre style={{ whiteSpace: "pre-wrap" }}>{result.theirs.markdown}</pre>
          </details>
        </section>
      ) : null}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Postmortem · Faultline" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
