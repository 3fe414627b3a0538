CREATE TABLE `class_changes` (
	`id` integer PRIMARY KEY NOT NULL,
	`incident_id` integer NOT NULL,
	`from_class_id` text NOT NULL,
	`from_status` text NOT NULL,
	`to_class_id` text NOT NULL,
	`actor_id` integer,
	`actor_label` text NOT NULL,
	`at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `class_changes_from_idx` ON `class_changes` (`from_class_id`,`from_status`);--> statement-breakpoint
CREATE INDEX `class_changes_incident_idx` ON `class_changes` (`incident_id`);--> statement-breakpoint
CREATE INDEX `incidents_class_status_started_idx` ON `incidents` (`class_status`,`started_at`);