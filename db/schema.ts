import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

// Times are integer milliseconds since the epoch (UTC): cheap to compare, subtract and index.
const ms = (name: string) => integer(name, { mode: "number" });
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const ROLES = ["viewer", "editor", "admin"] as const;
export const INCIDENT_STATUSES = [
  "draft",
  "investigating",
  "mitigated",
  "resolved",
  "in_review",
  "closed",
] as const;
export const SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"] as const;
export const DETECTION_SOURCES = ["alert", "user_report", "dashboard", "test", "other"] as const;
export const MANUAL_TIMELINE_KINDS = [
  "alert",
  "observation",
  "action",
  "deploy",
  "rollback",
  "retrain",
  "note",
] as const;
// "status" entries are written by status changes (with the times people confirmed), never typed in by hand.
export const TIMELINE_KINDS = [...MANUAL_TIMELINE_KINDS, "status"] as const;
// What set the failure off, and where in the ML lifecycle it arose (Shankar et al. 2022; SRE Workbook app. C).
export const TRIGGERS = [
  "binary_push",
  "config_push",
  "user_behaviour",
  "pipeline",
  "provider_change",
  "performance_decay",
  "capacity",
  "hardware",
] as const;
export const LIFECYCLE_STAGES = [
  "data_collection",
  "experimentation",
  "evaluation_deployment",
  "monitoring_response",
] as const;
export const CLASS_STATUSES = ["suggested", "confirmed"] as const;
/** A start time a person gave (or an import file stated), or one the app suggested that a person still has to confirm. */
export const TIME_STATUSES = ["confirmed", "suggested"] as const;
export const ACTION_STATUSES = ["open", "done", "wont_do"] as const;
export const ACTION_KINDS = ["prevent", "detect", "mitigate", "process"] as const;
export const TOKEN_SCOPES = ["webhook", "api"] as const;
export const MODEL_VERSION_STATUSES = [
  "serving",
  "canary",
  "shadow",
  "backup",
  "retired",
  "rolled_back",
] as const;
export const ALERT_TRIAGE = ["unreviewed", "actionable", "noise"] as const;
export const INCIDENT_MODEL_ROLES = [
  "suspected_cause",
  "affected",
  "rolled_back_from",
  "rolled_back_to",
] as const;

export const users = sqliteTable("users", {
  id: integer("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  role: text("role", { enum: ROLES }).notNull(),
  passwordHash: text("password_hash").notNull(),
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
  createdAt: ms("created_at").notNull().default(now),
});

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: ms("expires_at").notNull(),
    createdAt: ms("created_at").notNull().default(now),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Failed sign-ins per throttle key ("account:<email>" or "address:<client address>"). A key that reaches the
 * threshold within the window is blocked until `blockedUntil`; each lockout in a row doubles the next one.
 */
export const signInThrottle = sqliteTable("sign_in_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStart: ms("window_start").notNull(),
  lastFailureAt: ms("last_failure_at").notNull(),
  lockouts: integer("lockouts").notNull().default(0),
  blockedUntil: ms("blocked_until"),
});

export const apiTokens = sqliteTable("api_tokens", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  scope: text("scope", { enum: TOKEN_SCOPES }).notNull(),
  createdBy: integer("created_by").references(() => users.id),
  createdAt: ms("created_at").notNull().default(now),
  lastUsedAt: ms("last_used_at"),
  revokedAt: ms("revoked_at"),
});

