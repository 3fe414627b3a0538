import bm25Vectorizer, { type BM25Vectorizer } from "wink-nlp/utilities/bm25-vectorizer";
import type { Bow, ItemToken, ItsFunction, WinkMethods } from "wink-nlp";
import type { TaxonomyEntry } from "./taxonomy.server";

/**
 * The text model behind class suggestions: every failure class is one document (its definition, examples and
 * typical words from content/, plus the words of incidents people confirmed in it), weighted with wink-nlp's BM25
 * vectorizer; an incident's text is ranked against them by cosine similarity. Pure: no database, so the eval
 * script trains it on content and labelled files only.
 */

let nlp: Promise<WinkMethods> | undefined;

/** wink-nlp with its English model, loaded once per module instance (the model takes about a second to load). */
function loadNlp(): Promise<WinkMethods> {
  nlp ??= Promise.all([import("wink-nlp"), import("wink-eng-lite-web-model")]).then(([{ default: winkNLP }, { default: english }]) =>
    // Only the tokenizer and the token features (stem, stop word, type) are needed: no tagging or entities.
    winkNLP(english, []),
  );
  return nlp;
}

/** A stem, and the word it came from (the first one seen), to show people a word rather than a stem. */
export type Terms = { stems: string[]; words: Map<string, string> };

// Alert rule names are CamelCase (FeatureNullRateHigh): split them into words before tokenizing.
const camelCase = /([a-z0-9])([A-Z])/g;

/** The stems of a text's words, without stop words, numbers and punctuation. */
function textTerms(nlp: WinkMethods, text: string): Terms {
  const its = nlp.its;
  const stems: string[] = [];
  const words = new Map<string, string>();
  nlp
    .readDoc(text.replace(camelCase, "$1 $2"))
    .tokens()
    .each((t: ItemToken) => {
      if (t.out(its.type) !== "word" || t.out(its.stopWordFlag)) return;
      const normal = String(t.out(its.normal));
      if (normal.length < 2 || /^\d/.test(normal)) return;
      // wink-nlp's typings declare its.stem with a narrower signature than out() accepts.
      const stem = String(t.out(its.stem as unknown as ItsFunction<string>));
      stems.push(stem);
      if (!words.has(stem)) words.set(stem, normal);
    });
  return { stems, words };
}

/** A model of the taxonomy's classes from content entries (classes only; retired ones are simply absent). */
export async function loadSuggestionModel(entries: TaxonomyEntry[]): Promise<SuggestionModel> {
  return new SuggestionModel(entries, await loadNlp());
}

/** The parts of a content file that describe its class; "How to tell it apart" names other classes, so it is left out. */
const DESCRIPTIVE = new Set(["definition", "subclasses", "examples", "typical words"]);

