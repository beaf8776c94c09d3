# shellcheck shell=bash
# scripts/lib/bench-servers.sh: sourced by scripts/bench, not run. The real servers of the bench
# (--servers): for each, two variants under the bench's load and HAProxy timing:
#
#   SERVER-naive       the server's own graceful restart, HAProxy's health checks only (on the app port)
#   SERVER-healthgate  healthgate restarts it the way scripts/examples/SERVER*.healthgate.yml does
#
# web1 and web2 both run the server with the example app (wsgi_app.py, config.ru, nginx.conf, the
# tomcat CATALINA_BASE), two workers each. Tomcat is the exception: only web1 runs it and is restarted;
# web2 is a demo app that takes the load meanwhile (as in TomcatIT). Uses scripts/bench's variables and
# functions (out ns repo appctl in_ns now_ms say sleep_ms wait_ready run_variant restart_healthgate ...).

BENCH_SERVERS=(gunicorn puma unicorn nginx tomcat)
TOMCAT_HOME=/usr/share/tomcat10

# The command each server needs (as scripts/test's hg_install_deps checks it) and its Debian package.
server_binary() {
  case $1 in
    nginx) echo /usr/sbin/nginx ;;
    tomcat) echo "$TOMCAT_HOME/bin/catalina.sh" ;;
    *) echo "$1" ;;
  esac
}
server_package() { case $1 in nginx) echo nginx-light ;; tomcat) echo tomcat10 ;; *) echo "$1" ;; esac; }

# How both variants restart the server (the table's last column).
server_how() {
  case $1 in
    gunicorn) echo "HUP: new workers, same master" ;;
    puma) echo "USR1: phased restart, workers one by one" ;;
    unicorn) echo "USR2: new master; then QUIT to the old one" ;;
    nginx) echo "USR2: new master; naive: WINCH, then QUIT to the old one; healthgate: QUIT" ;;
    tomcat) echo "TERM, then start again: the port closes (web1 only)" ;;
  esac
}

server="" # the server of the variant running now; empty for the demo variants
sdir=""   # pid files, logs and configs of the servers: $out/servers once run_servers runs
server_bg=() # servers the bench started in the background (reaped by server_stop_all)

