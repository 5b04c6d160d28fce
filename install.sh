#!/usr/bin/env bash
# Installs aiusage from this checkout: system packages it needs (via apt), a release
# build, the binary in $PREFIX/bin and the hook script in $PREFIX/share/aiusage/hooks.
# Safe to run again: it only does what is missing, and replaces the installed files.
#
#   ./install.sh                 install into ~/.local
#   PREFIX=/usr/local ./install.sh
#   ./install.sh --deps-only     only the system packages (what the test suite needs)
set -euo pipefail

PREFIX="${PREFIX:-$HOME/.local}"
here="$(cd "$(dirname "$0")" && pwd)"
deps_only=false
for arg in "$@"; do
    case "$arg" in
        --deps-only) deps_only=true ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

say() { printf '==> %s\n' "$*"; }

# 1. System packages: libgit2 (git work), SQLite (the store), libzstd (compressed Codex
#    rollouts), pkg-config, git.
packages=(libgit2-dev libsqlite3-dev libzstd-dev pkg-config git)
"$here/scripts/apt-install.sh" "${packages[@]}"
$deps_only && exit 0

if ! command -v swift >/dev/null 2>&1; then
    echo "install.sh: swift is not on the PATH; install Swift 6 from swift.org first" >&2
    exit 1
fi

# 2. A release build. --static-swift-stdlib halves start-up time, which every commit pays.
say "Building aiusage (release) in $here/.build — the first build takes a few minutes"
(cd "$here" && swift build -c release --product aiusage --static-swift-stdlib >/dev/null 2>&1) \
    || (cd "$here" && swift build -c release --product aiusage)
binary="$(cd "$here" && swift build -c release --product aiusage --show-bin-path)/aiusage"
# aiusage-share: the only binary with networking (FoundationNetworking, libcurl), run by
# aiusage for opt-in sharing only; kept apart so that every commit's hook stays light.
(cd "$here" && swift build -c release --product aiusage-share >/dev/null 2>&1) \
    || (cd "$here" && swift build -c release --product aiusage-share)

# 3. Install the binary and the hook script.
say "Installing $PREFIX/bin/aiusage, $PREFIX/bin/aiusage-share and $PREFIX/share/aiusage/hooks"
mkdir -p "$PREFIX/bin" "$PREFIX/share/aiusage/hooks"
install -m 0755 "$binary" "$PREFIX/bin/aiusage.new"
mv -f "$PREFIX/bin/aiusage.new" "$PREFIX/bin/aiusage"
install -m 0755 "$(dirname "$binary")/aiusage-share" "$PREFIX/bin/aiusage-share.new"
mv -f "$PREFIX/bin/aiusage-share.new" "$PREFIX/bin/aiusage-share"
install -m 0755 "$here/hooks/aiusage-hook" "$PREFIX/share/aiusage/hooks/aiusage-hook"

case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) say "Add $PREFIX/bin to your PATH, e.g.: echo 'export PATH=\"$PREFIX/bin:\$PATH\"' >> ~/.profile" ;;
esac
say "Done. Next: 'aiusage demo' to see a report, 'aiusage install' in a repository to record commits."
