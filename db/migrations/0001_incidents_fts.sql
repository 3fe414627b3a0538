-- Full-text index over incidents (title, summary, postmortem), kept in step by triggers.
CREATE VIRTUAL TABLE `incidents_fts` USING fts5(title, summary, postmortem, content='', contentless_delete=1, tokenize='porter unicode61');
--> statement-breakpoint
CREATE TRIGGER `incidents_fts_ai` AFTER INSERT ON `incidents` BEGIN
  INSERT INTO incidents_fts(rowid, title, summary, postmortem) VALUES (new.id, new.title, new.summary, new.postmortem_md);
END;
--> statement-breakpoint
CREATE TRIGGER `incidents_fts_ad` AFTER DELETE ON `incidents` BEGIN
  DELETE FROM incidents_fts WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `incidents_fts_au` AFTER UPDATE OF title, summary, postmortem_md ON `incidents` BEGIN
  DELETE FROM incidents_fts WHERE rowid = old.id;
  INSERT INTO incidents_fts(rowid, title, summary, postmortem) VALUES (new.id, new.title, new.summary, new.postmortem_md);
END;
