-- Accounts and their sessions. Portable SQL: the same file runs on SQLite and
-- PostgreSQL. Times are microseconds since the Unix epoch (UTC).
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  -- The username folded to lower case: usernames are unique case-insensitively.
  username_key TEXT NOT NULL UNIQUE,
  -- argon2id in the PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
  password_hash TEXT NOT NULL,
  create_time_us BIGINT NOT NULL
);

CREATE TABLE sessions (
  -- SHA-256 of the token, lower-case hex; the token itself is never stored.
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  create_time_us BIGINT NOT NULL,
  expire_time_us BIGINT NOT NULL,
  last_used_time_us BIGINT NOT NULL,
  user_agent TEXT NOT NULL DEFAULT ''
);

CREATE INDEX sessions_user_id ON sessions (user_id);
