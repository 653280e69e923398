#!/usr/bin/env bash
# End-to-end test of scripts/run, the README's run command: starts it on free
# ports with a build's binaries and a model bundle, waits for the web address
# it prints, serves the web app, registers and logs in through HTTP,
# diagnoses tests/data/astronaut.jpg (five attributes graded), checks that a
# second scripts/run on the same data folder refuses with a clear message,
# then sends SIGINT (as Ctrl-C does) and checks that every service process is
# gone and the script reports a clean stop.
#
#   tests/run_script_test.sh <build-dir> [<model-bundle>]
#
# <build-dir> holds services/<name>/skinlens-<name> for the six services. The
# bundle defaults to models/demo; when that does not exist, one is written
# with <build-dir>/services/inference/skinlens-inference-bench. Exits 77 (a
# CTest skip) when the web app is not built (run scripts/setup). Needs curl
# and python3.
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
esac
if [[ $# -lt 1 || $# -gt 2 ]]; then
  usage >&2
  exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build="$(realpath "$1")"
fail() { echo "run_script_test: FAIL: $*" >&2; exit 1; }
note() { echo "run_script_test: $*" >&2; }

if [[ ! -f $repo/services/gateway/web/dist/index.html ]]; then
  note "SKIP: the web app is not built (services/gateway/web/dist); run scripts/setup"
  exit 77
fi
for tool in curl python3; do
  command -v "$tool" >/dev/null || { note "SKIP: '$tool' is not installed"; exit 77; }
done

tmp="$(mktemp -d -t skinlens-run-test.XXXXXX)"
run_pid=""
service_pids=()

# On any exit: stop a scripts/run that is still running, and any service it
# left behind, so a failing test leaks no process; show its output on failure.
cleanup() {
  local status=$?
  if [[ -n $run_pid ]] && kill -0 "$run_pid" 2>/dev/null; then
    kill -TERM "$run_pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  local pid
  for pid in "${service_pids[@]}"; do
    exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
    if [[ ${exe##*/} == skinlens-* ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  if [[ $status -ne 0 ]]; then
    note "scripts/run's output:"
    sed 's/^/    /' "$tmp/run.out" "$tmp/run.err" >&2 2>/dev/null || true
    for log in "$tmp"/logs/*.log; do
      [[ -f $log ]] || continue
      note "last lines of $(basename "$log"):"
      tail -n 15 "$log" | sed 's/^/    /' >&2
    done
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT

bundle="${2:-$repo/models/demo}"
if [[ ! -e $bundle ]]; then
  [[ $# -lt 2 ]] || fail "no model bundle at '$bundle'"
  note "models/demo does not exist; writing a small bundle with skinlens-inference-bench"
  "$build/services/inference/skinlens-inference-bench" --write_bundle="$tmp/bundle" --sizes=96 \
    >"$tmp/bundle.log" 2>&1 || { cat "$tmp/bundle.log" >&2; fail "could not write a model bundle"; }
  bundle="$tmp/bundle"
fi

run_args=(--no-build --build-dir "$build" --model "$bundle" --data-dir "$tmp/data"
          --log-dir "$tmp/logs" --port 0 --grpc-port 0 --start-timeout 90)

# Job control: the run gets its own process group and SIGINT is not ignored
# in it (background jobs of a script without job control ignore SIGINT), so
# `kill -INT -<pgid>` below is what Ctrl-C in a terminal does.
: >"$tmp/run.out"
: >"$tmp/run.err"
set -m
"$repo/scripts/run" "${run_args[@]}" >"$tmp/run.out" 2>"$tmp/run.err" &
run_pid=$!
set +m

url=""
for _ in $(seq 1 450); do
  url="$(sed -n 's/^web=//p' "$tmp/run.out")"
  [[ -z $url ]] || break
  kill -0 "$run_pid" 2>/dev/null || fail "scripts/run ended before printing the web address"
  sleep 0.2
done
[[ -n $url ]] || fail "scripts/run printed no web address within 90 s"
url="${url%/}"
grpc="$(sed -n 's/^grpc=//p' "$tmp/run.out")"
[[ $grpc =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "scripts/run printed no gRPC address (got '$grpc')"
grep -q "SkinLens is running" "$tmp/run.err" || fail "scripts/run did not say that SkinLens is running"
note "scripts/run is up: web $url, gRPC $grpc"

read -r -a service_pids <<<"$(sed -n 's/^service_pids=//p' "$tmp/data/run.info")"
[[ ${#service_pids[@]} -eq 6 ]] || fail "expected 6 service pids in run.info, got '${service_pids[*]}'"
for pid in "${service_pids[@]}"; do
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  [[ ${exe##*/} == skinlens-* ]] || fail "pid $pid in run.info is not a running skinlens service"
done

# The web app is served.
curl -fsS "$url/" -o "$tmp/index.html" || fail "GET / failed"
grep -qi "<html" "$tmp/index.html" || fail "GET / did not return the web app's index.html"

# Register and log in through HTTP.
account='{"username":"run-script-test","password":"a long enough passphrase"}'
code="$(curl -sS -o "$tmp/register.json" -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' -d "$account" "$url/v1/accounts")"
[[ $code == 201 ]] || fail "POST /v1/accounts answered $code: $(cat "$tmp/register.json")"
code="$(curl -sS -o "$tmp/login.json" -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' -d "$account" "$url/v1/sessions")"
[[ $code == 200 ]] || fail "POST /v1/sessions answered $code: $(cat "$tmp/login.json")"
token="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$tmp/login.json")"
[[ -n $token ]] || fail "login returned no token"

# Diagnose the test photo: five attributes, each with a grade and five probabilities.
code="$(curl -sS -o "$tmp/diagnosis.json" -w '%{http_code}' -X POST \
  -H "Authorization: Bearer $token" -F "photo=@$repo/tests/data/astronaut.jpg" \
  "$url/v1/diagnoses")"
[[ $code == 200 ]] || fail "POST /v1/diagnoses answered $code: $(head -c 2000 "$tmp/diagnosis.json")"
python3 - "$tmp/diagnosis.json" <<'PY' || fail "the diagnosis is not five graded attributes"
import json, sys
body = json.load(open(sys.argv[1]))
assert body.get("saved") is True, f"saved is {body.get('saved')!r}"
results = body["diagnosis"]["results"]
attributes = sorted(r["attribute"] for r in results)
expected = sorted("ATTRIBUTE_" + a for a in
                  ("OIL", "HYDRATION", "WRINKLE", "PIGMENTATION", "SENSITIVITY"))
assert attributes == expected, f"attributes {attributes}"
for r in results:
    d = r["distribution"]
    grade = d.get("grade", 0)  # the JSON printer omits a grade of 0
    assert 0 <= grade <= 4, f"{r['attribute']}: grade {grade}"
    p = d["probabilities"]
    assert len(p) == 5 and abs(sum(p) - 1) < 1e-3, f"{r['attribute']}: probabilities {p}"
    assert grade == max(range(5), key=lambda k: (p[k], -k)), f"{r['attribute']}: grade is not the argmax"
    print(f"run_script_test:   {r['attribute']}: grade {grade}", file=sys.stderr)
PY

# A second start on the same data folder refuses clearly and leaves the first alone.
second_status=0
timeout 30 "$repo/scripts/run" "${run_args[@]}" >"$tmp/second.out" 2>"$tmp/second.err" ||
  second_status=$?
[[ $second_status -eq 3 ]] || fail "a second scripts/run exited $second_status, expected 3: $(cat "$tmp/second.err")"
grep -q "already running" "$tmp/second.err" || fail "the second scripts/run did not say 'already running': $(cat "$tmp/second.err")"
grep -q "pid: $run_pid" "$tmp/second.err" || fail "the second scripts/run did not name the running one's pid"
curl -fsS "$url/healthz" >/dev/null || fail "the first run stopped answering after the second start"
note "a second start refuses: $(head -n 1 "$tmp/second.err")"

# Ctrl-C: SIGINT to the run's process group; the script stops every service.
kill -INT -- "-$run_pid"
for _ in $(seq 1 300); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$run_pid" 2>/dev/null && fail "scripts/run still runs 30 s after SIGINT"
run_status=0
wait "$run_pid" || run_status=$?
run_pid=""
[[ $run_status -eq 0 ]] || fail "scripts/run exited $run_status after SIGINT, expected 0"
for pid in "${service_pids[@]}"; do
  kill -0 "$pid" 2>/dev/null && fail "service pid $pid still runs after scripts/run stopped"
done
service_pids=()
grep -q "SkinLens stopped; logs in $tmp/logs" "$tmp/run.err" || fail "scripts/run did not report a clean stop"
stopped="$(grep -c ') stopped$' "$tmp/run.err" || true)"
[[ $stopped -eq 6 ]] || fail "expected 6 services reported as stopped, got $stopped"
curl -fsS --max-time 2 "$url/healthz" >/dev/null 2>&1 && fail "the gateway still answers after the stop"
note "PASS: started, diagnosed, refused a second start, stopped all 6 services cleanly"
