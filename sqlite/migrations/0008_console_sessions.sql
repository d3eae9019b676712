-- The console's sign-in: a token is an API token, a console session or a one-time sign-in
-- link. Sessions and links expire; a link is revoked when it is used.
ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api';
ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
