#!/usr/bin/env bash
# Starts the OpenStack test peer N times in a row from empty (a new directory, new ports, databases
# copied from the schema cache), each time until READY, then stops it and checks that none of its
# processes is left. Prints each start's time and min/median/max; exits non-zero if any start failed.
#   test-peers/openstack/cold-starts.sh [N]      (default 20)
set -uo pipefail
n=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
times=()
failures=0
for i in $(seq 1 "$n"); do
  dir=$(mktemp -d /tmp/openstack-cold-XXXXXX)
  start=$(date +%s.%N)
  coproc launcher { exec /usr/bin/python3 "$here/openstack-peer.py" run --dir "$dir" --ready-file "$dir/ready.json" 2>&1; }
  pid=$launcher_PID
  ok=0
  while IFS= read -r -t 600 line <&"${launcher[0]}"; do
    echo "$line" >> "$dir/launcher.log"
    if [ "$line" = READY ]; then ok=1; break; fi
  done
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  left=$(pgrep -g "$pid" 2>/dev/null | wc -l)
  if [ "$ok" = 1 ] && [ "$left" = 0 ]; then
    s=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['startSeconds'])" "$dir/ready.json")
    times+=("$s")
    printf 'start %2d: READY in %6.1f s (launcher), %6.1f s (wall), load %s\n' "$i" "$s" "$wall" "$(cut -d' ' -f1 /proc/loadavg)"
    rm -rf "$dir"
  else
    failures=$((failures + 1))
    printf 'start %2d: FAILED (ready=%s, processes left=%s); kept %s\n' "$i" "$ok" "$left" "$dir"
    pkill -KILL -g "$pid" 2>/dev/null
  fi
done
if ((${#times[@]})); then
  printf '%s\n' "${times[@]}" | sort -n | awk -v f="$failures" '{a[NR]=$1} END {
    med = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2;
    printf "%d starts, %d failed; READY in min %.1f s, median %.1f s, max %.1f s\n", NR + f, f, a[1], med, a[NR] }'
fi
exit $((failures > 0))