export const incidents = sqliteTable(
  "incidents",
  {
    id: integer("id").primaryKey(),
    title: text("title").notNull(),
    status: text("status", { enum: INCIDENT_STATUSES }).notNull().default("draft"),
    severity: text("severity", { enum: SEVERITIES }).notNull(),
    team: text("team").notNull().default(""),
    summary: text("summary").notNull().default(""),
    impact: text("impact").notNull().default(""),
    detectionSource: text("detection_source", { enum: DETECTION_SOURCES }),
    startedAt: ms("started_at").notNull(),
    detectedAt: ms("detected_at"),
    mitigatedAt: ms("mitigated_at"),
    resolvedAt: ms("resolved_at"),
    postmortemMd: text("postmortem_md").notNull().default(""),
    postmortemRev: integer("postmortem_rev").notNull().default(0),
    trigger: text("trigger", { enum: TRIGGERS }),
    lifecycleStage: text("lifecycle_stage", { enum: LIFECYCLE_STAGES }),
    ownerId: integer("owner_id").references(() => users.id),
    // The person running the response (the owner answers for the write-up and its follow-through).
    leadId: integer("lead_id").references(() => users.id),
    source: text("source", { enum: ["manual", "webhook"] }).notNull().default("manual"),
    groupKey: text("group_key"),
    version: integer("version").notNull().default(1),
    createdAt: ms("created_at").notNull().default(now),
    updatedAt: ms("updated_at").notNull().default(now),
    // Copies kept in step by the classification code so insights aggregate one table (see docs/decisions/005).
    primaryClassId: text("primary_class_id"),
    topClassId: text("top_class_id"),
    family: text("family", { enum: ["ml", "non-ml"] }),
    // Whether a person confirmed the primary class or the classifier only suggested it (null: unclassified).
    classStatus: text("class_status", { enum: CLASS_STATUSES }),
    isRepeat: integer("is_repeat", { mode: "boolean" }).notNull().default(false),
    startedAtStatus: text("started_at_status", { enum: TIME_STATUSES }).notNull().default("confirmed"),
    // The id of the imported record ("uuid:…", "id:…" or "url:…"): re-imports find the incident by it first.
    externalId: text("external_id"),
  },
  (t) => [
    index("incidents_started_idx").on(t.startedAt),
    index("incidents_repeat_idx").on(t.primaryClassId, t.team, t.startedAt),
    // Covers every insights aggregate: by class, then start time, so per-class counts and groups need no sort.
    index("incidents_class_insights_idx").on(
      t.topClassId,
      t.startedAt,
      t.family,
      t.isRepeat,
      t.team,
      t.severity,
      t.detectionSource,
      t.detectedAt,
      t.resolvedAt,
      t.classStatus,
    ),
    index("incidents_status_started_idx").on(t.status, t.startedAt),
    index("incidents_team_started_idx").on(t.team, t.startedAt),
    index("incidents_severity_started_idx").on(t.severity, t.startedAt),
    index("incidents_severity_status_started_idx").on(t.severity, t.status, t.startedAt),
    index("incidents_group_key_idx").on(t.groupKey, t.status),
    // The triage queue: unclassified and suggested incidents, newest first.
    index("incidents_class_status_started_idx").on(t.classStatus, t.startedAt),
    // The list's class filter (a subclass, or unclassified: null) in list order.
    index("incidents_primary_class_started_idx").on(t.primaryClassId, t.startedAt),
    uniqueIndex("incidents_external_id_idx").on(t.externalId).where(sql`external_id is not null`),
    // "My work": the incidents a person owns or leads.
    index("incidents_owner_idx").on(t.ownerId, t.status),
    index("incidents_lead_idx").on(t.leadId, t.status),
    check("incidents_detected_after_start", sql`${t.detectedAt} is null or ${t.detectedAt} >= ${t.startedAt}`),
  ],
);

export const failureClasses = sqliteTable(
  "failure_classes",
  {
    id: text("id").primaryKey(),
    parentId: text("parent_id"),
    family: text("family", { enum: ["ml", "non-ml"] }),
    kind: text("kind", { enum: ["class", "factor"] }).notNull().default("class"),
    name: text("name").notNull(),
    position: integer("position").notNull().default(0),
    status: text("status", { enum: ["active", "retired"] }).notNull().default("active"),
  },
  (t) => [index("failure_classes_parent_idx").on(t.parentId)],
);

export const incidentClasses = sqliteTable(
  "incident_classes",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    classId: text("class_id")
      .notNull()
      .references(() => failureClasses.id),
    role: text("role", { enum: ["primary", "contributing", "factor"] }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.classId] }),
    index("incident_classes_class_idx").on(t.classId, t.role),
    // Exactly one primary class per classified incident.
    uniqueIndex("incident_classes_one_primary").on(t.incidentId).where(sql`role = 'primary'`),
  ],
);

