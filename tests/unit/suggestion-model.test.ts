import { beforeAll, describe, expect, it } from "vitest";
import { loadSuggestionModel, type SuggestionModel } from "../../app/domain/suggestion-model.server";
import { loadTaxonomy } from "../../app/domain/taxonomy.server";

let model: SuggestionModel;
beforeAll(async () => {
  model = await loadSuggestionModel(loadTaxonomy());
}, 30_000);

const rank = (text: string) => model.rank(model.terms(text));

describe("ranking on the shipped taxonomy", () => {
  it("puts data first for a data-corruption text, with data.corruption as its subclass", () => {
    const r = rank("Half of yesterday's feature partition was written with null values, and two columns arrived swapped; the model scored the zeros.");
    expect(r.classes[0].id).toBe("data");
    expect(r.subclasses[0].id).toBe("data.corruption");
    expect(r.classes[0].words).toEqual(expect.arrayContaining(["null"]));
  });

  it("puts change first for a config push, with change.config-push as its subclass", () => {
    const r = rank("A configuration change flipping the new threshold flag was pushed to every region at once, without a canary.");
    expect(r.classes[0].id).toBe("change");
    expect(r.subclasses[0].id).toBe("change.config-push");
  });

  it("tells the families apart: GPU faults are capacity, NaN loss is training", () => {
    expect(rank("Uncorrectable ECC errors on two GPU hosts kept interrupting the pretraining job.").classes[0].id).toBe("capacity");
    expect(rank("The loss spiked and went NaN after a few thousand steps, so we restarted from a checkpoint with a lower learning rate.").classes[0].id).toBe("training");
  });

  it("scores are shares that add up to 1, best first, over all 11 top-level classes", () => {
    const r = rank("Upstream renamed a column and the feature job filled defaults.");
    expect(r.classes).toHaveLength(11);
    expect(r.classes.reduce((a, c) => a + c.score, 0)).toBeCloseTo(1, 6);
    for (let i = 1; i < r.classes.length; i++) expect(r.classes[i - 1].score).toBeGreaterThanOrEqual(r.classes[i].score);
  });

  it("a text with no known words gives every class a score of 0", () => {
    expect(rank("zzqx blorf").classes.every((c) => c.score === 0)).toBe(true);
  });
});

describe("learning confirmed incidents", () => {
  it("a team's own word moves its class up, and unlearning moves it back", async () => {
    const m = await loadSuggestionModel(loadTaxonomy());
    const text = "The quokkafeed job broke again.";
    const before = m.rank(m.terms(text)).classes.findIndex((c) => c.id === "feedback");
    const example = m.terms("quokkafeed quokkafeed ranking outputs narrowed what users saw, a self-reinforcing loop").stems;
    for (let i = 0; i < 3; i++) m.learn("feedback.degenerate-loop", example);
    expect(m.examples).toBe(3);
    const after = m.rank(m.terms(text));
    expect(after.classes[0].id).toBe("feedback");
    expect(after.subclasses[0].id).toBe("feedback.degenerate-loop");
    expect(after.classes[0].words).toContain("quokkafeed");
    for (let i = 0; i < 3; i++) m.learn("feedback.degenerate-loop", example, -1);
    expect(m.examples).toBe(0);
    expect(m.rank(m.terms(text)).classes.findIndex((c) => c.id === "feedback")).toBe(before);
  });

  it("ignores classes that are not in content (retired)", async () => {
    const m = await loadSuggestionModel(loadTaxonomy());
    expect(m.learn("data.retired-thing", ["null"])).toBe(false);
    expect(m.examples).toBe(0);
  });
});
