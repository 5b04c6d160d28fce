#!/usr/bin/env bash
# Property-based tests of the team server's API from its checked-in OpenAPI document.
#
#   scripts/schemathesis.sh                 # builds aiusage-server (debug) if needed
#   AIUSAGE_SERVER_BINARY=.build/release/aiusage-server scripts/schemathesis.sh
#
# Installs schemathesis (pinned below) from PyPI into a virtual environment under
# .build-venv/, starts a throwaway aiusage-server (temporary data folder, free port on
# 127.0.0.1, k = 1 so that summaries carry figures, one admin token and a few rows), and
# runs schemathesis against GET /openapi.yaml with a bounded number of examples per
# operation. It fails on any 5xx, any status or content type the document does not list,
# any response body that does not match its schema, any request the document calls invalid
# that the server accepts, and any route that answers without its token.
# SCHEMATHESIS_EXAMPLES (default 60) sets the examples per operation; the run takes about
# a minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
venv=.build-venv/schemathesis
examples="${SCHEMATHESIS_EXAMPLES:-60}"
binary="${AIUSAGE_SERVER_BINARY:-.build/debug/aiusage-server}"

say() { printf '==> %s\n' "$*" >&2; }

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
    say "installing schemathesis $version into $venv"
    command -v python3 >/dev/null || { echo "schemathesis.sh: python3 is required" >&2; exit 1; }
    if ! python3 -m venv "$venv" 2>/dev/null; then
        # Debian splits venv (and ensurepip) into their own package.
        scripts/apt-install.sh python3-venv
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

command -v curl >/dev/null || scripts/apt-install.sh curl

if [ ! -x "$binary" ]; then
    say "building aiusage-server"
    swift build --product aiusage-server
fi

folder="$(mktemp -d "${TMPDIR:-/tmp}/aiusage-schemathesis.XXXXXX")"
server_pid=""
cleanup() {
    local status=$?
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$folder"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

data=(--data-dir "$folder/data")
"$binary" team create web "${data[@]}" >/dev/null
token="$("$binary" token issue --team web --developer fuzz@example.com --role admin --named "${data[@]}")"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$binary" serve --port "$port" --min-group-size 1 "${data[@]}" >"$folder/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    if curl -fsS "$base/api/v1/health" >/dev/null 2>&1; then break; fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$folder/server.log" >&2; echo "schemathesis.sh: the server did not start" >&2; exit 1; }
    sleep 0.1
done

# A few rows, so that /me and the summaries have something to return.
row='{"repo": "web-app", "tool": "claude-code", "model": "claude-sonnet-4-5", "sessions": 2,
  "tokens": {"input": 10, "output": 20, "cache_write": 30, "cache_read": 40, "reasoning": 5},
  "cost_usd": 1.25, "unpriced_tokens": 0, "wasted_cost_usd": 0.25, "ai_lines_written": 10,
  "ai_lines_committed": 8, "ai_lines_landed": 6, "ai_lines_surviving": 5, "ai_lines_pending": 1,
  "ai_lines_churned": 0, "human_lines_committed": 4, "commits": 2, "ai_assisted_commits": 1,
  "landed_ai_assisted_commits": 1}'
today="$(date -u +%F)"
curl -fsS -X POST "$base/api/v1/uploads" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data "{\"schema\": \"aiusage.upload/1\", \"named\": true, \"repo_names\": \"plain\",
             \"days\": [{\"day\": \"$today\", \"rows\": [$row]}]}" >/dev/null

say "schemathesis $version: $examples examples per operation against $base"
# From the temporary folder, so that Hypothesis's example database does not land in the work tree.
root="$(pwd)"
cd "$folder"
"$root/$venv/bin/schemathesis" --config-file "$root/scripts/schemathesis.toml" run "$base/openapi.yaml" \
    --url "$base" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,ignored_auth \
    --phases examples,coverage,fuzzing \
    --max-examples "$examples" \
    --seed 20261124 \
    --workers 2 \
    --request-timeout 10 \
    --suppress-health-check too_slow,data_too_large,filter_too_much \
    --warnings off \
    --output-sanitize true
say "schemathesis: no failures"
