#!/usr/bin/env bash
# One database per service, each owned by the service's own role, so that a service never
# reads another service's tables (docs/operations.md, "The services"). The postgres image runs this once, as the
# superuser, when its data volume is first initialised (compose mounts it in
# /docker-entrypoint-initdb.d). The same script prepares any PostgreSQL 15+ server, as a
# superuser with psql: LUOHU_DATABASES="hukou housing ..." HUKOU_DB_PASSWORD=... bash init.sh
# LUOHU_DATABASES names the services (compose lists those of shared/registry.py); each one's
# password comes from <SERVICE>_DB_PASSWORD in the environment, never from this file: a missing
# one stops the script before anything of that service is created.
set -euo pipefail

: "${LUOHU_DATABASES:?set LUOHU_DATABASES to the services, e.g. \"hukou housing\"}"
for service in $LUOHU_DATABASES; do
  variable="${service^^}_DB_PASSWORD"
  password="${!variable:?set $variable, the password of role $service}"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v service="$service" -v password="$password" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
SQL
done
