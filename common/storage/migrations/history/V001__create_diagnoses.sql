-- Stored diagnoses and their per-attribute results (for trends). Portable SQL:
-- the same file runs on SQLite and PostgreSQL. Times are microseconds since the
-- Unix epoch (UTC).
CREATE TABLE diagnoses (
  -- Assigned by the store: 32 random hex digits.
  id TEXT PRIMARY KEY,
  -- The authenticated user; every query is scoped to it.
  user_id TEXT NOT NULL,
  -- The client's request id: a retry with the same key returns the first record.
  idempotency_key TEXT NOT NULL,
  create_time_us BIGINT NOT NULL,
  model_version TEXT NOT NULL,
  -- The whole skinlens.v1.Diagnosis, serialised protobuf (id and create_time set).
  diagnosis BYTEA NOT NULL,
  UNIQUE (user_id, idempotency_key)
);

-- Paging newest first on (create_time_us, id) within one user.
CREATE INDEX diagnoses_user_time ON diagnoses (user_id, create_time_us, id);

-- The photo-level result of each attribute of a diagnosis.
CREATE TABLE diagnosis_attributes (
  diagnosis_id TEXT NOT NULL REFERENCES diagnoses (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  -- skinlens.v1.Attribute number.
  attribute INTEGER NOT NULL,
  create_time_us BIGINT NOT NULL,
  grade INTEGER NOT NULL,
  expected_score DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (diagnosis_id, attribute)
);

CREATE INDEX diagnosis_attributes_trend
  ON diagnosis_attributes (user_id, attribute, create_time_us);