/**
 * Every time the primary class a person records differs from the one before (a correction, or a suggestion
 * confirmed as something else): how often a class is changed after first classification shows unclear definitions.
 */
export const classChanges = sqliteTable(
  "class_changes",
  {
    id: integer("id").primaryKey(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    fromClassId: text("from_class_id").notNull(),
    // Whether the replaced class had been confirmed by a person or only suggested by the classifier.
    fromStatus: text("from_status", { enum: CLASS_STATUSES }).notNull(),
    toClassId: text("to_class_id").notNull(),
    actorId: integer("actor_id").references(() => users.id),
    actorLabel: text("actor_label").notNull(),
    at: ms("at").notNull().default(now),
  },
  (t) => [index("class_changes_from_idx").on(t.fromClassId, t.fromStatus), index("class_changes_incident_idx").on(t.incidentId)],
);

/**
 * The labels an imported file gave an incident (categories, tags, GMF labels…), as written, with the class each one
 * mapped to when it was imported (null: unmapped). Nothing is dropped; `key` is the label lowercased with spaces and
 * underscores as "-", for filters and search.
 */
export const incidentSourceLabels = sqliteTable(
  "incident_source_labels",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    key: text("key").notNull(),
    classId: text("class_id"),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.label] }), index("incident_source_labels_key_idx").on(t.key, t.incidentId)],
);

/**
 * What the last import wrote into each field of an incident (sha-256 of the value): a re-import changes a field only
 * while it still holds that value, so what a person changed since is kept and reported as a conflict.
 */
export const importedFields = sqliteTable(
  "imported_fields",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    field: text("field").notNull(),
    valueHash: text("value_hash").notNull(),
    importedAt: ms("imported_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.field] })],
);

export const timelineEvents = sqliteTable(
  "timeline_events",
  {
    id: integer("id").primaryKey(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    at: ms("at").notNull(),
    kind: text("kind", { enum: TIMELINE_KINDS }).notNull(),
    body: text("body").notNull(),
    alertId: integer("alert_id"),
    authorId: integer("author_id").references(() => users.id),
    createdAt: ms("created_at").notNull().default(now),
  },
  (t) => [index("timeline_incident_at_idx").on(t.incidentId, t.at)],
);

export const actionItems = sqliteTable(
  "action_items",
  {
    id: integer("id").primaryKey(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    // Free text as imported or typed before people were assignable; `assigneeId` is the person.
    owner: text("owner").notNull().default(""),
    assigneeId: integer("assignee_id").references(() => users.id, { onDelete: "set null" }),
    dueAt: ms("due_at"),
    status: text("status", { enum: ACTION_STATUSES }).notNull().default("open"),
    kind: text("kind", { enum: ACTION_KINDS }).notNull(),
    completedAt: ms("completed_at"),
    createdAt: ms("created_at").notNull().default(now),
  },
  (t) => [
    // Covers the insights action-item aggregates per incident.
    index("action_items_incident_idx").on(t.incidentId, t.status, t.dueAt, t.completedAt, t.createdAt),
    index("action_items_status_due_idx").on(t.status, t.dueAt),
    index("action_items_assignee_idx").on(t.assigneeId, t.status, t.dueAt),
  ],
);

export const alertDeliveries = sqliteTable(
  "alert_deliveries",
  {
    id: integer("id").primaryKey(),
    sender: text("sender").notNull(),
    receivedAt: ms("received_at").notNull().default(now),
    headers: text("headers").notNull(),
    body: text("body").notNull(),
    bodyHash: text("body_hash").notNull(),
    tokenId: integer("token_id"),
    outcome: text("outcome").notNull().default("received"),
    error: text("error"),
    alertCount: integer("alert_count").notNull().default(0),
  },
  (t) => [
    index("alert_deliveries_received_idx").on(t.receivedAt),
    index("alert_deliveries_hash_idx").on(t.sender, t.bodyHash),
  ],
);

/** The deliveries whose alerts an incident collected: retention never prunes a delivery an incident cites. */
export const incidentDeliveries = sqliteTable(
  "incident_deliveries",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    deliveryId: integer("delivery_id")
      .notNull()
      .references(() => alertDeliveries.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.deliveryId] }), index("incident_deliveries_delivery_idx").on(t.deliveryId)],
);

