#!/usr/bin/env bash
# Restore a dump of backup.sh into an EMPTY database (create it first: createdb NAME), then
# check it with `sparcs-engage db check`. Stop the app processes while restoring over the
# database they use; afterwards run the migrations (a dump of an older release) and start them.
#   deploy/scripts/restore.sh DUMP_FILE DATABASE_URL_OR_NAME
set -euo pipefail
dump="${1:?dump file}"
db="${2:?empty target database}"
pg_restore --exit-on-error --no-owner --no-privileges --single-transaction --dbname="$db" "$dump"
echo "restored $dump into $db"
