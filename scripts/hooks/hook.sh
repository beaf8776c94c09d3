#!/usr/bin/env bash
# scripts/hooks/hook.sh: what drain, restore and restart share (sourced, not run). A hook calls this
# host's healthgate control API with curl, prints each phase as healthgate reports it, and exits with a
# code a deploy tool stops on (see usage below). The token is read from a file and handed to curl on
# its stdin (-H @-), so it is never on a command line that ps shows.

hg_usage() {
  cat <<EOF2
usage: $hg_prog [--api URL] [--token-file FILE] [--timeout SECONDS] APP...

  $hg_what
  Several apps are taken one at a time; the first that fails stops the hook.

  --api URL          the control API (default \$HEALTHGATE_API, else http://127.0.0.1:9901)
  --token-file FILE  a file holding control.token (default \$HEALTHGATE_TOKEN_FILE; none: no token)
  --timeout SECONDS  bound on one app's call (default 900)

Exit codes (non-zero stops a deploy):
  0  done: every app is where it was asked to be
  1  the action failed: the app is FAILED, out of rotation, and the reason is printed
  2  bad arguments (or an unreadable or empty token file)
  3  the API cannot be reached, or answered something unexpected
  4  busy: a cycle for that app is already running
  5  unknown app
  6  the token was refused (401)
  7  healthgate is stopping (503)
EOF2
}

hg_die() { # hg_die CODE MESSAGE
  printf '%s: %s\n' "$hg_prog" "$2" >&2
  exit "$1"
}

# hg_main ACTION "$@": parses the arguments, then runs ACTION for each app.
hg_main() {
  local action=$1
  shift
  local api=${HEALTHGATE_API:-http://127.0.0.1:9901}
  local token_file=${HEALTHGATE_TOKEN_FILE:-}
  local timeout=900
  local -a apps=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -h | --help)
        hg_usage
        exit 0
        ;;
      --api | --token-file | --timeout)
        [[ $# -ge 2 ]] || hg_die 2 "$1 needs a value"
        case "$1" in
          --api) api=$2 ;;
          --token-file) token_file=$2 ;;
          --timeout) timeout=$2 ;;
        esac
        shift 2
        ;;
      --)
        shift
        apps+=("$@")
        break
        ;;
      -*) hg_die 2 "unknown option: $1 (try --help)" ;;
      *)
        apps+=("$1")
        shift
        ;;
    esac
  done
  [[ ${#apps[@]} -gt 0 ]] || hg_die 2 "give at least one APP (try --help)"
  [[ $api =~ ^https?://[^/[:space:]]+$ ]] || hg_die 2 "--api = $api: expected http://HOST:PORT"
  [[ $timeout =~ ^[1-9][0-9]{0,5}$ ]] || hg_die 2 "--timeout = $timeout: expected a number of seconds"
  local app
  for app in "${apps[@]}"; do
    # the name goes into the URL: only what healthgate allows as an app name
    [[ $app =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$ ]] || hg_die 2 "APP = $app: not an app name ([A-Za-z0-9_.-], at most 40)"
  done
  local header=""
  if [[ -n $token_file ]]; then
    [[ -r $token_file && -f $token_file ]] || hg_die 2 "--token-file = $token_file: not a readable file"
    local token=""
    IFS= read -r token <"$token_file" || true
    token=${token%$'\r'}
    [[ -n $token ]] || hg_die 2 "--token-file = $token_file: empty (expected control.token on its first line)"
    header="Authorization: Bearer $token"
  fi
  for app in "${apps[@]}"; do
    hg_call "$action" "$app" "$api" "$timeout" "$header"
  done
}

# hg_call ACTION APP API TIMEOUT HEADER: POST API/v1/apps/APP/ACTION, streaming its phases; exits on failure.
hg_call() {
  local action=$1 app=$2 api=$3 timeout=$4 header=$5
  local -a curl=(curl -sS -N -X POST --max-time "$timeout" -H 'Accept: application/x-ndjson'
    -w '\n@@status=%{http_code}\n')
  # no body and no form content type: the API refuses a browser-like cross-site POST
  [[ -z $header ]] || curl+=(-H @-)
  curl+=("$api/v1/apps/$app/$action")
  printf '%-8s %s via %s\n' "$app" "$action" "$api"
  local status="" ok="" state="" reason="" error="" line
  local started=$SECONDS
  shopt -s lastpipe
  set +e
  if [[ -n $header ]]; then printf '%s\n' "$header"; fi | "${curl[@]}" | while IFS= read -r line; do
    hg_line "$app" "$line"
  done
  local -a codes=("${PIPESTATUS[@]}")
  set -e
  if [[ ${codes[1]} -ne 0 && ${status:-000} == 000 ]]; then
    hg_die 3 "cannot reach healthgate at $api (curl exit ${codes[1]}): is it running?"
  fi
  case "$status" in
    200)
      [[ -n $ok ]] || hg_die 3 "$app: the answer from $api ended before its result (curl exit ${codes[1]})"
      if [[ $ok == true ]]; then
        printf '%-8s %-14s %s done in %d s\n' "$app" "$state" "$action" $((SECONDS - started))
        return 0
      fi
      hg_die 1 "$app: $action failed (state $state): $reason"
      ;;
    401) hg_die 6 "$app: the token was refused: ${error:-401}" ;;
    404) hg_die 5 "$app: ${error:-unknown app}" ;;
    409) hg_die 4 "$app: busy: ${error:-a cycle is running}" ;;
    500) hg_die 1 "$app: $action failed: ${reason:-${error:-500}}" ;;
    503) hg_die 7 "$app: ${error:-healthgate is stopping}" ;;
    *) hg_die 3 "$app: unexpected answer from $api: HTTP ${status:-none} ${error}" ;;
  esac
}

# hg_line APP LINE: one line of the answer: a phase (printed), the result, an error, or curl's status mark.
hg_line() {
  local app=$1 line=$2
  if [[ $line =~ ^@@status=([0-9]{3})$ ]]; then
    status=${BASH_REMATCH[1]}
  elif [[ $line =~ \"event\":\"phase\" ]]; then
    local name ms note=""
    name=$(hg_field "$line" name)
    ms=$(hg_number "$line" ms)
    note=$(hg_field "$line" note)
    printf '%-8s %-14s %6d ms  %s\n' "$app" "$name" "${ms:-0}" "$note"
  elif [[ $line == "{"* ]]; then
    [[ $line =~ \"ok\":(true|false) ]] && ok=${BASH_REMATCH[1]}
    state=$(hg_field "$line" state)
    reason=$(hg_field "$line" reason)
    error=$(hg_field "$line" error)
  fi
}

# hg_field JSON KEY: the string value of "KEY" in a flat line of JSON, with \" and \\ unescaped.
hg_field() {
  local re="\"$2\":\"((\\\\.|[^\"\\\\])*)\""
  if [[ $1 =~ $re ]]; then
    local v=${BASH_REMATCH[1]}
    v=${v//\\\"/\"}
    v=${v//\\\\/\\}
    printf '%s' "$v"
  fi
}

# hg_number JSON KEY: the number value of "KEY".
hg_number() {
  local re="\"$2\":([0-9]+)"
  if [[ $1 =~ $re ]]; then printf '%s' "${BASH_REMATCH[1]}"; fi
}
