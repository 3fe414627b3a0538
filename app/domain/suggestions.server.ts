import { setImmediate as nextTurn } from "node:timers/promises";
import { sql } from "drizzle-orm";
import type { Conn, Db } from "../utils/db.server";
import { processWide } from "../utils/process-wide";
import { loadSuggestionModel, type Ranking, type SuggestionModel } from "./suggestion-model.server";
import { loadTaxonomy } from "./taxonomy.server";

/**
 * Class suggestions for incidents, from the text model in suggestion-model.server.ts trained on content/ and on
 * the team's confirmed classifications. Each database gets one live model: built from content at once, then taught
 * the latest confirmed incidents of every class in the background (50 incidents per turn of the event loop, so
 * requests are served meanwhile), then kept current one confirmation at a time.
 */

export type SimilarIncident = { id: number; title: string };
export type Suggestion = {
  classId: string;
  subclassId: string | null;
  /** Share of the evidence for this class, 0..1 (the scores of all classes add up to 1). */
  score: number;
  reasons: { words: string[]; similarIncidents: SimilarIncident[] };
};

/** Confirmed incidents learned per class at start-up: the newest ones; more would change each class's words little. */
export const LEARN_PER_CLASS = 100;
const CHUNK = 50;
const SIMILAR_WORDS = 10;
// The start of a write-up carries its summary and root cause; the rest (timeline, action items) mostly repeats them.
const POSTMORTEM_CHARS = 800;

/** A confirmed incident the model learned from, kept to be shown as a similar past incident. */
type Example = { classId: string; topId: string; title: string; stems: string[]; unique: string[] };

type Live = {
  model: SuggestionModel;
  /** Incidents whose words the model holds, by id. */
  learned: Map<number, Example>;
  /** Per top-level class, stem -> the learned incidents containing it: similar incidents without scanning them all. */
  postings: Map<string, Map<string, number[]>>;
  /** Resolves when the confirmed incidents present at start-up have been learned. */
  warm: Promise<void>;
  status: { learning: boolean; contentMs: number; learnMs: number | null; incidents: number };
};

const suggesters = processWide("suggesters", () => new WeakMap<Db, Promise<Live>>());

/** The live model of a database, created on first use (the server starts it right after it listens). */
export function suggester(db: Db): Promise<Live> {
  let live = suggesters.get(db);
  if (!live) {
    live = createLive(db);
    suggesters.set(db, live);
  }
  return live;
}

async function createLive(db: Db): Promise<Live> {
  const t0 = performance.now();
  const model = await loadSuggestionModel(loadTaxonomy());
  model.refit();
  const live: Live = { model, learned: new Map(), postings: new Map(), warm: Promise.resolve(), status: { learning: true, contentMs: performance.now() - t0, learnMs: null, incidents: 0 } };
  live.warm = learnConfirmed(db, live);
  // Whoever awaits `warm` sees a failure; nobody awaiting it must not crash the process.
  live.warm.catch(() => undefined);
  return live;
}

/** Starts building the model of `db` off the request path; errors are reported, not thrown at the caller. */
export function startSuggestions(db: Db, onError: (e: unknown) => void): void {
  suggester(db)
    .then((live) => live.warm)
    .catch(onError);
}

/** Words of an incident the model reads: title, summary, impact, the start of the write-up, alert rules and models. */
type IncidentText = { text: string; title: string; classId: string | null; confirmed: boolean };

function incidentTexts(db: Conn, ids: number[]): Map<number, IncidentText> {
  if (!ids.length) return new Map();
  const rows = db.all<{ id: number; text: string; title: string; classId: string | null; status: string | null }>(sql`
    select i.id, i.title, i.primary_class_id as classId, i.class_status as status,
      i.title || char(10) || i.summary || char(10) || i.impact || char(10) || substr(i.postmortem_md, 1, ${POSTMORTEM_CHARS})
        || char(10) || coalesce((select group_concat(distinct a.rule_name) from alerts a where a.incident_id = i.id), '')
        || char(10) || coalesce((select group_concat(distinct m.name) from incident_models im
             join model_versions mv on mv.id = im.model_version_id join models m on m.id = mv.model_id where im.incident_id = i.id), '') as text
    from incidents i where i.id in ${ids}`);
  return new Map(rows.map((r) => [r.id, { text: r.text, title: r.title, classId: r.classId, confirmed: r.status === "confirmed" }]));
}

/** Learns one incident if a person confirmed its class and the class is in content (retired ones are not suggested). */
function learnIncident(live: Live, id: number, row: IncidentText, stems: string[]): void {
  if (!row.confirmed || !row.classId || !live.model.learn(row.classId, stems)) return;
  const topId = live.model.parentOf(row.classId) ?? row.classId;
  const unique = [...new Set(stems)];
  live.learned.set(id, { classId: row.classId, topId, title: row.title, stems, unique });
  let postings = live.postings.get(topId);
  if (!postings) live.postings.set(topId, (postings = new Map()));
  for (const s of unique) {
    const ids = postings.get(s);
    if (ids) ids.push(id);
    else postings.set(s, [id]);
  }
}

/** Forgets one learned incident: its words out of its class, its entry out of the postings. */
function unlearnIncident(live: Live, id: number, ex: Example): void {
  live.model.learn(ex.classId, ex.stems, -1);
  live.learned.delete(id);
  const postings = live.postings.get(ex.topId);
  for (const s of ex.unique) {
    const ids = postings?.get(s);
    const at = ids?.indexOf(id) ?? -1;
    if (ids && at >= 0) ids.splice(at, 1);
  }
}

