CREATE TABLE `imported_fields` (
	`incident_id` integer NOT NULL,
	`field` text NOT NULL,
	`value_hash` text NOT NULL,
	`imported_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`incident_id`, `field`),
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `incident_source_labels` (
	`incident_id` integer NOT NULL,
	`label` text NOT NULL,
	`key` text NOT NULL,
	`class_id` text,
	PRIMARY KEY(`incident_id`, `label`),
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `incident_source_labels_key_idx` ON `incident_source_labels` (`key`,`incident_id`);--> statement-breakpoint
DROP INDEX `incident_models_version_idx`;--> statement-breakpoint
CREATE INDEX `incident_models_version_idx` ON `incident_models` (`model_version_id`,`incident_id`);--> statement-breakpoint
ALTER TABLE `incidents` ADD `started_at_status` text DEFAULT 'confirmed' NOT NULL;--> statement-breakpoint
ALTER TABLE `incidents` ADD `external_id` text;--> statement-breakpoint
CREATE INDEX `incidents_primary_class_started_idx` ON `incidents` (`primary_class_id`,`started_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_external_id_idx` ON `incidents` (`external_id`) WHERE external_id is not null;