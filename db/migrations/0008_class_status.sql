DROP INDEX `incidents_class_insights_idx`;--> statement-breakpoint
ALTER TABLE `incidents` ADD `class_status` text;--> statement-breakpoint
-- Every class recorded so far was chosen by a person.
UPDATE `incidents` SET `class_status` = 'confirmed' WHERE `primary_class_id` IS NOT NULL;--> statement-breakpoint
CREATE INDEX `incidents_class_insights_idx` ON `incidents` (`top_class_id`,`started_at`,`family`,`is_repeat`,`team`,`severity`,`detection_source`,`detected_at`,`resolved_at`,`class_status`);