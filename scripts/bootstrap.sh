# Sourced by run.sh and test.sh: installs what the product needs on Debian/Ubuntu.
# usage: bootstrap run|test
set -euo pipefail

UV_VERSION=0.13.9
RUN_APT_PACKAGES=(ffmpeg python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-libav
  gstreamer1.0-rtsp gstreamer1.0-tools)
TEST_APT_PACKAGES=(chromium fonts-dejavu-core)

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
  python3 -c 'import ensurepip' >/dev/null 2>&1 || wanted+=(python3-venv)
  command -v dpkg-query >/dev/null 2>&1 || { log "not a Debian/Ubuntu system: install ${wanted[*]} yourself"; return 0; }
  missing=$(missing_debs "${wanted[@]}")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    log "installing Debian packages: $missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
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

bootstrap() {
  case "$1" in
    run) ensure_debs "${RUN_APT_PACKAGES[@]}"; ensure_venv --no-dev ;;
    test) ensure_debs "${RUN_APT_PACKAGES[@]}" "${TEST_APT_PACKAGES[@]}"; ensure_venv ;;
  esac
  ensure_npm
}
