// Writes the planned models and their versions (one transaction).
import type { Db } from "../../db/client";
import { DAY, HOUR, iso } from "./common";
import type { ModelState } from "./plan-models";
import type { Rng } from "./rng";

export function writeModels(sqlite: Db["$client"], rng: Rng, models: ModelState[]): void {
  const insModel = sqlite.prepare("insert into models (id, name, team, description, created_at) values (?, ?, ?, ?, ?)");
  const insVersion = sqlite.prepare(
    "insert into model_versions (id, model_id, version, status, deployed_at, retired_at, training_data_ref, code_ref, notes, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  sqlite.transaction(() => {
    for (const m of models) {
      insModel.run(m.id, m.spec.name, m.spec.team, m.spec.description, m.chain[0].deployedAt - 14 * DAY);
      const all = [...m.chain, ...m.rolledBack].sort((a, b) => a.id - b.id);
      for (const v of all) {
        const day = iso(v.deployedAt - DAY).slice(0, 10);
        const notes = v.rolledBack
          ? `Canary rolled back after ${Math.round(((v.retiredAt as number) - v.deployedAt) / HOUR)} h; see the linked incident.`
          : v.status === "backup"
            ? "Kept deployable as the one-step fallback."
            : "";
        insVersion.run(v.id, m.id, v.version, v.status, v.deployedAt, v.retiredAt, `s3://ml-data/${m.spec.name}/snapshots/${day}`, `git:${rng.hex(7)}`, notes, v.deployedAt - rng.int(HOUR, 3 * DAY));
      }
    }
  })();
}
