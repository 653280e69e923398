#!/usr/bin/env bash
# Creates one database and one role per service that keeps state (auth,
# history): each service owns its data and cannot read the other's. Run once by
# the official postgres image's entrypoint (/docker-entrypoint-initdb.d) when
# the data volume is empty; the passwords come from its environment.
#
# Used by deploy/compose.yaml and (a copy, which tests/deploy checks is
# identical) by the k8s dev overlay's PostgreSQL StatefulSet.
set -euo pipefail
: "${AUTH_DB_PASSWORD:?set AUTH_DB_PASSWORD}"
: "${HISTORY_DB_PASSWORD:?set HISTORY_DB_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v auth_password="$AUTH_DB_PASSWORD" -v history_password="$HISTORY_DB_PASSWORD" <<'SQL'
CREATE ROLE skinlens_auth LOGIN PASSWORD :'auth_password';
CREATE ROLE skinlens_history LOGIN PASSWORD :'history_password';
CREATE DATABASE skinlens_auth OWNER skinlens_auth;
CREATE DATABASE skinlens_history OWNER skinlens_history;
REVOKE ALL ON DATABASE skinlens_auth FROM PUBLIC;
REVOKE ALL ON DATABASE skinlens_history FROM PUBLIC;
SQL
