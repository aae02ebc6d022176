#!/usr/bin/env bash
# Restart the app processes one at a time; the next only once the last answers its health
# check. nginx sends the visitors of the process that is down to the others meanwhile.
#   deploy/scripts/rolling-restart.sh 8501 8502 8503
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: $0 PORT..." >&2; exit 2; }
for port in "$@"; do
  systemctl restart "sparcs-engage@${port}.service"
  for _ in $(seq 1 90); do
    if [ "$(curl -fsS --max-time 2 "http://127.0.0.1:${port}/_stcore/health" 2>/dev/null)" = ok ]; then
      break
    fi
    sleep 1
  done
  [ "$(curl -fsS --max-time 2 "http://127.0.0.1:${port}/_stcore/health")" = ok ] || {
    echo "sparcs-engage@${port} is not healthy: stopping the rolling restart" >&2; exit 1; }
  echo "sparcs-engage@${port} healthy"
  sleep 5  # nginx's fail_timeout: let it take the process back before the next one goes
done
