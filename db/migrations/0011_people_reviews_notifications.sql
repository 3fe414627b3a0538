CREATE TABLE `notification_channels` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`url` text NOT NULL,
	`secret` text,
	`events` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notification_outbox` (
	`id` integer PRIMARY KEY NOT NULL,
	`dedupe_key` text NOT NULL,
	`event` text NOT NULL,
	`transport` text NOT NULL,
	`channel_id` integer,
	`recipient` text,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`link` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`last_error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`channel_id`) REFERENCES `notification_channels`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_outbox_dedupe_key_unique` ON `notification_outbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `notification_outbox_due_idx` ON `notification_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `notification_outbox_created_idx` ON `notification_outbox` (`created_at`);--> statement-breakpoint
CREATE TABLE `review_comments` (
	`id` integer PRIMARY KEY NOT NULL,
	`incident_id` integer NOT NULL,
	`author_id` integer,
	`body` text NOT NULL,
	`quote` text DEFAULT '' NOT NULL,
	`verdict` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `review_comments_incident_idx` ON `review_comments` (`incident_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `review_requests` (
	`id` integer PRIMARY KEY NOT NULL,
	`incident_id` integer NOT NULL,
	`reviewer_id` integer NOT NULL,
	`requested_by` integer,
	`state` text DEFAULT 'requested' NOT NULL,
	`requested_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`decided_at` integer,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `review_requests_incident_reviewer_idx` ON `review_requests` (`incident_id`,`reviewer_id`);--> statement-breakpoint
CREATE INDEX `review_requests_reviewer_idx` ON `review_requests` (`reviewer_id`,`state`);--> statement-breakpoint
ALTER TABLE `action_items` ADD `assignee_id` integer REFERENCES users(id);--> statement-breakpoint
CREATE INDEX `action_items_assignee_idx` ON `action_items` (`assignee_id`,`status`,`due_at`);--> statement-breakpoint
ALTER TABLE `incidents` ADD `lead_id` integer REFERENCES users(id);--> statement-breakpoint
CREATE INDEX `incidents_owner_idx` ON `incidents` (`owner_id`,`status`);--> statement-breakpoint
CREATE INDEX `incidents_lead_idx` ON `incidents` (`lead_id`,`status`);