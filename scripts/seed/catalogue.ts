// The demo world: the models and teams incidents happen to, and the word pools their text is drawn from.

export type ModelSpec = {
  name: string;
  team: string;
  description: string;
  features: string[];
  tables: string[];
  slices: string[];
  metric: string;
  product: string;
};

export const MODELS: ModelSpec[] = [
  {
    name: "ranking",
    team: "feed-ranking",
    description: "Orders candidate items for the home feed (gradient-boosted trees over 400 features).",
    features: ["session_clicks_30m", "item_ctr_7d", "user_embedding", "dwell_time_p50"],
    tables: ["events.feed_impressions", "events.clicks_daily"],
    slices: ["new users", "Android users", "non-English locales"],
    metric: "NDCG@10",
    product: "home feed",
  },
  {
    name: "fraud-scoring",
    team: "risk-ml",
    description: "Scores every card payment at checkout; the score feeds the block/review/allow rules.",
    features: ["merchant_txn_count_7d", "card_country_mismatch", "amount_zscore", "device_fingerprint_age"],
    tables: ["payments.txn_enriched", "risk.chargebacks"],
    slices: ["small merchants", "cross-border payments", "first-time buyers"],
    metric: "fraud catch rate",
    product: "checkout",
  },
  {
    name: "search-embeddings",
    team: "search",
    description: "Dual encoder for queries and catalog items; the item side is indexed nightly in the vector index.",
    features: ["query_embedding", "doc_embedding", "query_len", "click_position"],
    tables: ["search.query_log", "catalog.items_v3"],
    slices: ["long-tail queries", "non-English queries", "misspelled queries"],
    metric: "recall@50",
    product: "search",
  },
  {
    name: "ads-ctr",
    team: "ads-ml",
    description: "Predicts click-through for ad auctions; calibration matters as much as ranking.",
    features: ["ad_ctr_prior", "advertiser_id_hash", "placement", "hour_of_week"],
    tables: ["ads.impressions_hourly", "ads.conversions"],
    slices: ["new advertisers", "video placements", "mobile web"],
    metric: "calibrated CTR",
    product: "ads auction",
  },
  {
    name: "eta-prediction",
    team: "logistics-ml",
    description: "Estimates delivery arrival times shown to customers and used for courier dispatch.",
    features: ["driver_eta_hist", "geo_h3_cell", "traffic_speed", "pickup_wait_p90"],
    tables: ["logistics.trips_completed", "maps.traffic_5m"],
    slices: ["rural deliveries", "airport pickups", "rainy evenings"],
    metric: "ETA MAE",
    product: "delivery app",
  },
  {
    name: "support-llm",
    team: "support-ai",
    description: "Fine-tuned LLM with retrieval that drafts replies to customer support tickets.",
    features: ["ticket_text", "retrieved_docs", "customer_tier", "conversation_turns"],
    tables: ["support.tickets", "kb.article_chunks"],
    slices: ["Portuguese tickets", "billing disputes", "enterprise customers"],
    metric: "resolution rate",
    product: "support assistant",
  },
  {
    name: "recsys-candidate",
    team: "recommendations",
    description: "Two-tower candidate generator feeding the ranking model with ~500 items per request.",
    features: ["item_embedding", "co_view_counts", "item_age_days", "user_history_len"],
    tables: ["events.item_views", "catalog.items_v3"],
    slices: ["new items", "cold-start users", "niche categories"],
    metric: "candidate recall",
    product: "recommendations",
  },
  {
    name: "content-moderation",
    team: "trust-safety",
    description: "Multimodal classifier that routes user posts to auto-removal, human review or publish.",
    features: ["image_embedding", "text_toxicity", "account_age_days", "report_count"],
    tables: ["trust.reports", "trust.review_decisions"],
    slices: ["non-English posts", "satire accounts", "live streams"],
    metric: "precision at policy threshold",
    product: "moderation queue",
  },
];
export const PLATFORM_TEAMS = { data: "data-platform", infra: "ml-infra" };
export const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
export const VENDORS = ["geocoding API", "payments processor", "translation API", "LLM provider", "maps traffic feed", "identity verification API"];
export const STORES = ["online feature store", "Redis feature cache", "vector index", "Bigtable feature table", "model registry"];
export const JOBS = ["nightly retrain", "feature backfill", "embedding refresh", "label join", "hourly feature export"];
export const PEOPLE = ["a.kim", "j.okafor", "m.rossi", "s.patel", "l.chen", "r.garcia", "n.ivanova", "t.nguyen", "e.schmidt", "k.mensah"];

export const MITIGATIONS: Record<string, string[]> = {
  orchestration: ["re-ran the skipped jobs by hand", "paused the scheduler and restored the previous DAG"],
  capacity: ["moved the job to healthy hosts", "raised quota and scaled out serving", "shed low-priority traffic"],
  change: ["rolled back to the previous version", "reverted the config push"],
  dependency: ["re-ran the pipeline once upstream data landed", "pinned the previous source and backfilled"],
  software: ["shipped a hotfix", "disabled the failing step behind a flag"],
  data: ["retrained on a corrected snapshot", "excluded the bad partition and retrained"],
  labels: ["retrained after the label window closed", "dropped the bad label batch and retrained"],
  training: ["restored the last good checkpoint", "reverted the training config and retrained"],
  compat: ["redeployed matching artifacts", "rolled back to the previous version"],
  quality: ["switched back to the previous model", "raised the decision threshold for the affected slice"],
  feedback: ["added exploration traffic and retrained", "froze the downstream consumer on the old scores"],
};

// Contributing-class-specific action items; the rest are generic.
export const PREVENT: Record<string, string[]> = {
  orchestration: ["Make {job} idempotent and alert on skipped runs", "Pin DAG versions for {model} pipelines"],
  capacity: ["Reserve GPU quota for {model} retrains", "Load-test the {store} at twice peak"],
  change: ["Require a canary for {model} config pushes", "Block deploys that skip staging for {model}"],
  dependency: ["Add a schema contract test for {table}", "Fail the {model} pipeline on empty upstream partitions"],
  software: ["Add tests for empty and oversized batches in {model} feature code", "Replace the quadratic step in the {model} pipeline"],
  data: ["Add null-rate and row-count checks to the {model} snapshot", "Validate {feature} ranges before training {model}"],
  labels: ["Wait for the label maturity window before training {model}", "Check label rates per day before training {model}"],
  training: ["Add a loss-spike guard and checkpoint rollback to {model} training", "Freeze hyperparameters during continuous training of {model}"],
  compat: ["Version the {model} model and its embedding index together", "Compute {feature} from one shared library online and offline"],
  quality: ["Add a slice-level eval gate for {slice} before promoting {model}", "Shadow new {model} versions for a day before promotion"],
  feedback: ["Register every consumer of {model} outputs", "Reserve exploration traffic for {model}"],
};
export const DETECT = [
  "Alert on {feature} freshness for {model}",
  "Add a drift monitor on {model} score distribution",
  "Page on {metric} drop per region, not only globally",
  "Alert when the {job} for {model} produces fewer rows than usual",
  "Tune noisy {model} alerts so real pages stand out",
];
export const MITIGATE = [
  "Keep the previous {model} version deployable as a one-step fallback",
  "Write a rollback runbook for {model}",
  "Add a circuit breaker around {vendor} calls",
  "Serve cached {model} scores when the {store} is degraded",
];
export const PROCESS = [
  "Review this postmortem at the weekly incident review",
  "Add {model} to the on-call handbook",
  "Run a rollback game day for {model}",
  "Share the timeline with {otherTeam}",
];
