# Shared by the .ci scripts: where things are, and installing only what is missing.
# Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
# Compiled dependencies live outside the clone, so a fresh clone (and CI) reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portal/target}"
# cargo-leptos writes the site (WASM, JS, CSS) here; Leptos.toml's site-root says the same.
export LEPTOS_SITE_ROOT="target/site"
# Leptos's erased components (each view boxed as it is built instead of one nested type per
# page), on every build, debug and release, server and browser alike: the two must agree or
# hydration panics. cargo-leptos does this for debug builds; giving every cargo command the same
# lets `cargo test`, `cargo clippy` and `cargo leptos build` share one set of compiled
# dependencies, and makes the release build smaller (issue 13: the WASM every page loads, and
# the number of chunks a lazy page fetches).
export RUSTFLAGS="--cfg erase_components"
export LEPTOS_OUTPUT_NAME="portal"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() { # apt_install <command-to-check> <package>
  if ! command -v "$1" >/dev/null 2>&1; then
    say "Installing $2 (Debian package)"
    as_root apt-get install -y "$2" >/dev/null 2>&1 || { as_root apt-get update >/dev/null && as_root apt-get install -y "$2" >/dev/null; }
  fi
}

setup_rust() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos 0.3.10" ]; then
    say "Installing cargo-leptos 0.3.10 (compiles for 20-40 minutes on 2 cores; only once)"
    cargo install cargo-leptos --version 0.3.10 --locked --features no_downloads
  fi
  local want
  want="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')"
  if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $want" ]; then
    say "Installing wasm-bindgen-cli $want (the version in Cargo.lock; about 8 minutes)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# Playwright, axe and binaryen's wasm-opt (Debian's wasm-opt breaks hydration), from the lockfile.
setup_node() {
  if [ ! -x end2end/node_modules/.bin/playwright ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "Installing the end-to-end test packages (npm ci)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
  export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
}

# A real SMTP server for the mail tests (Python's aiosmtpd, from PyPI).
setup_python() {
  if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    say "Installing aiosmtpd (PyPI) for the mail tests"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore aiosmtpd==1.4.6
  fi
}

setup_postgres() {
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    say "Starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
    for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
}

# The settings that put a portal on the database and secrets of a scratch directory.
portal_env() { # portal_env <port> <scratch-dir>
  export PORTAL_DATABASE_URL="sqlite://$2/portal.db?mode=rwc" PORTAL_SECRETS_DIR="$2/secrets" \
    PORTAL_MAIL_TRANSPORT="file:$2/mail" PORTAL_LISTEN="127.0.0.1:$1" RUST_LOG="${RUST_LOG:-warn}"
}

# Runs one portal command there.
portal_in() { # portal_in <binary> <port> <scratch-dir> <portal arguments...>
  local bin="$1" port="$2" dir="$3"
  shift 3
  mkdir -p "$dir"
  (portal_env "$port" "$dir" && exec "$bin" "$@")
}

# Starts the built portal with demo data on a database of its own; sets PORTAL_PID (the
# portal's own process id: the subshell execs it, so signals reach the portal itself).
start_portal() { # start_portal <binary> <port> <scratch-dir>
  local bin="$1" port="$2" dir="$3"
  mkdir -p "$dir"
  # Another portal on the port would answer in this one's place.
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then
    echo "port $port is already in use (an earlier portal still running?); stop it first"
    return 1
  fi
  (portal_env "$port" "$dir" && exec "$bin" serve --demo) >"$dir/portal.log" 2>&1 &
  PORTAL_PID=$!
  for _ in $(seq 100); do
    if ! kill -0 "$PORTAL_PID" 2>/dev/null; then cat "$dir/portal.log"; return 1; fi
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then return 0; fi
    sleep 0.3
  done
  echo "the portal did not become ready"; cat "$dir/portal.log"; return 1
}

# Stops it with SIGTERM and checks it shut down cleanly.
stop_portal() {
  kill -TERM "$PORTAL_PID"
  local rc=0
  wait "$PORTAL_PID" || rc=$?
  if [ "$rc" != 0 ]; then echo "the portal exited with $rc after SIGTERM"; return 1; fi
}
