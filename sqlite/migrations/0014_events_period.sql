-- The transparency figures read a period's events, and a kind's events before it (the
-- qualifications and issued measures that earlier events in the period refer to), without
-- scanning the whole record.
CREATE INDEX events_at ON events (at);
CREATE INDEX events_kind_at ON events (kind, at);