function descriptiveText(e: TaxonomyEntry): string {
  const sections = e.body.split(/^## +/m);
  const kept = sections.slice(1).filter((s) => DESCRIPTIVE.has(s.slice(0, s.indexOf("\n")).trim().toLowerCase()));
  // Class ids in backticks (`data.corruption`) are markup, not words.
  return [e.name, ...kept.map((s) => s.slice(s.indexOf("\n") + 1))].join("\n").replace(/`[a-z0-9.-]+`/g, " ");
}

/**
 * How many learned tokens one class document holds at most: a team's own words come to outweigh the content's once
 * it has confirmed a few dozen incidents of a class, and fitting costs the same at any number of incidents.
 */
const LEARNED_BUDGET = 4000;

type Profile = {
  id: string;
  parentId: string | null;
  family: "ml" | "non-ml" | null;
  content: string[];
  /** Stem counts of the confirmed incidents of this class (for a top-level class, also of its subclasses). */
  learned: Map<string, number>;
  learnedTotal: number;
  examples: number;
};

type Fit = { ids: string[]; vectorizer: BM25Vectorizer; bows: Bow[] };

export type RankedClass = { id: string; score: number; words: string[] };
export type Ranking = {
  /** Top-level classes, best first; score is the share of the evidence (scores add up to 1). */
  classes: RankedClass[];
  /** Subclasses, best first, scored with their class. */
  subclasses: (RankedClass & { parentId: string })[];
  /** The text's stems with their BM25 weights among the top-level classes (how telling each word is). */
  weights: Bow;
};

/** Class documents in BM25 form, refitted lazily after learning (tens of milliseconds, whatever the number of incidents). */
export class SuggestionModel {
  private profiles = new Map<string, Profile>();
  private fit: { tops: Fit; subs: Fit } | null = null;

  /** Builds the content part; use `loadSuggestionModel()`, which loads the language model first. */
  constructor(
    entries: TaxonomyEntry[],
    private readonly nlp: WinkMethods,
  ) {
    for (const e of entries) {
      if (e.kind !== "class") continue;
      this.profiles.set(e.id, { id: e.id, parentId: e.parentId, family: e.family, content: this.terms(descriptiveText(e)).stems, learned: new Map(), learnedTotal: 0, examples: 0 });
    }
    // A top-level class document also holds its subclasses' descriptions.
    for (const p of this.profiles.values()) if (p.parentId) this.profiles.get(p.parentId)?.content.push(...p.content);
  }

  /** The stems of a text's words, without stop words, numbers and punctuation. */
  terms(text: string): Terms {
    return textTerms(this.nlp, text);
  }

  has(classId: string): boolean {
    return this.profiles.has(classId);
  }

  family(classId: string): "ml" | "non-ml" | null {
    return this.profiles.get(classId)?.family ?? null;
  }

  parentOf(classId: string): string | null {
    return this.profiles.get(classId)?.parentId ?? null;
  }

  /** Confirmed incidents learned so far. */
  get examples(): number {
    let n = 0;
    for (const p of this.profiles.values()) if (!p.parentId) n += p.examples;
    return n;
  }

  /**
   * Adds (sign 1) or removes (sign -1) one confirmed incident's stems to its class and that class's parent.
   * Classes not in content (retired) are ignored: they are no longer suggested.
   */
  learn(classId: string, stems: string[], sign: 1 | -1 = 1): boolean {
    const own = this.profiles.get(classId);
    if (!own) return false;
    const targets = own.parentId ? [own, this.profiles.get(own.parentId)!] : [own];
    for (const p of targets) {
      for (const s of stems) {
        const n = (p.learned.get(s) ?? 0) + sign;
        if (n > 0) p.learned.set(s, n);
        else p.learned.delete(s);
      }
      p.learnedTotal = Math.max(0, p.learnedTotal + sign * stems.length);
      p.examples = Math.max(0, p.examples + sign);
    }
    this.fit = null;
    return true;
  }

  /** Fits the BM25 weights now (otherwise the next ranking does). */
  refit(): void {
    const docOf = (p: Profile): string[] => {
      const out = [...p.content];
      // Learned counts scaled to the budget keep each class's word distribution, at a bounded cost per class.
      const scale = p.learnedTotal > LEARNED_BUDGET ? LEARNED_BUDGET / p.learnedTotal : 1;
      for (const [stem, n] of p.learned) for (let i = Math.round(n * scale); i > 0; i--) out.push(stem);
      return out;
    };
    const fitGroup = (group: Profile[]): Fit => {
      const vectorizer = bm25Vectorizer({ k: 1, k1: 1.2, b: 0.75, norm: "l2" });
      for (const p of group) vectorizer.learn(docOf(p));
      return { ids: group.map((p) => p.id), vectorizer, bows: group.map((_, i) => vectorizer.doc(i).out(this.nlp.its.bow) as Bow) };
    };
    const all = [...this.profiles.values()];
    this.fit = { tops: fitGroup(all.filter((p) => !p.parentId)), subs: fitGroup(all.filter((p) => p.parentId)) };
  }

  /** Refits if something was learned since the last fit; several confirmations in a row cost one refit. */
  ensureFitted(): void {
    if (!this.fit) this.refit();
  }

  /** Ranks every top-level class and every subclass against a text's stems. */
  rank(terms: Terms): Ranking {
    this.ensureFitted();
    const { tops, subs } = this.fit!;
    // Both sides are l2-normalised BM25 bags, so their cosine is the dot product over the query's few terms.
    const score = (fit: Fit) => {
      const query = fit.vectorizer.bowOf(terms.stems);
      const stems = Object.keys(query);
      return {
        query,
        scores: fit.ids.map((id, i) => {
          const doc = fit.bows[i];
          let cosine = 0;
          for (const s of stems) if (doc[s]) cosine += query[s] * doc[s];
          return { id, cosine, doc };
        }),
      };
    };
    // The words that drove a score: the shared stems with the largest products, shown as the text's own words.
    const wordsOf = (query: Bow, doc: Bow) =>
      Object.keys(query)
        .filter((s) => doc[s])
        .sort((x, y) => query[y] * doc[y] - query[x] * doc[x])
        .slice(0, 6)
        .map((s) => terms.words.get(s) ?? s);
    const subRanked = score(subs);
    const subScores = subRanked.scores;
    const bestSub = new Map<string, number>();
    for (const s of subScores) {
      const parent = this.parentOf(s.id)!;
      bestSub.set(parent, Math.max(bestSub.get(parent) ?? 0, s.cosine));
    }
    // A class is as likely as its own document says, helped by its best subclass (the finer description).
    const topScores = score(tops);
    const classScores = topScores.scores.map((c) => ({ ...c, raw: c.cosine + SUBCLASS_WEIGHT * (bestSub.get(c.id) ?? 0) }));
    const total = classScores.reduce((a, c) => a + c.raw, 0) || 1;
    const byScore = <T extends { id: string; score: number }>(a: T, b: T) => b.score - a.score || (a.id < b.id ? -1 : 1);
    const classes = classScores
      .map((c) => ({ id: c.id, score: c.raw / total, doc: c.doc }))
      .sort(byScore)
      .map((c, i) => ({ id: c.id, score: c.score, words: i < WORDS_FOR ? wordsOf(topScores.query, c.doc) : [] }));
    const classScore = new Map(classes.map((c) => [c.id, c.score]));
    const subTotal = subScores.reduce((a, s) => a + s.cosine, 0) || 1;
    const subclasses = subScores
      .map((s) => {
        const parentId = this.parentOf(s.id)!;
        return { id: s.id, parentId, score: (classScore.get(parentId) ?? 0) * 0.5 + (s.cosine / subTotal) * 0.5, doc: s.doc };
      })
      .sort(byScore)
      .map((s, i) => ({ id: s.id, parentId: s.parentId, score: s.score, words: i < 3 * WORDS_FOR ? wordsOf(subRanked.query, s.doc) : [] }));
    return { classes, subclasses, weights: topScores.query };
  }
}

/** How many of the best classes (and three times as many subclasses) get the words that drove them. */
const WORDS_FOR = 5;

/** How much a class's best subclass adds to the class's own similarity. */
const SUBCLASS_WEIGHT = 0.5;