export const models = sqliteTable("models", {
  id: integer("id").primaryKey(),
  name: text("name").notNull().unique(),
  team: text("team").notNull().default(""),
  description: text("description").notNull().default(""),
  createdAt: ms("created_at").notNull().default(now),
});

export const modelVersions = sqliteTable(
  "model_versions",
  {
    id: integer("id").primaryKey(),
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    status: text("status", { enum: MODEL_VERSION_STATUSES }).notNull().default("serving"),
    deployedAt: ms("deployed_at"),
    retiredAt: ms("retired_at"),
    trainingDataRef: text("training_data_ref").notNull().default(""),
    codeRef: text("code_ref").notNull().default(""),
    notes: text("notes").notNull().default(""),
    createdAt: ms("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("model_versions_model_version_idx").on(t.modelId, t.version)],
);

export const alerts = sqliteTable(
  "alerts",
  {
    id: integer("id").primaryKey(),
    sender: text("sender").notNull(),
    fingerprint: text("fingerprint").notNull(),
    ruleName: text("rule_name").notNull(),
    status: text("status", { enum: ["firing", "resolved"] }).notNull(),
    severity: text("severity"),
    labels: text("labels").notNull().default("{}"),
    annotations: text("annotations").notNull().default("{}"),
    startsAt: ms("starts_at"),
    endsAt: ms("ends_at"),
    firstReceivedAt: ms("first_received_at").notNull(),
    lastReceivedAt: ms("last_received_at").notNull(),
    fireCount: integer("fire_count").notNull().default(1),
    deliveryCount: integer("delivery_count").notNull().default(1),
    incidentId: integer("incident_id").references(() => incidents.id, { onDelete: "set null" }),
    modelVersionId: integer("model_version_id").references(() => modelVersions.id),
    triage: text("triage", { enum: ALERT_TRIAGE })
      .notNull()
      .default("unreviewed"),
  },
  (t) => [
    uniqueIndex("alerts_sender_fingerprint_idx").on(t.sender, t.fingerprint),
    // The inbox filtered by rule, newest first, reads one range of this in order (rowid breaks ties, as id desc does).
    index("alerts_rule_received_idx").on(t.ruleName, t.lastReceivedAt),
    index("alerts_incident_idx").on(t.incidentId),
    index("alerts_last_received_idx").on(t.lastReceivedAt),
    index("alerts_status_received_idx").on(t.status, t.lastReceivedAt),
  ],
);

/**
 * Per alert rule and day of first receipt: alerts, firings, notifications and how many alerts led to a real
 * incident. Kept exact by triggers (migration 0003) so rule precision over any range reads a few rows.
 */
export const alertRuleDays = sqliteTable(
  "alert_rule_days",
  {
    ruleName: text("rule_name").notNull(),
    day: integer("day").notNull(),
    alerts: integer("alerts").notNull().default(0),
    fires: integer("fires").notNull().default(0),
    deliveries: integer("deliveries").notNull().default(0),
    realAlerts: integer("real_alerts").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.ruleName, t.day] }), index("alert_rule_days_day_idx").on(t.day)],
);

export const incidentModels = sqliteTable(
  "incident_models",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    modelVersionId: integer("model_version_id")
      .notNull()
      .references(() => modelVersions.id, { onDelete: "cascade" }),
    role: text("role", { enum: INCIDENT_MODEL_ROLES }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.modelVersionId, t.role] }),
    // Covers "incidents linked to this model's versions" (the incidents list's model filter).
    index("incident_models_version_idx").on(t.modelVersionId, t.incidentId),
  ],
);

