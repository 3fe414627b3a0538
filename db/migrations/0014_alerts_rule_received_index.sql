DROP INDEX `alerts_rule_idx`;--> statement-breakpoint
CREATE INDEX `alerts_rule_received_idx` ON `alerts` (`rule_name`,`last_received_at`);