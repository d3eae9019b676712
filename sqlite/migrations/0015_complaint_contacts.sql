-- When a complainant's contact was purged, its retention over (the sealed contact emptied).
ALTER TABLE complaints ADD COLUMN contact_purged_at INTEGER;
