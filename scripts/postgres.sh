#!/usr/bin/env bash
# A real PostgreSQL server on loopback, for tests and local use.
#   scripts/postgres.sh start | stop | status | url [DATABASE]
# Installs Debian's server package when missing. PostgreSQL refuses to run as root, so the
# cluster belongs to the postgres user; its files live under $LUOHU_POSTGRES_HOME.
set -euo pipefail

home=${LUOHU_POSTGRES_HOME:-/var/tmp/luohu/postgres}
port=${LUOHU_POSTGRES_PORT:-55432}
user=luohu
password=${LUOHU_POSTGRES_PASSWORD:-luohu}

as_postgres() {
  if [[ $(id -un) == postgres ]]; then "$@"; else runuser -u postgres -- "$@"; fi
}

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -z "$dir" ]]; then
    echo "postgres: installing Debian's server package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$dir"
}

running() { [[ -f "$home/data/postmaster.pid" ]] && as_postgres "$(bindir)/pg_ctl" -D "$home/data" status >/dev/null 2>&1; }

start() {
  local bin; bin=$(bindir)
  if running; then echo "postgres: already running on 127.0.0.1:$port"; return; fi
  mkdir -p "$home"
  chown postgres:postgres "$home"
  if [[ ! -f "$home/data/PG_VERSION" ]]; then
    echo "$password" > "$home/.pwfile"
    chown postgres:postgres "$home/.pwfile"
    chmod 600 "$home/.pwfile"
    as_postgres "$bin/initdb" -D "$home/data" -U postgres -A scram-sha-256 \
      --pwfile="$home/.pwfile" >/dev/null
    rm -f "$home/.pwfile"
  fi
  as_postgres "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 start \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" >/dev/null
  PGPASSWORD=$password psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname = '$user'" | grep -q 1 ||
    PGPASSWORD=$password psql -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c \
      "CREATE ROLE $user LOGIN CREATEDB PASSWORD '$password'"
  echo "postgres: ready on 127.0.0.1:$port"
}

stop() {
  if ! running; then echo "postgres: not running"; return; fi
  as_postgres "$(bindir)/pg_ctl" -D "$home/data" -w -m fast stop >/dev/null
  echo "postgres: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "postgres: running on 127.0.0.1:$port"; else echo "postgres: stopped"; exit 1; fi ;;
  url) echo "postgresql+psycopg://$user:$password@127.0.0.1:$port/${2:-postgres}" ;;
  *) echo "usage: $0 start|stop|status|url [DATABASE]" >&2; exit 2 ;;
esac
