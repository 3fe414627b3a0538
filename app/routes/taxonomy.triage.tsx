import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { SeverityBadge } from "~/components/badges";
import { CsrfInput } from "~/components/csrf";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/field";
import { Pager } from "~/components/pager";
import { ConfirmButton, SuggestionList } from "~/components/suggestion-list";
import { ClassificationError, confirmPrimaryClass } from "~/domain/classification.server";
import { shownSuggestions, suggesterStatus } from "~/domain/suggestions.server";
import { classLabels, taxonomyTree } from "~/domain/taxonomy.server";
import { confirmClasses, triageQueue } from "~/domain/triage.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatDate } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { pageNumber } from "~/utils/forms";
import { requireRole } from "~/web/permissions.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "editor");
  const url = new URL(request.url);
  const db = getDb();
  const queue = await triageQueue(db, pageNumber.parse(url.searchParams.get("page") ?? 1));
  const labels = classLabels(db);
  const model = await suggesterStatus(db);
  return {
    model: { learning: model.learning, examples: model.examples },
    total: queue.total,
    page: queue.page,
    hasMore: queue.page * queue.pageSize < queue.total,
    search: url.search,
    items: queue.items.map((it) => ({
      id: it.id,
      title: it.title,
      severity: it.severity,
      team: it.team,
      startedAt: it.startedAt,
      recorded: it.classStatus === "suggested" && it.primaryClassId ? { id: it.primaryClassId, label: labels.get(it.primaryClassId) ?? it.primaryClassId } : null,
      suggestions: shownSuggestions(it.suggestions, labels),
    })),
    // "Pick another": every active class, grouped under its top-level class.
    choices: taxonomyTree(db).classes.filter((c) => c.status === "active").flatMap((c) => [
      { id: c.id, label: c.name },
      ...c.children.filter((s) => s.status === "active").map((s) => ({ id: s.id, label: `${c.name} › ${s.name}` })),
    ]),
  };
}

const choiceSchema = z
  .string()
  .regex(/^\d+:[a-z0-9.-]+$/, "A selection is not valid; reload the page.")
  .transform((v) => ({ incidentId: Number(v.slice(0, v.indexOf(":"))), classId: v.slice(v.indexOf(":") + 1) }));
const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("confirm"), incident: z.coerce.number().int().positive(), class: z.string().min(1, "Pick a class to confirm.") }),
  z.object({ intent: z.literal("bulk"), choice: z.array(choiceSchema).min(1, "Select at least one incident to confirm.") }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const form = await readForm(request);
  const parsed = actionSchema.safeParse({ intent: form.get("intent"), incident: form.get("incident"), class: form.get("class"), choice: form.getAll("choice") });
  if (!parsed.success) return json({ error: parsed.error.issues[0]?.message ?? "Invalid form." }, { status: 400 });
  const db = getDb();
  try {
    if (parsed.data.intent === "confirm") confirmPrimaryClass(db, parsed.data.incident, parsed.data.class, actorOf(user));
    else confirmClasses(db, parsed.data.choice, actorOf(user));
  } catch (e) {
    if (e instanceof ClassificationError) return json({ error: e.message }, { status: 400 });
    throw e;
  }
  return redirect(`/taxonomy/triage${new URL(request.url).search}`);
}

const EDITABLE = new Set(["INPUT", "SELECT", "TEXTAREA", "BUTTON"]);

/**
 * Keyboard triage, once JavaScript runs (the forms work without it): j/k or arrows move between incidents,
 * 1-3 take a suggestion, c or Enter confirms (the recorded suggestion, else the first), s skips, x selects.
 */