pid_in() { local p; p=$(cat "$1" 2>/dev/null) || return 0; [[ $p =~ ^[0-9]+$ ]] && echo "$p"; return 0; }
# gone PID: exited, or a zombie (an old master is reaped by whoever adopted it, maybe later)
gone() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0; s=${s##*) }; [[ ${s:0:1} == Z ]]; }
children() { cat /proc/"$1"/task/*/children 2>/dev/null || true; }
all_gone() { local p; for p in "$@"; do gone "$p" || return 1; done; }
until_ms() { # deadline-ms what -- condition...: polls the condition every 50 ms, or the bench stops
  local t0 limit=$1 what=$2; shift 3; t0=$(now_ms)
  until "$@"; do
    (( $(now_ms) - t0 < limit )) || { say "$server: $what: not within $((limit / 1000)) s"; exit 1; }
    sleep 0.05
  done
}

server_start() { # index: starts webN as $server, waits until it answers /health
  local i=$1 port=1800$1 pidf="$sdir/web$1.pid" ex="$repo/scripts/examples" log="$sdir/web$1.log"
  case $server in
    gunicorn)
      ip netns exec "$ns" env HG_APP_NAME="web$i" gunicorn --chdir "$ex" --bind "127.0.0.1:$port" --workers 2 \
        --graceful-timeout 10 --pid "$pidf" wsgi_app:app >>"$log" 2>&1 & ;;
    puma)
      ip netns exec "$ns" env HG_APP_NAME="web$i" puma --workers 2 --bind "tcp://127.0.0.1:$port" --pidfile "$pidf" \
        --dir "$ex" "$ex/config.ru" >>"$log" 2>&1 & ;;
    unicorn)
      ip netns exec "$ns" env HG_APP_NAME="web$i" HG_PIDFILE="$pidf" unicorn -c "$ex/unicorn.rb" -l "127.0.0.1:$port" \
        "$ex/config.ru" >>"$log" 2>&1 & ;;
    nginx) # daemonizes (see nginx.conf); by its full path, as it re-executes argv[0] on USR2
      sed -e "s#/tmp/healthgate-examples/#$sdir/#g" -e "s/web1/web$i/g" -e "s/8001/$port/" "$ex/nginx.conf" \
        >"$sdir/web$i.nginx.conf"
      in_ns /usr/sbin/nginx -c "$sdir/web$i.nginx.conf" >>"$log" 2>&1 ;;
    tomcat)
      if [[ $i == 2 ]]; then
        in_ns "$appctl" start --name web2 --port 18002 --dir "$out/apps" --boot-delay 1 >/dev/null
      else
        [[ -d $sdir/web1-tomcat ]] || cp -r "$ex/tomcat" "$sdir/web1-tomcat"
        # catalina.sh run execs java: $! is Tomcat; C1 only, as in the ITs (it starts in half the time)
        local -a env; mapfile -t env < <(tomcat_env)
        ip netns exec "$ns" env "${env[@]}" "$TOMCAT_HOME/bin/catalina.sh" run >>"$log" 2>&1 &
        echo $! >"$pidf"
      fi ;;
  esac
  [[ $server == nginx || ($server == tomcat && $i == 2) ]] || server_bg+=($!)
  wait_ready "$port" 120000
}
tomcat_env() { # Tomcat's environment, NAME=VALUE a line
  printf '%s\n' "CATALINA_HOME=$TOMCAT_HOME" "CATALINA_BASE=$sdir/web1-tomcat" "HG_APP_NAME=web1" \
    "CATALINA_OPTS=-Dhg.port=18001 -XX:TieredStopAtLevel=1"
}

# Stops every server of the variant (and the demo app of Tomcat's web2), waits until the ports are free.
server_stop_all() {
  local i f p
  for i in 1 2; do
    for f in "$sdir/web$i.pid" "$sdir/web$i.pid.oldbin" "$sdir/web$i.pid.2"; do
      p=$(pid_in "$f")
      if [[ -n $p ]] && ! gone "$p"; then kill -TERM "$p" 2>/dev/null || true; fi
    done
  done
  for p in "${server_bg[@]}"; do wait "$p" 2>/dev/null || true; done
  server_bg=()
  in_ns "$appctl" stop --name web2 --dir "$out/apps" >/dev/null 2>&1 || true
  until_ms 60000 "ports 18001 and 18002 free after the stop" -- ports_closed
  rm -f "$sdir"/web?.pid*
}
# On the bench's exit: TERM to every server left (no waiting: the bench is ending).
server_kill_all() {
  local f p
  [[ -n $sdir ]] || return 0
  for f in "$sdir"/web?.pid*; do
    p=$(pid_in "$f")
    if [[ -n $p ]]; then kill -TERM "$p" 2>/dev/null || true; fi
  done
}
ports_closed() { ! in_ns curl -s -m 1 -o /dev/null http://127.0.0.1:18001/ && ! in_ns curl -s -m 1 -o /dev/null http://127.0.0.1:18002/; }

# --- the naive restarts: the server's own graceful way; prints "cycle_ms app_ms 0 start end" on fd 3
server_restart_naive() {
  local i=$1 t0 t1 t2; t0=$(now_ms)
  case $server in
    gunicorn) in_place "$i" HUP ;;
    puma) in_place "$i" USR1 ;;
    unicorn) new_master "$i" QUIT ;;
    nginx) new_master "$i" WINCH QUIT ;;
    tomcat) stop_start "$i" ;;
  esac
  t1=$(now_ms)
  # a closed port: HAProxy's checks have it back after rise x inter (as the demo's naive restart waits)
  [[ $server != tomcat ]] || sleep_ms "$in_ms"
  t2=$(now_ms)
  echo "$((t2 - t0)) $((t1 - t0)) 0 $t0 $t2" >&3
}
in_place() { # index signal: new workers under the same master; done once the old ones are gone
  local master old
  master=$(pid_in "$sdir/web$1.pid")
  old=$(children "$master")
  [[ -n $master && -n $old ]] || { say "$server web$1: no master ('$master') or no workers"; exit 1; }
  kill "-$2" "$master"
  # shellcheck disable=SC2086 # $old: a list of pids
  until_ms 60000 "web$1's old workers gone after $2" -- all_gone $old
  until_ms 60000 "web$1's new workers" -- has_children "$master"
  wait_ready "1800$1"
}
has_children() { [[ -n $(children "$1") ]]; }
new_master() { # index signals-to-old...: USR2, a new master with its workers, then the signals to the old one
  local old workers sig
  old=$(pid_in "$sdir/web$1.pid")
  workers=$(children "$old")
  kill -USR2 "$old"
  until_ms 60000 "web$1's new master and its workers after USR2" -- new_master_up "$1" "$old"
  for sig in "${@:2}"; do
    kill "-$sig" "$old"
    # WINCH: the old master's workers finish their requests and exit (the master stays for a rollback)
    # shellcheck disable=SC2086
    [[ $sig != WINCH ]] || until_ms 60000 "web$1's old workers gone after WINCH" -- all_gone $workers
  done
  until_ms 60000 "web$1's old master $old gone" -- gone "$old"
  wait_ready "1800$1"
}
new_master_up() { local p; p=$(pid_in "$sdir/web$1.pid"); [[ -n $p && $p != "$2" ]] && ! gone "$p" && [[ $(children "$p" | wc -w) -ge 2 ]]; }
stop_start() { # index: Tomcat cannot hand its socket over: stop it, start it again
  local p; p=$(pid_in "$sdir/web$1.pid")
  kill -TERM "$p"
  until_ms 60000 "Tomcat (pid $p) stopped" -- gone "$p"
  server_start "$1"
}

# --- healthgate's config: the example config's restart strategy, the bench's HAProxy timing
server_config() { # server -> healthgate.yml
  local i pidf
  printf 'state-dir: %s\n' "$out/state-$1"
  printf 'control: { listen: 127.0.0.1:19901 }\nhaproxy: { inter: %sms, fastinter: %sms, downinter: %sms, fall: %s, rise: %s, retries: %s, bind: 127.0.0.1:18080 }\napps:\n' \
    "$inter_ms" "$quick_ms" "$quick_ms" "$fall" "$rise" "$retries"
  for i in 1 2; do
    pidf="$sdir/web$i.pid"
    printf '  - { name: web%s, port: 1800%s, status-port: 1900%s, backup-status-port: 1910%s, gate: port, sticky-grace: %ss,\n' \
      "$i" "$i" "$i" "$i" "$grace"
    printf '      ready: { http: /health, timeout: 120s },\n'
    case "$1/$i" in
      gunicorn/*) printf '      restart: { signal: { pidfile: "%s", signal: HUP, new-pid: false }, keeps-port-open: true, timeout: 60s } }\n' "$pidf" ;;
      puma/*) printf '      restart: { signal: { pidfile: "%s", signal: USR1, new-pid: false }, keeps-port-open: true, timeout: 60s } }\n' "$pidf" ;;
      unicorn/* | nginx/*)
        printf '      restart: { signal: { pidfile: "%s", signal: USR2, new-pid: true, then-old: QUIT }, keeps-port-open: true, timeout: 60s } }\n' "$pidf" ;;
      tomcat/1)
        printf '      restart: { supervise: { command: ["%s", run], stop-signal: TERM, stop-timeout: 30s, env: {' "$TOMCAT_HOME/bin/catalina.sh"
        tomcat_env | sed -e 's/^\([A-Z_]*\)=\(.*\)$/\1: "\2"/' | paste -sd, - | sed -e 's/,/, /g'
        printf '      } } } }\n' ;;
      tomcat/2)
        printf '      restart: { exec: ["%s", "restart", "--name", "web2", "--port", "18002", "--dir", "%s", "--boot-delay", "1"] } }\n' \
          "$appctl" "$out/apps" ;;
    esac
  done
}

# Runs SERVER-naive and SERVER-healthgate for each server named, skipping (with a line saying why) those
# whose binary is missing. Writes $out/servers.txt (the variants run) and $out/servers-skipped.txt.
run_servers() {
  local s i
  sdir="$out/servers"
  : >"$out/servers.txt"; : >"$out/servers-skipped.txt"
  [[ $# -gt 0 ]] || return 0
  mkdir -p "$sdir"
  # the demo apps leave ports 18001 and 18002 to the servers
  for i in 1 2; do in_ns "$appctl" stop --name "web$i" --dir "$out/apps" >/dev/null; done
  load_slow=0 # the example apps have no /slow
  for s in "$@"; do
    server=$s
    if ! hg_have_cmd "$(server_binary "$s")"; then
      say "$s: skipped: no $(server_binary "$s") (apt-get install $(server_package "$s"))"
      echo "$s: skipped, no $(server_binary "$s") (Debian package $(server_package "$s"))" >>"$out/servers-skipped.txt"
      continue
    fi
    variant_apps=(1 2)
    [[ $s != tomcat ]] || variant_apps=(1)
    server_start 1; server_start 2
    run_variant "$s-naive" server_config "$s" server_restart_naive
    server_stop_all
    [[ $s == tomcat ]] || server_start 1 # Tomcat's web1 is healthgate's to start (supervise)
    server_start 2
    run_variant "$s-healthgate" server_config "$s" restart_healthgate
    server_stop_all
    server_how "$s" >"$out/$s-naive/how.txt"; cp "$out/$s-naive/how.txt" "$out/$s-healthgate/how.txt"
    printf '%s-naive\n%s-healthgate\n' "$s" "$s" >>"$out/servers.txt"
  done
  server=""
}