async function learnConfirmed(db: Db, live: Live): Promise<void> {
  const t0 = performance.now();
  const ids = db
    .all<{ id: number }>(sql`select id from (select id, row_number() over (partition by primary_class_id order by started_at desc, id desc) as n
      from incidents where class_status = 'confirmed' and primary_class_id is not null) where n <= ${LEARN_PER_CLASS}`)
    .map((r) => r.id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    await nextTurn();
    // Re-read at learning time: a confirmation since the list was taken has been learned already, or changed the class.
    for (const [id, row] of incidentTexts(db, ids.slice(i, i + CHUNK).filter((id) => !live.learned.has(id)))) {
      learnIncident(live, id, row, live.model.terms(row.text).stems);
    }
  }
  live.model.refit();
  live.status = { ...live.status, learning: false, learnMs: performance.now() - t0, incidents: live.learned.size };
}

/**
 * Keeps the model current after a classification was saved: unlearns the incident's old class if it had been
 * learned, learns the new one if a person confirmed it. Call after the transaction commits.
 */
export function noteClassification(db: Db, incidentId: number): void {
  const live = suggesters.get(db);
  if (!live) return;
  void live.then((l) => {
    const row = incidentTexts(db, [incidentId]).get(incidentId);
    const was = l.learned.get(incidentId);
    if (was && row?.confirmed && was.classId === row.classId) return;
    const stems = row ? l.model.terms(row.text).stems : [];
    // The words it was learned with, not today's: an edited write-up must not unlearn words it never added.
    if (was) unlearnIncident(l, incidentId, was);
    if (row) learnIncident(l, incidentId, row, stems);
    // Refit between requests rather than in the next one.
    setImmediate(() => l.model.ensureFitted());
  }).catch(() => {
    // A suggester that failed to start was reported by startSuggestions; the classification itself is saved.
  });
}

/**
 * The learned confirmed incidents of each suggested class that share the most telling words with the text (the
 * words' BM25 weights, over the square root of the incident's length so long write-ups do not win by size).
 */
function similarConfirmed(live: Live, weights: Record<string, number>, classIds: string[], exclude: number | null, perClass = 3): Map<string, SimilarIncident[]> {
  const out = new Map<string, SimilarIncident[]>();
  // The most telling words decide; common ones have long postings and add little.
  const telling = Object.entries(weights)
    .sort((a, b) => b[1] - a[1])
    .slice(0, SIMILAR_WORDS);
  for (const topId of classIds) {
    const postings = live.postings.get(topId);
    if (!postings) continue;
    const scores = new Map<number, number>();
    for (const [stem, weight] of telling) {
      for (const id of postings.get(stem) ?? []) if (id !== exclude) scores.set(id, (scores.get(id) ?? 0) + weight);
    }
    // Keep the best few in one pass rather than sorting every candidate.
    const best: { id: number; score: number }[] = [];
    for (const [id, sum] of scores) {
      const score = sum / Math.sqrt(live.learned.get(id)!.unique.length);
      if (best.length === perClass && score <= best[perClass - 1].score) continue;
      best.push({ id, score });
      best.sort((x, y) => y.score - x.score || y.id - x.id);
      if (best.length > perClass) best.pop();
    }
    out.set(topId, best.map(({ id }) => ({ id, title: live.learned.get(id)!.title })));
  }
  return out;
}

function toSuggestions(live: Live, ranking: Ranking, limit: number, exclude: number | null): Suggestion[] {
  const top = ranking.classes.slice(0, limit);
  const bestSub = (classId: string) => ranking.subclasses.find((s) => s.parentId === classId) ?? null;
  const similar = similarConfirmed(live, ranking.weights, top.map((c) => c.id), exclude);
  return top.map((c) => {
    const sub = bestSub(c.id);
    return {
      classId: c.id,
      subclassId: sub?.id ?? null,
      score: Math.round(c.score * 1000) / 1000,
      reasons: { words: [...new Set([...(sub?.words ?? []), ...c.words])].slice(0, 6), similarIncidents: similar.get(c.id) ?? [] },
    };
  });
}

/** The top `limit` classes for a text (API and eval), each with its best subclass and the reasons. */
export async function suggestForText(db: Db, text: string, limit = 3): Promise<Suggestion[]> {
  const live = await suggester(db);
  return toSuggestions(live, live.model.rank(live.model.terms(text)), limit, null);
}

/** Suggestions for stored incidents (classify page, triage queue, import), keyed by incident id. */
export async function suggestForIncidents(db: Db, ids: number[], limit = 3): Promise<Map<number, Suggestion[]>> {
  const live = await suggester(db);
  const out = new Map<number, Suggestion[]>();
  for (const [id, row] of incidentTexts(db, ids)) out.set(id, toSuggestions(live, live.model.rank(live.model.terms(row.text)), limit, id));
  return out;
}

/** How the model stands (for the triage page and the benchmark), without waiting for it. */
export async function suggesterStatus(db: Db) {
  const live = await suggester(db);
  return { ...live.status, examples: live.learned.size };
}

/** Suggestions in the shape pages show (`labels` from taxonomy.server's classLabels). */
export function shownSuggestions(suggestions: Suggestion[], labels: Map<string, string>) {
  return suggestions.map((s) => {
    const proposed = s.subclassId ?? s.classId;
    return { proposed, label: labels.get(proposed) ?? proposed, score: s.score, words: s.reasons.words, similar: s.reasons.similarIncidents };
  });
}
