CREATE TABLE `action_items` (
	`id` integer PRIMARY KEY NOT NULL,
	`incident_id` integer NOT NULL,
	`title` text NOT NULL,
	`owner` text DEFAULT '' NOT NULL,
	`due_at` integer,
	`status` text DEFAULT 'open' NOT NULL,
	`kind` text NOT NULL,
	`completed_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `action_items_incident_idx` ON `action_items` (`incident_id`);--> statement-breakpoint
CREATE INDEX `action_items_status_due_idx` ON `action_items` (`status`,`due_at`);--> statement-breakpoint
CREATE TABLE `alert_deliveries` (
	`id` integer PRIMARY KEY NOT NULL,
	`sender` text NOT NULL,
	`received_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`headers` text NOT NULL,
	`body` text NOT NULL,
	`body_hash` text NOT NULL,
	`token_id` integer,
	`outcome` text DEFAULT 'received' NOT NULL,
	`error` text,
	`alert_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alert_deliveries_received_idx` ON `alert_deliveries` (`received_at`);--> statement-breakpoint
CREATE INDEX `alert_deliveries_hash_idx` ON `alert_deliveries` (`sender`,`body_hash`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY NOT NULL,
	`sender` text NOT NULL,
	`fingerprint` text NOT NULL,
	`rule_name` text NOT NULL,
	`status` text NOT NULL,
	`severity` text,
	`labels` text DEFAULT '{}' NOT NULL,
	`annotations` text DEFAULT '{}' NOT NULL,
	`starts_at` integer,
	`ends_at` integer,
	`first_received_at` integer NOT NULL,
	`last_received_at` integer NOT NULL,
	`fire_count` integer DEFAULT 1 NOT NULL,
	`delivery_count` integer DEFAULT 1 NOT NULL,
	`incident_id` integer,
	`model_version_id` integer,
	`triage` text DEFAULT 'unreviewed' NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`model_version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_sender_fingerprint_idx` ON `alerts` (`sender`,`fingerprint`);--> statement-breakpoint
CREATE INDEX `alerts_rule_idx` ON `alerts` (`rule_name`);--> statement-breakpoint
CREATE INDEX `alerts_incident_idx` ON `alerts` (`incident_id`);--> statement-breakpoint
CREATE INDEX `alerts_last_received_idx` ON `alerts` (`last_received_at`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`scope` text NOT NULL,
	`created_by` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY NOT NULL,
	`at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`actor_id` integer,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_log_entity_idx` ON `audit_log` (`entity`,`entity_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `failure_classes` (
	`id` text PRIMARY KEY NOT NULL,
	`parent_id` text,
	`family` text,
	`kind` text DEFAULT 'class' NOT NULL,
	`name` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'active' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `failure_classes_parent_idx` ON `failure_classes` (`parent_id`);--> statement-breakpoint
CREATE TABLE `incident_classes` (
	`incident_id` integer NOT NULL,
	`class_id` text NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`incident_id`, `class_id`),
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`class_id`) REFERENCES `failure_classes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `incident_classes_class_idx` ON `incident_classes` (`class_id`,`role`);--> statement-breakpoint
CREATE UNIQUE INDEX `incident_classes_one_primary` ON `incident_classes` (`incident_id`) WHERE role = 'primary';--> statement-breakpoint
CREATE TABLE `incident_models` (
	`incident_id` integer NOT NULL,
	`model_version_id` integer NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`incident_id`, `model_version_id`, `role`),
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`model_version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `incident_models_version_idx` ON `incident_models` (`model_version_id`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` integer PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`severity` text NOT NULL,
	`team` text DEFAULT '' NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`impact` text DEFAULT '' NOT NULL,
	`detection_source` text,
	`started_at` integer NOT NULL,
	`detected_at` integer,
	`mitigated_at` integer,
	`resolved_at` integer,
	`postmortem_md` text DEFAULT '' NOT NULL,
	`postmortem_rev` integer DEFAULT 0 NOT NULL,
	`trigger` text,
	`lifecycle_stage` text,
	`owner_id` integer,
	`source` text DEFAULT 'manual' NOT NULL,
	`group_key` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "incidents_detected_after_start" CHECK("incidents"."detected_at" is null or "incidents"."detected_at" >= "incidents"."started_at")
);
--> statement-breakpoint
CREATE INDEX `incidents_started_idx` ON `incidents` (`started_at`);--> statement-breakpoint
CREATE INDEX `incidents_status_started_idx` ON `incidents` (`status`,`started_at`);--> statement-breakpoint
CREATE INDEX `incidents_team_started_idx` ON `incidents` (`team`,`started_at`);--> statement-breakpoint
CREATE INDEX `incidents_severity_started_idx` ON `incidents` (`severity`,`started_at`);--> statement-breakpoint
CREATE INDEX `incidents_group_key_idx` ON `incidents` (`group_key`,`status`);--> statement-breakpoint
CREATE TABLE `model_versions` (
	`id` integer PRIMARY KEY NOT NULL,
	`model_id` integer NOT NULL,
	`version` text NOT NULL,
	`status` text DEFAULT 'serving' NOT NULL,
	`deployed_at` integer,
	`retired_at` integer,
	`training_data_ref` text DEFAULT '' NOT NULL,
	`code_ref` text DEFAULT '' NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`model_id`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_versions_model_version_idx` ON `model_versions` (`model_id`,`version`);--> statement-breakpoint
CREATE TABLE `models` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`team` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `models_name_unique` ON `models` (`name`);--> statement-breakpoint
CREATE TABLE `postmortem_revisions` (
	`id` integer PRIMARY KEY NOT NULL,
	`incident_id` integer NOT NULL,
	`rev` integer NOT NULL,
	`markdown` text NOT NULL,
	`author_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `postmortem_revisions_incident_rev_idx` ON `postmortem_revisions` (`incident_id`,`rev`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `timeline_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`incident_id` integer NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`alert_id` integer,
	`author_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `timeline_incident_at_idx` ON `timeline_events` (`incident_id`,`at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);