#!/usr/bin/env bash
# Brings Streamplane up on a local cluster, or tears the cluster down:
#   k8s/cluster.sh kind up|down        (npm run kind:up / kind:down)
#   k8s/cluster.sh minikube up|down    (npm run minikube:up / minikube:down)
# "up": create the cluster, build the image, load it into the cluster, helm install, wait for the rollout,
# run the smoke test, print how to reach the services and Jaeger.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER_KIND=${1:?usage: k8s/cluster.sh kind|minikube up|down}
ACTION=${2:?usage: k8s/cluster.sh kind|minikube up|down}
RELEASE=streamplane
NAMESPACE=streamplane
IMAGE=streamplane:dev
# shellcheck source=k8s/minikube.env
source k8s/minikube.env

say() { printf '\n▶ %s\n' "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "$1 is required: $2" >&2; exit 1; }; }

helm_binary() {
  if command -v helm >/dev/null 2>&1; then command -v helm; else node scripts/ensure-helm.js; fi
}

create_cluster() {
  case "$CLUSTER_KIND" in
    kind)
      need kind 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation'
      if kind get clusters | grep -qx streamplane; then
        say "kind cluster streamplane exists"
      else
        say "creating kind cluster streamplane"
        kind create cluster --config k8s/kind-config.yaml --wait 120s
      fi
      kubectl config use-context kind-streamplane >/dev/null
      ;;
    minikube)
      need minikube 'https://minikube.sigs.k8s.io/docs/start/'
      say "starting minikube profile $MINIKUBE_PROFILE"
      minikube start -p "$MINIKUBE_PROFILE" --cpus "$MINIKUBE_CPUS" --memory "$MINIKUBE_MEMORY" \
        --driver "$MINIKUBE_DRIVER"
      kubectl config use-context "$MINIKUBE_PROFILE" >/dev/null
      ;;
    *) echo "unknown cluster kind: $CLUSTER_KIND (kind or minikube)" >&2; exit 2 ;;
  esac
}

load_image() {
  say "building $IMAGE"
  docker build -t "$IMAGE" .
  say "loading $IMAGE into the cluster"
  case "$CLUSTER_KIND" in
    kind) kind load docker-image "$IMAGE" --name streamplane ;;
    minikube) minikube -p "$MINIKUBE_PROFILE" image load "$IMAGE" ;;
  esac
}

install_chart() {
  local helm
  helm=$(helm_binary)
  say "helm upgrade --install $RELEASE (namespace $NAMESPACE)"
  "$helm" upgrade --install "$RELEASE" helm/streamplane --namespace "$NAMESPACE" --create-namespace \
    --set image.repository=streamplane --set image.tag=dev --set image.pullPolicy=Never \
    --wait --timeout 10m
  say "waiting for every rollout"
  kubectl --namespace "$NAMESPACE" rollout status deployment --timeout 5m
  kubectl --namespace "$NAMESPACE" rollout status statefulset --timeout 5m
  say "helm test"
  "$helm" test "$RELEASE" --namespace "$NAMESPACE" --timeout 5m --logs
}

print_access() {
  cat <<HOWTO

Streamplane is running in namespace $NAMESPACE.

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

case "$ACTION" in
  up)
    need docker 'a container engine to build the image'
    need kubectl 'https://kubernetes.io/docs/tasks/tools/'
    create_cluster
    load_image
    install_chart
    say "smoke test"
    k8s/smoke.sh
    print_access
    ;;
  down)
    case "$CLUSTER_KIND" in
      kind) need kind 'to delete the cluster'; kind delete cluster --name streamplane ;;
      minikube) need minikube 'to delete the profile'; minikube delete -p "$MINIKUBE_PROFILE" ;;
      *) echo "unknown cluster kind: $CLUSTER_KIND (kind or minikube)" >&2; exit 2 ;;
    esac
    ;;
  *) echo "unknown action: $ACTION (up or down)" >&2; exit 2 ;;
esac
