// Models and their version history: deploy chains with a serving version at every moment of the window, plus
// canaries that were rolled back after a few hours.
import { DAY, HOUR, MIN, WINDOW } from "./common";
import { MODELS, type ModelSpec } from "./catalogue";
import type { Rng } from "./rng";

export type Version = { id: number; model: number; version: string; deployedAt: number; retiredAt: number | null; status: string; rolledBack: boolean };
export type ModelState = { id: number; spec: ModelSpec; chain: Version[]; chainStarts: number[]; rolledBack: Version[] };

export function planModels(rng: Rng, now: number): ModelState[] {
  let nextVersionId = 1;
  return MODELS.map((spec, m) => {
    const n = rng.int(4, 12);
    const nRolledBack = Math.min(n - 2, Math.floor(n * rng.range(0.1, 0.3)));
    const nChain = Math.max(4, n - nRolledBack);
    // Chain deploys: the first well before the window, so every incident time has a serving version.
    const agos = [WINDOW + rng.int(30, 120) * DAY];
    for (let i = 1; i < nChain; i++) agos.push(rng.int(3 * DAY, WINDOW));
    agos.sort((a, b) => b - a);
    const chainTimes = agos.map((a) => now - Math.round(a / MIN) * MIN);
    // Rolled-back canaries live a few hours inside a chain interval (which stays serving meanwhile).
    const rb: { at: number; life: number }[] = [];
    for (let i = 0; i < nRolledBack; i++) {
      const k = rng.int(0, nChain - 1);
      const from = chainTimes[k];
      const to = k + 1 < nChain ? chainTimes[k + 1] : now - 2 * DAY;
      const life = rng.duration(8 * HOUR, 0.7, 3 * HOUR, 30 * HOUR);
      if (to - from < life + 2 * DAY) continue;
      rb.push({ at: from + DAY + Math.round((rng.next() * (to - from - life - 2 * DAY)) / MIN) * MIN, life });
    }
    const all = [
      ...chainTimes.map((at, i) => ({ at, rolledBack: false, next: i + 1 < nChain ? chainTimes[i + 1] : null })),
      ...rb.map((r) => ({ at: r.at, rolledBack: true, next: r.at + r.life })),
    ].sort((a, b) => a.at - b.at);
    let major = rng.int(1, 3);
    let minor = 0;
    const versions: Version[] = all.map((v, i) => {
      if (i > 0 && rng.chance(0.2)) {
        major++;
        minor = 0;
      } else if (i > 0) minor++;
      const last = !v.rolledBack && v.next === null;
      return {
        id: nextVersionId++,
        model: m,
        version: `v${major}.${minor}`,
        deployedAt: v.at,
        retiredAt: v.next,
        status: v.rolledBack ? "rolled_back" : last ? "serving" : "retired",
        rolledBack: v.rolledBack,
      };
    });
    const chain = versions.filter((v) => !v.rolledBack);
    // Keeping the previous model as a fallback is common practice.
    if (chain.length >= 2 && rng.chance(0.5)) chain[chain.length - 2].status = "backup";
    return { id: m + 1, spec, chain, chainStarts: chain.map((v) => v.deployedAt), rolledBack: versions.filter((v) => v.rolledBack) };
  });
}

/** The chain version serving at time t (binary search; the first is deployed before the window). */
export function servingAt(model: ModelState, t: number): Version {
  const s = model.chainStarts;
  let lo = 0;
  let hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return model.chain[lo];
}

/** What actually answered requests at t: a rolled-back canary if one was live, else the serving version. */
export function liveAt(model: ModelState, t: number): Version {
  for (const v of model.rolledBack) if (v.deployedAt <= t && (v.retiredAt ?? Infinity) > t) return v;
  return servingAt(model, t);
}
