import { getDb } from "../utils/db.server";
import { listTemplates } from "../utils/content.server";
import { loadClosingRules } from "../domain/closing-rules.server";
import { loadSettings } from "../domain/settings.server";
import { loadLabelMappings } from "../domain/source-labels.server";
import { loadTaxonomy, syncTaxonomy } from "../domain/taxonomy.server";

/** Work done once before the server listens: read content/ so a malformed file stops start-up. */
export function startup(): void {
  const db = getDb();
  listTemplates();
  loadClosingRules();
  const taxonomy = loadTaxonomy();
  loadLabelMappings(taxonomy);
  syncTaxonomy(db, taxonomy);
  loadSettings(db);
}
