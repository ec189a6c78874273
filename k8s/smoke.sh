#!/usr/bin/env bash
# Smoke test of Streamplane on a real cluster (kind, minikube or any other): calls every service with
# grpcurl through port-forwards, hits play with a token minted in the cluster, and checks through Jaeger's
# API v3 that the play is one trace spanning every service it touched.
# Needs kubectl (pointed at the cluster), grpcurl, curl, node and base64. Under mutual TLS it calls as operator,
# with that identity's certificate read from the cluster's Secret (see tls_args).
# Quiet until it has something to say: waits print one line, and a check that gives up prints why.
set -euo pipefail
# shellcheck source=k8s/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAMESPACE=${NAMESPACE:-streamplane}
# Local ports are the service ports shifted into 25xxx, so a local `npm start` does not collide.
LOCAL_BASE=${SMOKE_LOCAL_PORT_BASE:-25000}
SERVICES=(catalog profiles recommendations playback-authorization subtitles billing steering)
declare -A PORT=([catalog]=50051 [profiles]=50052 [recommendations]=50053 [playback-authorization]=50054
  [subtitles]=50055 [billing]=50056 [steering]=50057)
JAEGER_LOCAL=$((LOCAL_BASE + 16686 % 1000))
# Jaeger indexes a trace some seconds after its spans arrive.
TRACE_WAIT_ATTEMPTS=${SMOKE_TRACE_WAIT_ATTEMPTS:-30}
TRACE_WAIT_INTERVAL=${SMOKE_TRACE_WAIT_INTERVAL:-2}