function useTriageKeys(itemCount: number) {
  const index = useRef(0);
  useEffect(() => {
    const rows = () => [...document.querySelectorAll<HTMLElement>("[data-triage-row]")];
    const focus = (i: number) => {
      const all = rows();
      if (!all.length) return;
      index.current = Math.max(0, Math.min(i, all.length - 1));
      all[index.current].focus();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || EDITABLE.has((e.target as HTMLElement).tagName)) return;
      const all = rows();
      const at = all.findIndex((r) => r.contains(document.activeElement));
      const row = all[at];
      const button = (selector: string) => row?.querySelector<HTMLElement>(selector) ?? null;
      const press = (selector: string) => button(selector)?.click();
      if (e.key === "j" || e.key === "ArrowDown" || e.key === "s") focus(at + 1);
      else if (e.key === "k" || e.key === "ArrowUp") focus(at - 1);
      else if (["1", "2", "3"].includes(e.key)) press(`[data-hotkey="${e.key}"]`);
      else if (e.key === "c" || e.key === "Enter") (button('[data-hotkey="c"]') ?? button('[data-hotkey="1"]'))?.click();
      else if (e.key === "x") press('input[type="checkbox"]');
      else return;
      e.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  // After a confirmation the list reloads without that incident: stay at the same place, now the next one.
  useEffect(() => {
    const all = document.querySelectorAll<HTMLElement>("[data-triage-row]");
    all[Math.min(index.current, all.length - 1)]?.focus();
  }, [itemCount]);
  return index;
}

export default function Triage() {
  const { model, total, page, hasMore, search, items, choices } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const index = useTriageKeys(items.length);
  return (
    <>
      <p>
        <Link to="/taxonomy">← The taxonomy</Link>
      </p>
      <h1>Triage queue</h1>
      <p className="muted">
        {total === 1 ? "1 incident is" : `${total} incidents are`} unclassified or only suggested, newest first. Confirm a suggestion, pick another class, or skip. Keys:{" "}
        <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>1</kbd>–<kbd>3</kbd> take a suggestion, <kbd>c</kbd> confirm, <kbd>s</kbd> skip, <kbd>x</kbd> select.
      </p>
      <p className="muted">
        Suggestions come from the taxonomy&apos;s definitions and {model.examples} confirmed incident{model.examples === 1 ? "" : "s"}
        {model.learning ? " (still learning the rest)" : ""}. Nothing is recorded until someone confirms it.
      </p>
      <FormError error={result?.error} />
      <Form method="post" id="bulk" className="row">
        <CsrfInput />
        <input type="hidden" name="intent" value="bulk" />
        <button type="submit">Confirm selected</button>
      </Form>
      {items.length ? (
        <ol className="triage">
          {items.map((it, i) => {
            const proposed = it.recorded?.id ?? it.suggestions[0]?.proposed;
            const proposedLabel = it.recorded?.label ?? it.suggestions[0]?.label;
            return (
              <li key={it.id} id={`incident-${it.id}`} tabIndex={-1} data-triage-row className="card" aria-label={it.title} onFocus={() => (index.current = i)}>
                <div className="spread">
                  <span>
                    {proposed ? (
                      <input type="checkbox" form="bulk" name="choice" value={`${it.id}:${proposed}`} aria-label={`Select #${it.id} (confirms ${proposedLabel})`} />
                    ) : null}{" "}
                    <SeverityBadge severity={it.severity} /> <Link to={`/incidents/${it.id}`}>#{it.id} {it.title}</Link>{" "}
                    <small className="muted">
                      {formatDate(it.startedAt)}
                      {it.team ? ` · ${it.team}` : ""}
                    </small>
                  </span>
                  {items[i + 1] ? <a href={`#incident-${items[i + 1].id}`}>Skip</a> : null}
                </div>
                {it.recorded ? (
                  // A div, not a p: a form inside a p is closed early by the HTML parser and breaks hydration.
                  <div className="row">
                    Suggested, not confirmed: <b>{it.recorded.label}</b>{" "}
                    <ConfirmButton incidentId={it.id} classId={it.recorded.id} hotkey="c">
                      c · Confirm
                    </ConfirmButton>
                  </div>
                ) : (
                  <p className="muted">Unclassified.</p>
                )}
                <SuggestionList incidentId={it.id} suggestions={it.suggestions} hotkeys />
                <Form method="post" className="row">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="confirm" />
                  <input type="hidden" name="incident" value={it.id} />
                  <select name="class" aria-label={`Another class for #${it.id}`} defaultValue="">
                    <option value="">Pick another class…</option>
                    {choices.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                  <button type="submit" className="secondary">
                    Confirm this class
                  </button>
                </Form>
              </li>
            );
          })}
        </ol>
      ) : (
        <p className="card">{page > 1 ? "No more incidents." : "Nothing to triage: every incident has a confirmed class."}</p>
      )}
      <Pager page={page} hasMore={hasMore} search={search} labels={["← Newer", "Older →"]} />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Triage · Faultline" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
