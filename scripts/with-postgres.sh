#!/usr/bin/env bash
# Runs COMMAND with a throwaway PostgreSQL server, then stops it and deletes its folder.
#
#   scripts/with-postgres.sh swift test --filter Postgres
#   scripts/with-postgres.sh --durable sh -c '.build/release/aiusage-server-bench --database "$AIUSAGE_TEST_POSTGRES_URL"'
#
# The server gets a new cluster (initdb) in a `mktemp -d` folder, listens on a free port on
# 127.0.0.1 only (its Unix socket stays in that folder), and has a role and database
# `aiusage` (password `aiusage`, CREATEDB so that tests can make one database per store).
# COMMAND runs with AIUSAGE_TEST_POSTGRES_URL=postgres://aiusage:aiusage@127.0.0.1:PORT/aiusage.
# Data is throwaway, so fsync is off unless --durable (for benchmarks: PostgreSQL's defaults).
#
# PostgreSQL comes from apt (`postgresql`) when its binaries are missing: automatically when
# CI is set or with --install, else this stops with the command to run. PostgreSQL refuses to
# run as root, so as root the server runs as the `postgres` user the package creates.
set -euo pipefail

durable=false
install=false
while [ $# -gt 0 ]; do
    case "$1" in
        --durable) durable=true; shift ;;
        --install) install=true; shift ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        *) break ;;
    esac
done
if [ $# -eq 0 ]; then
    echo "usage: with-postgres.sh [--durable] [--install] COMMAND [ARGUMENTS...]" >&2
    exit 2
fi

say() { printf '==> %s\n' "$*" >&2; }

# The newest installed server binaries: Debian keeps them out of PATH, in /usr/lib/postgresql/<ver>/bin.
find_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
    fi
}

bin="$(find_bin)"
if [ -z "$bin" ]; then
    if ! $install && [ -z "${CI:-}" ]; then
        echo "with-postgres.sh: PostgreSQL is not installed; run 'sudo apt-get install postgresql' or pass --install" >&2
        exit 1
    fi
    "$(dirname "$0")/apt-install.sh" postgresql
    bin="$(find_bin)"
    [ -n "$bin" ] || { echo "with-postgres.sh: apt installed postgresql but no initdb was found" >&2; exit 1; }
fi

folder="$(mktemp -d "${TMPDIR:-/tmp}/aiusage-postgres.XXXXXX")"
# As root, every server command runs as `postgres`, which must own the folder.
as_server() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        rm -rf "$folder"
        echo "with-postgres.sh: PostgreSQL refuses to run as root and there is no 'postgres' user; run as another user" >&2
        exit 1
    fi
    chown postgres: "$folder"
    as_server() { (cd "$folder" && runuser -u postgres -- "$@"); }
fi

started=false
cleanup() {
    local status=$?
    if $started; then as_server "$bin/pg_ctl" -D "$folder/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$folder"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_server "$bin/initdb" -D "$folder/data" -U postgres -E UTF8 --no-locale --auth-local=trust --auth-host=scram-sha-256 \
    >"$folder/initdb.log" 2>&1 || { cat "$folder/initdb.log" >&2; exit 1; }

settings="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$folder -c max_connections=200"
if ! $durable; then settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi

# A free port: nothing answers on it now; retried if another process takes it first.
for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    if as_server "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -o "$settings -p $port" -w -t 60 start >/dev/null; then
        started=true
        break
    fi
done
if ! $started; then
    echo "with-postgres.sh: PostgreSQL did not start; its log:" >&2
    cat "$folder/server.log" >&2 || true
    exit 1
fi

as_server "$bin/psql" -h "$folder" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE aiusage LOGIN CREATEDB PASSWORD 'aiusage'" \
    -c "CREATE DATABASE aiusage OWNER aiusage" >/dev/null

export AIUSAGE_TEST_POSTGRES_URL="postgres://aiusage:aiusage@127.0.0.1:$port/aiusage"
say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port$($durable || echo ' (fsync off)'), in $folder: AIUSAGE_TEST_POSTGRES_URL=$AIUSAGE_TEST_POSTGRES_URL"

# COMMAND runs in the background so that an interrupt or TERM reaches this script at once
# (bash would otherwise wait for COMMAND before running a trap); it is passed on as TERM,
# then the server is stopped. Standard input stays COMMAND's.
set +e
"$@" <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 130' INT
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM
wait "$child"
exit $?
