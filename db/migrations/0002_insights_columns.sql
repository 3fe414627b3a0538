ALTER TABLE `incidents` ADD `primary_class_id` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `top_class_id` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `family` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `is_repeat` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `incidents_insights_idx` ON `incidents` (`started_at`,`top_class_id`,`family`,`is_repeat`,`team`,`severity`,`detection_source`,`detected_at`,`resolved_at`);--> statement-breakpoint
CREATE INDEX `incidents_repeat_idx` ON `incidents` (`primary_class_id`,`team`,`started_at`);--> statement-breakpoint
UPDATE `incidents` SET `primary_class_id` = ic.class_id, `top_class_id` = coalesce(fc.parent_id, fc.id), `family` = fc.family
FROM `incident_classes` ic JOIN `failure_classes` fc ON fc.id = ic.class_id
WHERE ic.incident_id = `incidents`.id AND ic.role = 'primary';
--> statement-breakpoint
UPDATE `incidents` SET `is_repeat` = (id IN (
  SELECT id FROM (
    SELECT id, count(*) OVER (PARTITION BY primary_class_id, team ORDER BY started_at RANGE BETWEEN 15552000000 PRECEDING AND 1 PRECEDING) AS earlier
    FROM `incidents` WHERE primary_class_id IS NOT NULL AND team <> ''
  ) WHERE earlier > 0
  UNION
  SELECT id FROM (
    SELECT x.id, count(*) OVER (PARTITION BY x.class_id, x.model_id ORDER BY x.started_at RANGE BETWEEN 15552000000 PRECEDING AND 1 PRECEDING) AS earlier
    FROM (SELECT DISTINCT i.id, i.started_at, i.primary_class_id AS class_id, mv.model_id
      FROM `incidents` i JOIN `incident_models` im ON im.incident_id = i.id JOIN `model_versions` mv ON mv.id = im.model_version_id
      WHERE i.primary_class_id IS NOT NULL) x
  ) WHERE earlier > 0
));
