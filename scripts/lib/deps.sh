# shellcheck shell=bash
# scripts/lib/deps.sh: sourced, not run. Provides hg_install_deps.
#
#   source scripts/lib/deps.sh && hg_install_deps [COMMAND:PACKAGE...]
#
# Installs (Debian/Ubuntu, as root) the packages healthgate's build and tests need when any is
# missing: haproxy iptables iproute2 python3 curl, fontconfig and a font (the benchmark's plot is
# drawn by Java2D, which needs one), plus openjdk-17-jdk-headless when javac is missing, plus
# PACKAGE for each COMMAND:PACKAGE given whose COMMAND is missing (scripts/test: ansible-core,
# systemd, systemd-container, and the real servers the ITs restart: gunicorn, puma, unicorn, nginx-light, tomcat10,
# whose COMMAND is a full path as it puts nothing on PATH). Says one line and does nothing when all are present. Not root and something missing:
# prints the packages and exits 2.

# hg_have_cmd CMD: CMD is on PATH or in a system directory (iptables and ip live in /usr/sbin,
# which may not be on a non-root PATH)
hg_have_cmd() {
  local d
  command -v "$1" >/dev/null 2>&1 && return 0
  for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    [[ -x "$d/$1" ]] && return 0
  done
  return 1
}

hg_install_deps() {
  local -a missing=()
  local entry cmd pkg
  local -a entries=(haproxy:haproxy iptables:iptables ip:iproute2 python3:python3 curl:curl
    fc-list:fontconfig javac:openjdk-17-jdk-headless "$@") # command:package
  for entry in "${entries[@]}"; do
    cmd=${entry%%:*}
    pkg=${entry#*:}
    if ! hg_have_cmd "$cmd"; then
      missing+=("$pkg")
    fi
  done
  [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)

  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "deps: all present (${entries[*]#*:} fonts-dejavu-core)" >&2
    return 0
  fi
  if [[ $EUID -ne 0 ]]; then
    printf 'deps: missing packages: %s\n' "${missing[*]}" >&2
    printf 'deps: run as root, or install them: apt-get install -y --no-install-recommends %s\n' \
      "${missing[*]}" >&2
    exit 2
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    printf 'deps: missing packages: %s, and no apt-get to install them; install them by hand\n' \
      "${missing[*]}" >&2
    exit 2
  fi
  # progress on stderr: stdout is the calling script's results (scripts/bench's table)
  echo "deps: installing: ${missing[*]}" >&2
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
  hg_quiet_services "${missing[@]}"
}

# Debian starts the services of some packages on install (HAProxy, nginx on :80, Tomcat on :8080). The
# tests and demos run their own instances inside network namespaces; the host's copies, just installed
# by us, are stopped and disabled so nothing new listens on the host. Services already there are untouched.
hg_quiet_services() {
  local pkg
  [[ -d /run/systemd/system ]] || return 0 # no systemd: nothing was started
  for pkg in "$@"; do
    case "$pkg" in
      haproxy | tomcat10) systemctl disable --now "$pkg" >&2 2>/dev/null || true ;;
      nginx-light) systemctl disable --now nginx >&2 2>/dev/null || true ;;
    esac
  done
}
