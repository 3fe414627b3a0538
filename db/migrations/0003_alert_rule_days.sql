CREATE TABLE `alert_rule_days` (
	`rule_name` text NOT NULL,
	`day` integer NOT NULL,
	`alerts` integer DEFAULT 0 NOT NULL,
	`fires` integer DEFAULT 0 NOT NULL,
	`deliveries` integer DEFAULT 0 NOT NULL,
	`real_alerts` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`rule_name`, `day`)
);
--> statement-breakpoint
CREATE INDEX `alert_rule_days_day_idx` ON `alert_rule_days` (`day`);--> statement-breakpoint
-- Triggers keep alert_rule_days exact whatever writes alerts (ingest, triage, links, imports).
-- An alert is "real" when it led to an incident that left draft, or was triaged actionable; noise never is.
CREATE TRIGGER `alert_rule_days_ai` AFTER INSERT ON `alerts` BEGIN
  INSERT INTO alert_rule_days (rule_name, day, alerts, fires, deliveries, real_alerts)
  VALUES (new.rule_name, new.first_received_at / 86400000, 1, new.fire_count, new.delivery_count, (new.triage <> 'noise' AND (new.triage = 'actionable' OR coalesce((SELECT status FROM incidents WHERE id = new.incident_id), 'draft') <> 'draft')))
  ON CONFLICT (rule_name, day) DO UPDATE SET alerts = alerts + excluded.alerts, fires = fires + excluded.fires,
    deliveries = deliveries + excluded.deliveries, real_alerts = real_alerts + excluded.real_alerts;
END;
--> statement-breakpoint
CREATE TRIGGER `alert_rule_days_ad` AFTER DELETE ON `alerts` BEGIN
  UPDATE alert_rule_days SET alerts = alerts - 1, fires = fires - old.fire_count, deliveries = deliveries - old.delivery_count,
    real_alerts = real_alerts - (old.triage <> 'noise' AND (old.triage = 'actionable' OR coalesce((SELECT status FROM incidents WHERE id = old.incident_id), 'draft') <> 'draft'))
  WHERE rule_name = old.rule_name AND day = old.first_received_at / 86400000;
END;
--> statement-breakpoint
CREATE TRIGGER `alert_rule_days_au` AFTER UPDATE OF rule_name, first_received_at, fire_count, delivery_count, triage, incident_id ON `alerts` BEGIN
  UPDATE alert_rule_days SET alerts = alerts - 1, fires = fires - old.fire_count, deliveries = deliveries - old.delivery_count,
    real_alerts = real_alerts - (old.triage <> 'noise' AND (old.triage = 'actionable' OR coalesce((SELECT status FROM incidents WHERE id = old.incident_id), 'draft') <> 'draft'))
  WHERE rule_name = old.rule_name AND day = old.first_received_at / 86400000;
  INSERT INTO alert_rule_days (rule_name, day, alerts, fires, deliveries, real_alerts)
  VALUES (new.rule_name, new.first_received_at / 86400000, 1, new.fire_count, new.delivery_count, (new.triage <> 'noise' AND (new.triage = 'actionable' OR coalesce((SELECT status FROM incidents WHERE id = new.incident_id), 'draft') <> 'draft')))
  ON CONFLICT (rule_name, day) DO UPDATE SET alerts = alerts + excluded.alerts, fires = fires + excluded.fires,
    deliveries = deliveries + excluded.deliveries, real_alerts = real_alerts + excluded.real_alerts;
END;
--> statement-breakpoint
CREATE TRIGGER `alert_rule_days_incident_status` AFTER UPDATE OF status ON `incidents`
WHEN (old.status = 'draft') <> (new.status = 'draft') BEGIN
  INSERT INTO alert_rule_days (rule_name, day, real_alerts)
  SELECT rule_name, first_received_at / 86400000, count(*) * (CASE WHEN new.status = 'draft' THEN -1 ELSE 1 END)
  FROM alerts WHERE incident_id = new.id AND triage = 'unreviewed' GROUP BY 1, 2
  ON CONFLICT (rule_name, day) DO UPDATE SET real_alerts = real_alerts + excluded.real_alerts;
END;
--> statement-breakpoint
INSERT INTO alert_rule_days (rule_name, day, alerts, fires, deliveries, real_alerts)
SELECT a.rule_name, a.first_received_at / 86400000, count(*), sum(a.fire_count), sum(a.delivery_count),
  sum(a.triage <> 'noise' AND (a.triage = 'actionable' OR coalesce(i.status, 'draft') <> 'draft'))
FROM alerts a LEFT JOIN incidents i ON i.id = a.incident_id GROUP BY 1, 2;
