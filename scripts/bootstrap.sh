# Sourced by run.sh and test.sh: installs what the product needs on Debian/Ubuntu.
# usage: bootstrap run|test
set -euo pipefail

UV_VERSION=0.13.9
# Every Debian package the product uses at run time. The camera simulator's GStreamer elements and
# their packages are listed in relay/simulator/gst_server.py (ELEMENT_PACKAGES); clockoverlay and
# timeoverlay come from gstreamer1.0-x and draw with a fontconfig "Sans" font (fonts-dejavu-core).
RUN_APT_PACKAGES=(ffmpeg python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-libav
  gstreamer1.0-x gstreamer1.0-rtsp gstreamer1.0-tools fonts-dejavu-core fontconfig ca-certificates)
# The tests also drive a real headless Chromium through Playwright (whose bundled node needs
# libatomic1) and use a PostgreSQL client.
TEST_APT_PACKAGES=(chromium fonts-dejavu-core fonts-liberation postgresql-client libatomic1)

log() { printf '\033[1m[noblindspot]\033[0m %s\n' "$*" >&2; }

missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$pkg"
  done
}

ensure_debs() {
  local wanted=("$@") missing
  command -v npm >/dev/null 2>&1 || wanted+=(nodejs npm)
  command -v python3 >/dev/null 2>&1 || wanted+=(python3)
  python3 -c 'import ensurepip' >/dev/null 2>&1 || wanted+=(python3-venv)
  command -v dpkg-query >/dev/null 2>&1 || { log "not a Debian/Ubuntu system: install ${wanted[*]} yourself"; return 0; }
  missing=$(missing_debs "${wanted[@]}")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    log "installing Debian packages (a few minutes the first time): $missing"
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends \
      $missing </dev/null | grep -E '^(Setting up|E:)' | sed 's/^/    /' >&2 || true
    missing=$(missing_debs "${wanted[@]}")
    if [ -n "$missing" ]; then
      log "apt-get could not install: $missing (see the lines above); fix that, then try again"
      exit 3
    fi
  else
    log "missing Debian packages. Run this once, then try again:"
    log "  sudo apt-get update && sudo apt-get install -y $missing"
    exit 3
  fi
}

ensure_venv() {
  if [ ! -x .venv/bin/python ]; then
    log "creating the virtual environment in .venv"
    python3 -m venv .venv
  fi
  if ! .venv/bin/python -m uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
    .venv/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
  fi
  log "installing Python packages from uv.lock"
  UV_PROJECT_ENVIRONMENT=.venv .venv/bin/python -m uv sync --frozen --quiet --python .venv/bin/python "$@"
}

ensure_npm() {
  [ -f package.json ] || return 0
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    log "installing front-end packages from package-lock.json"
    npm ci --no-audit --no-fund --silent
  fi
}

announce() {
  local what="$1"; shift
  log "$what installs on first use (as root; otherwise it prints the apt-get command):"
  log "  Debian packages, if missing: $*"
  log "  Python packages pinned in uv.lock into .venv; hls.js pinned in package-lock.json into node_modules"
}

bootstrap() {
  case "$1" in
    run) announce ./run.sh "${RUN_APT_PACKAGES[*]}" ;;
    test) announce ./test.sh "${RUN_APT_PACKAGES[*]} ${TEST_APT_PACKAGES[*]}" ;;
  esac
  case "$1" in
    run) ensure_debs "${RUN_APT_PACKAGES[@]}"; ensure_venv --no-dev --inexact ;;  # --inexact: keeps the test tools
    test) ensure_debs "${RUN_APT_PACKAGES[@]}" "${TEST_APT_PACKAGES[@]}"; ensure_venv ;;
  esac
  ensure_npm
}
