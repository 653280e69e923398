#!/bin/bash
# Starts PostgreSQL; on an empty PGDATA first creates the cluster with the
# superuser POSTGRES_USER (password POSTGRES_PASSWORD, scram-sha-256 over the
# network, trust on the container's own socket), the database POSTGRES_DB, and
# runs /docker-entrypoint-initdb.d/*.sh and *.sql once, as the official image
# does. Then PostgreSQL itself is PID 1.
set -euo pipefail
export POSTGRES_USER="${POSTGRES_USER:-postgres}"
export POSTGRES_DB="${POSTGRES_DB:-postgres}"
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
# The socket's usual place, unless a volume mounted there is not ours (podman
# kube play's volumes ignore fsGroup); then the data folder, which is.
socket_dir=/var/run/postgresql

[[ -w "$socket_dir" ]] || socket_dir="$PGDATA"

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD, the password of the superuser for network log-ins}"
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  echo "skinlens-postgres: creating the cluster in $PGDATA"
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 -D "$PGDATA" > /dev/null
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  # A server on the socket only while the init scripts run.
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=$socket_dir" \
    start > /dev/null
  if [[ "$POSTGRES_DB" != postgres ]]; then
    psql -v ON_ERROR_STOP=1 -h "$socket_dir" -U "$POSTGRES_USER" -d postgres \
      -c "CREATE DATABASE \"$POSTGRES_DB\"" > /dev/null
  fi
  shopt -s nullglob
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) echo "skinlens-postgres: running $f"; PGHOST="$socket_dir" bash "$f" ;;
      *.sql) echo "skinlens-postgres: running $f"
             psql -v ON_ERROR_STOP=1 -h "$socket_dir" -U "$POSTGRES_USER" -d "$POSTGRES_DB" -f "$f" ;;
      *) echo "skinlens-postgres: ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop > /dev/null
  echo "skinlens-postgres: ready for start-up"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c "unix_socket_directories=$socket_dir"
