import { Form, Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { CsrfInput } from "./csrf";

/** A class suggestion as pages show it: the class to confirm, its label, and why it was suggested. */
export type ShownSuggestion = {
  proposed: string;
  label: string;
  score: number;
  words: string[];
  similar: { id: number; title: string }[];
};

/** One-click form that confirms `classId` as primary (the action reads `intent`, `incident` and `class`). */
export function ConfirmButton({ incidentId, classId, children, hotkey }: { incidentId: number; classId: string; children: ReactNode; hotkey?: string }) {
  return (
    <Form method="post" className="inline">
      <CsrfInput />
      <input type="hidden" name="intent" value="confirm" />
      <input type="hidden" name="incident" value={incidentId} />
      <input type="hidden" name="class" value={classId} />
      <button type="submit" className="secondary" data-hotkey={hotkey}>
        {children}
      </button>
    </Form>
  );
}

/** The suggestions, best first, each with its score, the words that drove it and similar confirmed incidents. */
export function SuggestionList({ incidentId, suggestions, hotkeys = false }: { incidentId: number; suggestions: ShownSuggestion[]; hotkeys?: boolean }) {
  if (!suggestions.length) return <p className="muted">No suggestion: the text has no words the taxonomy knows.</p>;
  return (
    <ol className="suggestions">
      {suggestions.map((s, i) => (
        <li key={s.proposed}>
          <ConfirmButton incidentId={incidentId} classId={s.proposed} hotkey={hotkeys ? String(i + 1) : undefined}>
            {hotkeys ? `${i + 1} · ` : ""}Take {s.label}
          </ConfirmButton>{" "}
          <span className="badge" title="Share of the evidence">
            {Math.round(s.score * 100)}%
          </span>
          <small className="muted">
            {s.words.length ? ` · words: ${s.words.join(", ")}` : ""}
            {s.similar.length ? " · like " : ""}
            {s.similar.map((x, j) => (
              <span key={x.id}>
                {j ? ", " : ""}
                <Link to={`/incidents/${x.id}`}>#{x.id} {x.title}</Link>
              </span>
            ))}
          </small>
        </li>
      ))}
    </ol>
  );
}
