-- Console passwords: the argon2id hash in PHC string form, NULL for none.
ALTER TABLE users ADD COLUMN password TEXT;
