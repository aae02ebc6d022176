#!/usr/bin/env bash
# Back up the SPARCS Engage database: one pg_dump file in the custom format (compressed, and
# restorable table by table). Run it from cron or a systemd timer; keep the files off the host.
#   deploy/scripts/backup.sh DATABASE_URL_OR_NAME OUT_DIR
# The URL is libpq's (postgresql://user@host:5432/db), not SQLAlchemy's (+psycopg).
set -euo pipefail
db="${1:?database (postgresql://user@host:port/name)}"
out_dir="${2:?folder for the dump}"
mkdir -p "$out_dir"
file="$out_dir/sparcs-engage-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --no-privileges --file="$file.part" "$db"
mv "$file.part" "$file"
echo "$file"
