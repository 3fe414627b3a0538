CREATE TABLE `incident_deliveries` (
	`incident_id` integer NOT NULL,
	`delivery_id` integer NOT NULL,
	PRIMARY KEY(`incident_id`, `delivery_id`),
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`delivery_id`) REFERENCES `alert_deliveries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `incident_deliveries_delivery_idx` ON `incident_deliveries` (`delivery_id`);--> statement-breakpoint
CREATE TABLE `sign_in_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`window_start` integer NOT NULL,
	`last_failure_at` integer NOT NULL,
	`lockouts` integer DEFAULT 0 NOT NULL,
	`blocked_until` integer
);
--> statement-breakpoint
-- Deliveries from before citations were recorded: an incident cites every processed delivery of its alerts' sender received while those alerts were (over-citing only keeps more).
INSERT OR IGNORE INTO `incident_deliveries` (`incident_id`, `delivery_id`)
SELECT a.`incident_id`, d.`id` FROM `alerts` a
JOIN `alert_deliveries` d ON d.`sender` = a.`sender` AND d.`outcome` = 'processed' AND d.`received_at` BETWEEN a.`first_received_at` AND a.`last_received_at`
WHERE a.`incident_id` IS NOT NULL;
