# Shared by scripts/run and scripts/test. Sourced, not executed.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
RUN_DIR="$ROOT/.run"
mkdir -p "$RUN_DIR"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mxx  %s\033[0m\n' "$*" >&2; exit 1; }

# ensure_venv [--dev]: create .venv and install requirements.txt (what the app needs to run); with
# --dev, requirements-dev.txt as well (tests, benchmarks, lint and types). Each set is reinstalled only
# when its files changed: one stamp per set, the dev stamp covering both files.
ensure_venv() {
  command -v python3 >/dev/null || die "python3 is missing: install Python 3.11+ (apt-get install python3 python3-venv)"
  if [ ! -x "$PY" ]; then
    say "creating .venv"
    python3 -m venv "$VENV" || die "could not create .venv (apt-get install python3-venv)"
  fi
  local stamp="$VENV/.requirements.sha256" want
  want=$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing requirements.txt into .venv"
    "$PY" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt" \
      2> >(grep -v "is ignored" >&2) || die "pip install failed"
    echo "$want" > "$stamp"
  fi
  [ "${1:-}" = "--dev" ] || return 0
  local dev_stamp="$VENV/.requirements-dev.sha256" dev_want
  dev_want=$(cat "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$dev_stamp" ] || [ "$(cat "$dev_stamp")" != "$dev_want" ]; then
    say "installing requirements-dev.txt into .venv"
    "$PY" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements-dev.txt" \
      2> >(grep -v "is ignored" >&2) || die "pip install failed"
    echo "$dev_want" > "$dev_stamp"
  fi
}

# The app's settings for every command (scripts/run and scripts/flask alike): the app of wsgi.py
# from any directory, Redis at REDIS_URL or the local default; the database is the app's own
# default (DATABASE_URL, else the SQLite file in instance/).
app_env() {
  export FLASK_APP="$ROOT/wsgi.py"
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
}

# ensure_redis URL: use the Redis at URL; if none answers, start a private redis-server on that port.
STARTED_REDIS_PID=""
redis_ping() { "$PY" -c "import sys,redis; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()" "$1" 2>/dev/null; }
ensure_redis() {
  local url="$1"
  redis_ping "$url" && return 0
  local port
  port=$("$PY" -c "import sys; from urllib.parse import urlsplit; print(urlsplit(sys.argv[1]).port or 6379)" "$url")
  command -v redis-server >/dev/null || die "nothing answers at $url and redis-server is not installed: apt-get install redis-server (or set REDIS_URL)"
  say "no Redis at $url: starting a private redis-server on 127.0.0.1:$port (nothing kept on disk)"
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$RUN_DIR" \
    --logfile "$RUN_DIR/redis.log" --daemonize no &
  STARTED_REDIS_PID=$!
  for _ in $(seq 1 50); do redis_ping "$url" && return 0; sleep 0.1; done
  die "redis-server did not come up on port $port (see $RUN_DIR/redis.log)"
}

# wait_http URL SECONDS: until URL answers at all (any status).
wait_http() {
  "$PY" - "$1" "$2" <<'PY'
import sys, time, urllib.request, urllib.error
url, limit = sys.argv[1], float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        urllib.request.urlopen(url, timeout=2)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        time.sleep(0.2)
sys.exit(1)
PY
}

# A CJK font for stickers (never boxes instead of characters) and, for the tests, the zbar decoder.
have_cjk_font() {
  [ -n "${MINGJING_CJK_FONT:-}" ] && [ -f "$MINGJING_CJK_FONT" ] && return 0
  ls /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc \
     /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf >/dev/null 2>&1 && return 0
  command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh 2>/dev/null | head -1)" ]
}
have_zbar() { ldconfig -p 2>/dev/null | grep -q "libzbar.so.0"; }

# ensure_os_packages [--for-tests]: install what is missing from Debian's packages when we may;
# without root, the tests stop with the command to run and the app starts with a warning.
ensure_os_packages() {
  local missing=()
  have_cjk_font || missing+=(fonts-wqy-zenhei)
  [ "${1:-}" = "--for-tests" ] && ! have_zbar && missing+=(libzbar0)
  # the browser tests drive Debian's Chromium (Playwright's own browser download does not work here)
  [ "${1:-}" = "--for-tests" ] && [ ! -x /usr/bin/chromium ] && missing+=(chromium)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing from Debian's packages: ${missing[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
      >"$RUN_DIR/apt.log" 2>&1 || die "apt-get install ${missing[*]} failed (see $RUN_DIR/apt.log)"
  elif [ "${1:-}" = "--for-tests" ]; then
    die "missing OS packages: ${missing[*]} — install them with: sudo apt-get install ${missing[*]}"
  else
    say "WARNING: no CJK font: printing stickers will fail until you run: sudo apt-get install ${missing[*]}"
  fi
}
