DROP INDEX `action_items_incident_idx`;--> statement-breakpoint
CREATE INDEX `action_items_incident_idx` ON `action_items` (`incident_id`,`status`,`due_at`,`completed_at`,`created_at`);