export const postmortemRevisions = sqliteTable(
  "postmortem_revisions",
  {
    id: integer("id").primaryKey(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    rev: integer("rev").notNull(),
    markdown: text("markdown").notNull(),
    authorId: integer("author_id").references(() => users.id),
    createdAt: ms("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("postmortem_revisions_incident_rev_idx").on(t.incidentId, t.rev)],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey(),
    at: ms("at").notNull().default(now),
    actorId: integer("actor_id").references(() => users.id),
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    entity: text("entity").notNull(),
    entityId: text("entity_id").notNull(),
    detail: text("detail").notNull().default("{}"),
  },
  (t) => [
    index("audit_log_entity_idx").on(t.entity, t.entityId, t.at),
    index("audit_log_at_idx").on(t.at),
  ],
);

export const REVIEW_STATES = ["requested", "approved", "changes_requested"] as const;

/** One reviewer asked to review one incident's postmortem, and where their review stands. */
export const reviewRequests = sqliteTable(
  "review_requests",
  {
    id: integer("id").primaryKey(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    reviewerId: integer("reviewer_id")
      .notNull()
      .references(() => users.id),
    requestedBy: integer("requested_by").references(() => users.id),
    state: text("state", { enum: REVIEW_STATES }).notNull().default("requested"),
    requestedAt: ms("requested_at").notNull().default(now),
    decidedAt: ms("decided_at"),
  },
  (t) => [
    uniqueIndex("review_requests_incident_reviewer_idx").on(t.incidentId, t.reviewerId),
    index("review_requests_reviewer_idx").on(t.reviewerId, t.state),
  ],
);

/** A comment on an incident's postmortem, optionally quoting a passage of it, optionally carrying a verdict. */
export const reviewComments = sqliteTable(
  "review_comments",
  {
    id: integer("id").primaryKey(),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    authorId: integer("author_id").references(() => users.id),
    body: text("body").notNull(),
    quote: text("quote").notNull().default(""),
    verdict: text("verdict", { enum: ["approved", "changes_requested"] }),
    createdAt: ms("created_at").notNull().default(now),
  },
  (t) => [index("review_comments_incident_idx").on(t.incidentId, t.createdAt)],
);

export const NOTIFICATION_EVENTS = [
  "draft_opened",
  "assigned",
  "review_requested",
  "review_decided",
  "mentioned",
  "action_digest",
] as const;
export const CHANNEL_KINDS = ["slack", "webhook"] as const;
export const TRANSPORTS = ["email", ...CHANNEL_KINDS] as const;

/** Chat and webhook destinations an admin configured (email goes over SMTP, set by SMTP_URL). */
export const notificationChannels = sqliteTable("notification_channels", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  kind: text("kind", { enum: CHANNEL_KINDS }).notNull(),
  url: text("url").notNull(),
  // Signs generic webhook bodies (HMAC-SHA256); unused for Slack.
  secret: text("secret"),
  // JSON array of NOTIFICATION_EVENTS this channel receives.
  events: text("events").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  createdAt: ms("created_at").notNull().default(now),
});

/**
 * One message to deliver, written in the transaction of the event it tells about. `dedupeKey` makes enqueueing
 * idempotent and travels with the message so a receiver can drop the rare repeat (see docs/decisions/012).
 */
export const notificationOutbox = sqliteTable(
  "notification_outbox",
  {
    id: integer("id").primaryKey(),
    dedupeKey: text("dedupe_key").notNull().unique(),
    event: text("event", { enum: NOTIFICATION_EVENTS }).notNull(),
    transport: text("transport", { enum: TRANSPORTS }).notNull(),
    channelId: integer("channel_id").references(() => notificationChannels.id, { onDelete: "set null" }),
    recipient: text("recipient"),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    link: text("link").notNull().default(""),
    status: text("status", { enum: ["pending", "sent", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: ms("next_attempt_at").notNull().default(now),
    leaseOwner: text("lease_owner"),
    leaseUntil: ms("lease_until"),
    lastError: text("last_error"),
    createdAt: ms("created_at").notNull().default(now),
    sentAt: ms("sent_at"),
  },
  (t) => [
    index("notification_outbox_due_idx").on(t.status, t.nextAttemptAt),
    index("notification_outbox_created_idx").on(t.createdAt),
  ],
);

/** Settings an admin changes at run time (env vars cover the rest): one JSON value per key. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedBy: integer("updated_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: ms("updated_at").notNull().default(now),
});

export type User = typeof users.$inferSelect;
export type Incident = typeof incidents.$inferSelect;
export type Role = (typeof ROLES)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