mapfile -t missing < <(missing_tools "${SMOKE_TOOLS[@]}")
if ((${#missing[@]} > 0)); then
  report_missing_tools "${missing[@]}"
  exit 1
fi

forwards=()
# Port-forward logs (shown when a forward fails) and, under mutual TLS, the operator's certificate.
WORK_DIR=$(mktemp -d)
CERT_DIR=$WORK_DIR/tls
cleanup() {
  for pid in "${forwards[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK_DIR"
}
trap cleanup EXIT

local_port() { echo $((LOCAL_BASE + ${PORT[$1]} - 50000)); }
forward() { # service local-port remote-port
  kubectl -n "$NAMESPACE" port-forward "svc/$1" "$2:$3" >"$WORK_DIR/forward-$2.log" 2>&1 &
  forwards+=($!)
}
port_open() { # local-port
  (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
  echo "nothing listens on 127.0.0.1:$1; kubectl port-forward said:"
  cat "$WORK_DIR/forward-$1.log"
  return 1
}
wait_for_port() { retry_quietly 50 0.2 "the port-forward on 127.0.0.1:$1" port_open "$1"; }
# Under mutual TLS (the chart's default) grpcurl calls as operator, with that identity's certificate from the
# cluster: the hook Job's Secret streamplane-tls (operator.crt, operator.key), or cert-manager's
# streamplane-tls-operator (tls.crt, tls.key). Through a port-forward the address is 127.0.0.1, so -servername
# names the Service, which the service's certificate carries as a DNS name.
TLS_MODE=$(kubectl -n "$NAMESPACE" get deploy catalog \
  -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name=="STREAMPLANE_TLS")].value}')
if [ "$TLS_MODE" = enabled ]; then
  mkdir "$CERT_DIR"
  secret_file() { # secret key file
    kubectl -n "$NAMESPACE" get secret "$1" -o "go-template={{index .data \"$2\"}}" | base64 -d >"$CERT_DIR/$3"
  }
  if kubectl -n "$NAMESPACE" get secret streamplane-tls >/dev/null 2>&1; then
    secret_file streamplane-tls ca.crt ca.crt
    secret_file streamplane-tls operator.crt tls.crt
    secret_file streamplane-tls operator.key tls.key
  else
    secret_file streamplane-tls-operator ca.crt ca.crt
    secret_file streamplane-tls-operator tls.crt tls.crt
    secret_file streamplane-tls-operator tls.key tls.key
  fi
  chmod 600 "$CERT_DIR/tls.key"
fi
tls_args() { # service
  if [ "$TLS_MODE" = enabled ]; then
    echo "-cacert $CERT_DIR/ca.crt -cert $CERT_DIR/tls.crt -key $CERT_DIR/tls.key -servername $1"
  else
    echo -plaintext
  fi
}
call() { # service method json [extra grpcurl args...]
  local service=$1 method=$2 body=$3
  shift 3
  # shellcheck disable=SC2046 # tls_args is a list of flags, split on purpose
  grpcurl $(tls_args "$service") "$@" -d "$body" "127.0.0.1:$(local_port "$service")" "$method"
}

for service in "${SERVICES[@]}"; do forward "$service" "$(local_port "$service")" "${PORT[$service]}"; done
forward jaeger "$JAEGER_LOCAL" 16686
for service in "${SERVICES[@]}"; do wait_for_port "$(local_port "$service")"; done
wait_for_port "$JAEGER_LOCAL"

echo "▶ health and reflection of every service"
for service in "${SERVICES[@]}"; do
  call "$service" grpc.health.v1.Health/Check '{}' | grep -q '"SERVING"' ||
    { echo "smoke: $service is not SERVING" >&2; exit 1; }
  # shellcheck disable=SC2046 # as in call
  grpcurl $(tls_args "$service") "127.0.0.1:$(local_port "$service")" list | grep -q '^streamplane\.' ||
    { echo "smoke: $service does not list its service through reflection" >&2; exit 1; }
  echo "  $service: SERVING"
done

echo "▶ one real call per service"
call catalog streamplane.catalog.v1.CatalogService/GetTitle '{"title_id":"tt00001","country":"US"}' >/dev/null
call profiles streamplane.profiles.v1.ProfilesService/ListProfiles '{"account_id":"acct-0001"}' >/dev/null
call billing streamplane.billing.v1.BillingService/GetEntitlement '{"account_id":"acct-0001"}' >/dev/null
call subtitles streamplane.subtitles.v1.SubtitlesService/ListTracks '{"title_id":"tt00001"}' >/dev/null
call steering streamplane.steering.v1.SteeringService/SteerPlayback \
  '{"title_id":"tt00001","client":{"country":"US"}}' >/dev/null
call recommendations streamplane.recommendations.v1.RecommendationsService/GetTrending '{"country":"US"}' >/dev/null

echo "▶ hitting play"
TOKEN=$(kubectl -n "$NAMESPACE" exec deploy/playback-authorization -- node scripts/dist/token.js acct-0001)
TRACE_ID=$(node -e "console.log(require('node:crypto').randomBytes(16).toString('hex'))")
GRANT=$(call playback-authorization streamplane.playback.v1.PlaybackAuthorizationService/AuthorizePlayback \
  '{"profile_id":"acct-0001-p1","title_id":"tt00001","device":{"device_id":"smoke","max_height":2160,"supports_hdr":true,"codecs":["h264","hevc"]},"client":{"country":"US"}}' \
  -H "authorization: Bearer $TOKEN" -H "traceparent: 00-$TRACE_ID-00f067aa0ba902b7-01")
SESSION=$(node -e 'const grant = JSON.parse(process.argv[1]); if (!grant.cdnUrls?.length || !grant.renditions?.length) process.exit(1); console.log(grant.playbackSessionId)' "$GRANT" 2>/dev/null) ||
  { echo "smoke: the play's grant lacks CDN URLs or renditions: $GRANT" >&2; exit 1; }
call playback-authorization streamplane.playback.v1.PlaybackAuthorizationService/StopPlayback \
  "{\"playback_session_id\":\"$SESSION\"}" -H "authorization: Bearer $TOKEN" >/dev/null
echo "  granted and stopped $SESSION (trace $TRACE_ID)"

echo "▶ the play's trace in Jaeger (API v3)"
EXPECTED_TRACE_SERVICES="billing catalog playback-authorization profiles steering subtitles"
# Fails, saying what Jaeger answered, until the trace spans every expected service.
trace_spans_every_service() {
  local response seen
  response=$(curl -fsS "http://127.0.0.1:$JAEGER_LOCAL/api/v3/traces/$TRACE_ID") || return 1
  # On stdin: a trace's JSON can outgrow what one command-line argument may hold.
  seen=$(node -e '
    const names = new Set();
    for (const resourceSpans of JSON.parse(require("node:fs").readFileSync(0, "utf8")).result?.resourceSpans ?? [])
      for (const attribute of resourceSpans.resource?.attributes ?? [])
        if (attribute.key === "service.name") names.add(attribute.value.stringValue);
    console.log([...names].sort().join(" "));' <<<"$response" 2>/dev/null) ||
    { echo "Jaeger answered with something other than JSON: ${response:0:200}"; return 1; }
  [[ "$seen" == "$EXPECTED_TRACE_SERVICES" ]] ||
    { echo "trace $TRACE_ID spans [$seen], expected [$EXPECTED_TRACE_SERVICES]"; return 1; }
}
retry_quietly "$TRACE_WAIT_ATTEMPTS" "$TRACE_WAIT_INTERVAL" "Jaeger to index trace $TRACE_ID" trace_spans_every_service ||
  exit 1
echo "  one trace across: $EXPECTED_TRACE_SERVICES"
services=$(curl -fsS "http://127.0.0.1:$JAEGER_LOCAL/api/v3/services")
for service in "${SERVICES[@]}"; do
  grep -q "\"$service\"" <<<"$services" || { echo "smoke: Jaeger knows no service $service" >&2; exit 1; }
done
echo "▶ smoke test passed"
