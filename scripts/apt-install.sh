#!/usr/bin/env bash
# Installs the Debian packages named that are missing, with apt (through sudo unless run
# as root), saying which before it does; when all are there it only says so. Shared by
# install.sh, scripts/with-postgres.sh and .ci/run.
#
#   scripts/apt-install.sh libgit2-dev pkg-config
set -euo pipefail
missing=()
for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    printf '==> System packages present: %s\n' "$*"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-install.sh: ${missing[*]} missing and there is no apt-get here; install them by hand" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
printf '==> Installing with apt: %s\n' "${missing[*]}"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
