#!/usr/bin/env bash
# Starts the six SkinLens services of a build on free loopback ports, with
# SQLite databases in a temporary folder and the given model bundle, waits
# until each is healthy, runs the browser test (e2e.test.mjs) in headless
# Chromium against the gateway, and stops everything again. With a script
# after the bundle it runs that instead (node <script> [args...], e.g. the
# click-to-result benchmark) against the same services.
#
#   tests/browser/run_browser_test.sh <build-dir> <model-bundle> [<script.mjs> [args...]]
#
# <build-dir> holds services/<name>/skinlens-<name> (auth, preprocess,
# inference, explain, history, gateway); <model-bundle> is a bundle folder or
# a TorchScript file for skinlens-inference and skinlens-explain.
# Environment: SKINLENS_BROWSER_ARTIFACTS (screenshots and service logs;
# default tests/browser/artifacts), SKINLENS_START_TIMEOUT (seconds per
# service, default 120). Builds the web app and installs playwright-core
# first when they are missing.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
esac
if [[ $# -lt 2 ]]; then
  usage >&2
  exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
[[ -d "$1" ]] || { echo "run_browser_test: no build folder '$1'" >&2; exit 2; }
build="$(cd "$1" && pwd)"
bundle="$(realpath "$2")"
shift 2
run=(node --test e2e.test.mjs)
if (($#)); then run=(node "$@"); fi
artifacts="$(realpath -m "${SKINLENS_BROWSER_ARTIFACTS:-$here/artifacts}")"
start_timeout="${SKINLENS_START_TIMEOUT:-120}"
web="$repo/services/gateway/web"

[[ -e "$bundle" ]] || { echo "run_browser_test: no model bundle at '$bundle'" >&2; exit 2; }
for name in auth preprocess inference explain history gateway; do
  bin="$build/services/$name/skinlens-$name"
  [[ -x "$bin" ]] || { echo "run_browser_test: '$bin' is missing; build it first" >&2; exit 2; }
done

if [[ ! -f "$web/dist/index.html" ]]; then
  echo "run_browser_test: building the web app" >&2
  (cd "$web" && npm ci --no-audit --no-fund && npm run build) >&2
fi
if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund) >&2
fi

tmp="$(mktemp -d -t skinlens-browser.XXXXXX)"
logs="$artifacts/logs"
mkdir -p "$logs"
pids=()

cleanup() {
  local status=$?
  # Stop in reverse order of start, by the ids started here; SIGTERM first, then SIGKILL.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
  if [[ $status -ne 0 ]]; then
    echo "run_browser_test: failed (exit $status); service logs in $logs" >&2
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

# port_value <file> <key>: the number after "<key>=" in a port file.
port_value() { sed -n "s/^$2=\([0-9]*\)$/\1/p" "$1"; }

# start <name> [flags...]: starts skinlens-<name> on port 0 and waits for its
# port file and /healthz; sets <NAME>_PORT (gRPC) for the services after it.
start() {
  local name="$1"
  shift
  local ports="$tmp/$name.ports"
  "$build/services/$name/skinlens-$name" --host=127.0.0.1 --port=0 --admin_port=0 \
    --port_file="$ports" "$@" >"$logs/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local deadline=$((SECONDS + start_timeout))
  until [[ -s "$ports" ]] && grep -q '^admin_port=' "$ports"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run_browser_test: skinlens-$name exited during start:" >&2
      tail -n 20 "$logs/$name.log" >&2
      return 1
    fi
    ((SECONDS < deadline)) || { echo "run_browser_test: skinlens-$name did not start in ${start_timeout}s" >&2; return 1; }
    sleep 0.2
  done
  local admin
  admin="$(port_value "$ports" admin_port)"
  until curl -fsS "http://127.0.0.1:$admin/healthz" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "run_browser_test: skinlens-$name is not healthy" >&2; return 1; }
    sleep 0.2
  done
  local port
  port="$(port_value "$ports" grpc_port)"
  printf -v "${name^^}_PORT" '%s' "$port"
  echo "run_browser_test: skinlens-$name on 127.0.0.1:$port (admin $admin)" >&2
}

(umask 077 && head -c 32 /dev/urandom | base64 >"$tmp/auth-caller.key")
start auth --database_url="sqlite:$tmp/auth.db" --caller_key_file="$tmp/auth-caller.key"
start preprocess
start inference --model="$bundle"
start explain --model="$bundle"
(umask 077 && head -c 32 /dev/urandom | base64 >"$tmp/user-assertion.key")
start history --database_url="sqlite:$tmp/history.db" --user_assertion_key_file="$tmp/user-assertion.key"
start gateway \
  --auth_target="127.0.0.1:$AUTH_PORT" \
  --preprocess_target="127.0.0.1:$PREPROCESS_PORT" \
  --inference_target="127.0.0.1:$INFERENCE_PORT" \
  --explain_target="127.0.0.1:$EXPLAIN_PORT" \
  --history_target="127.0.0.1:$HISTORY_PORT" \
  --http_port=0 --http_port_file="$tmp/gateway.http" \
  --web_root="$web/dist" --user_assertion_key_file="$tmp/user-assertion.key" \
  --auth_key_file="$tmp/auth-caller.key"

http_port="$(port_value "$tmp/gateway.http" http_port)"
url="http://127.0.0.1:$http_port"
deadline=$((SECONDS + start_timeout))
until curl -fsS "$url/healthz" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || { echo "run_browser_test: gateway HTTP $url is not healthy" >&2; exit 1; }
  sleep 0.2
done
echo "run_browser_test: gateway at $url; running ${run[*]}" >&2

cd "$here"
SKINLENS_URL="$url" SKINLENS_BROWSER_ARTIFACTS="$artifacts" "${run[@]}"
