{{/*
Names: one release per namespace. Every object takes a plain name (the service's own name, consul, jaeger,
postgres, redis), so `kubectl port-forward svc/catalog` and `grpcurl catalog:50051` work as documented.
*/}}

{{/* The Secret the services read their secrets and store URLs from. */}}
{{- define "streamplane.secretName" -}}
{{- .Values.secrets.existingSecret | default "streamplane" -}}
{{- end }}

{{/*
What the code fixes about each service, as opposed to what values may change: the services it calls (the
`dependencies` of services/<name>/src/main.ts), the store it keeps state in, and the variables it reads from
the Secret (variable: Secret key). Env and NetworkPolicies derive from this one table.
*/}}
{{- define "streamplane.serviceFacts" -}}
catalog: {}
profiles:
  calls: [catalog]
  store: postgresql
  secretEnv:
    DATABASE_URL: database-url
recommendations:
  calls: [profiles, catalog]
playback-authorization:
  calls: [profiles, billing, catalog, steering, subtitles]
  store: redis
  secretEnv:
    STREAMPLANE_AUTH_SECRET: auth-secret
    STREAMPLANE_CDN_SECRET: cdn-secret
    REDIS_URL: redis-url
subtitles:
  calls: [catalog]
billing:
  store: postgresql
  secretEnv:
    DATABASE_URL: database-url
steering:
  calls: [recommendations]
  secretEnv:
    STREAMPLANE_CDN_SECRET: cdn-secret
{{- end }}

{{/*
The same facts of the edge (services/edge/src/application/dependencies.ts and config.ts): it calls catalog
(ladders) and steering (PlanFill), keeps no store, and checks signed CDN URLs with the CDN secret.
*/}}
{{- define "streamplane.edgeFacts" -}}
calls: [catalog, steering]
secretEnv:
  STREAMPLANE_CDN_SECRET: cdn-secret
{{- end }}

{{/*
Every workload of the call graph that the release runs: the services and, when edge.enabled, the edge. The
NetworkPolicies admit callers and Consul's and Jaeger's clients from this table.
*/}}
{{- define "streamplane.callerFacts" -}}
{{- $facts := include "streamplane.serviceFacts" . | fromYaml -}}
{{- if .Values.edge.enabled -}}
{{- $_ := set $facts "edge" (include "streamplane.edgeFacts" . | fromYaml) -}}
{{- end -}}
{{- toYaml $facts -}}
{{- end }}

{{/* Ports of the dependencies, shared by their Services, the services' env and the NetworkPolicies. */}}
{{- define "streamplane.dependencyPorts" -}}
consul: 8500
jaeger: 4317
postgresql: 5432
redis: 6379
{{- end }}

{{/*
Labels. Usage: include "streamplane.labels" (dict "root" $ "name" "catalog" "version" "0.1.0");
`version` defaults to the chart's appVersion.
*/}}
{{- define "streamplane.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "streamplane.selectorLabels" . }}
app.kubernetes.io/version: {{ .version | default .root.Chart.AppVersion | toString | trunc 63 | quote }}
app.kubernetes.io/part-of: streamplane
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* The labels a Deployment, Service, PDB or NetworkPolicy selects pods by. Usage as streamplane.labels. */}}
{{- define "streamplane.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* repository:tag of an image value ({repository, tag}); `default` fills a missing tag. */}}
{{- define "streamplane.image" -}}
{{- printf "%s:%s" .image.repository (.image.tag | default .default | toString) -}}
{{- end }}

{{/* The version label of a service's pods: the tag of the image it runs. Usage: (dict "root" $ "svc" $svc) */}}
{{- define "streamplane.serviceVersion" -}}
{{- (.svc.image | default dict).tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- end }}

{{/*
A service's effective shutdown, podDisruptionBudget and autoscaling settings: the global ones with the
service's own keys set over them. (Not sprig's merge, which would let a global `true` or `5000` win over a
service's `false` or `0`.) Returns YAML; use with fromYaml, and print numbers through `int`.
*/}}
{{- define "streamplane.serviceSettings" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $settings := dict -}}
{{- range $key := list "shutdown" "podDisruptionBudget" "autoscaling" -}}
{{- $merged := deepCopy (get $root.Values $key) -}}
{{- range $name, $value := get $svc $key | default dict -}}
{{- $_ := set $merged $name $value -}}
{{- end -}}
{{- $_ := set $settings $key $merged -}}
{{- end -}}
{{- toYaml $settings -}}
{{- end }}

{{/*
A value as an env var string. Helm reads YAML numbers as float64, which print as 8.64e+07: whole numbers are
printed as integers instead.
*/}}
{{- define "streamplane.envValue" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end }}

{{/*
CONSUL_HTTP_ADDR: the rendered `consul` Service, the external agent (https:// when consul.tls.enabled), or
the client agent of the pod's node through $(CONSUL_AGENT_HOST_IP), which streamplane.consulEnv sets first.
*/}}
{{- define "streamplane.consulAddress" -}}
{{- $consul := .Values.consul -}}
{{- if $consul.enabled -}}
consul:{{ include "streamplane.dependencyPorts" . | fromYaml | dig "consul" 0 }}
{{- else -}}
{{- $address := $consul.externalAddress | trimPrefix "http://" -}}
{{- if eq $consul.agent "hostIP" -}}
{{- $address = printf "$(CONSUL_AGENT_HOST_IP):%d" ($consul.agentPort | int) -}}
{{- end -}}
{{- if and $consul.tls.enabled (not (hasPrefix "https://" $address)) -}}
{{- $address = printf "https://%s" $address -}}
{{- end -}}
{{- $address -}}
{{- end -}}
{{- end }}

{{/* The port of the Consul agents the services talk to: for their NetworkPolicies' egress. */}}
{{- define "streamplane.consulPort" -}}
{{- $consul := .Values.consul -}}
{{- if $consul.enabled -}}
{{- include "streamplane.dependencyPorts" . | fromYaml | dig "consul" 0 -}}
{{- else if eq $consul.agent "hostIP" -}}
{{- $consul.agentPort | int -}}
{{- else -}}
{{- regexFind "[0-9]+$" $consul.externalAddress -}}
{{- end -}}
{{- end }}

{{/* Where CONSUL_CACERT is mounted (read-only), when consul.tls names a CA. */}}
{{- define "streamplane.consulCaDir" -}}/etc/streamplane/consul-ca{{- end }}

{{/* Whether the pods mount a CA for the external Consul's HTTPS: "true" or "". */}}
{{- define "streamplane.consulCaMounted" -}}
{{- $consul := .Values.consul -}}
{{- if and (not $consul.enabled) $consul.tls.enabled (or $consul.tls.caSecret $consul.tls.caConfigMap) -}}true{{- end -}}
{{- end }}

{{/*
The Consul variables of a platform process (libs/platform/src/config/config.ts): where its agent is, how it is
reached (https, CA, server name, ACL token from a Secret), whether it registers itself, and the names catalog
sync gives the services. Usage: include "streamplane.consulEnv" $
*/}}
{{- define "streamplane.consulEnv" -}}
{{- $consul := .Values.consul -}}
{{- if and (not $consul.enabled) (eq $consul.agent "hostIP") }}
# The client agent of this pod's own node: registration, health check and deregistration all reach it.
- name: CONSUL_AGENT_HOST_IP
  valueFrom:
    fieldRef:
      fieldPath: status.hostIP
{{- end }}
- name: CONSUL_HTTP_ADDR
  value: {{ include "streamplane.consulAddress" . | quote }}
{{- if not $consul.enabled }}
{{- if include "streamplane.consulCaMounted" . }}
- name: CONSUL_CACERT
  value: {{ printf "%s/%s" (include "streamplane.consulCaDir" .) $consul.tls.caKey | quote }}
{{- end }}
{{- if and $consul.tls.enabled $consul.tls.serverName }}
- name: CONSUL_TLS_SERVER_NAME
  value: {{ $consul.tls.serverName | quote }}
{{- end }}
{{- with $consul.aclToken.existingSecret }}
- name: CONSUL_HTTP_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $consul.aclToken.key }}
{{- end }}
{{- if eq $consul.registration "catalogSync" }}
# consul-k8s catalog sync registers this pod through its Kubernetes Service; the instance only resolves.
- name: STREAMPLANE_CONSUL_REGISTRATION
  value: none
{{- $suffix := ternary (printf "-%s" .Release.Namespace) "" $consul.catalogSync.addK8SNamespaceSuffix }}
{{- if or $consul.catalogSync.consulPrefix $suffix }}
- name: STREAMPLANE_CONSUL_SERVICE_NAME
  value: {{ printf "%s{service}%s" $consul.catalogSync.consulPrefix $suffix | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* The CA volume of streamplane.consulCaMounted, and its mount; empty otherwise. */}}
{{- define "streamplane.consulCaVolume" -}}
{{- if include "streamplane.consulCaMounted" . }}
{{- $tls := .Values.consul.tls }}
- name: consul-ca
  {{- if $tls.caSecret }}
  secret:
    secretName: {{ $tls.caSecret }}
    items:
      - key: {{ $tls.caKey }}
        path: {{ $tls.caKey }}
  {{- else }}
  configMap:
    name: {{ $tls.caConfigMap }}
    items:
      - key: {{ $tls.caKey }}
        path: {{ $tls.caKey }}
  {{- end }}
{{- end }}
{{- end }}

{{- define "streamplane.consulCaVolumeMount" -}}
{{- if include "streamplane.consulCaMounted" . }}
- name: consul-ca
  mountPath: {{ include "streamplane.consulCaDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* OTLP/gRPC endpoint: the rendered `jaeger` Service, the external collector, or empty (no export). */}}
{{- define "streamplane.otlpEndpoint" -}}
{{- if .Values.jaeger.enabled -}}
http://jaeger:{{ include "streamplane.dependencyPorts" . | fromYaml | dig "jaeger" 0 }}
{{- else -}}
{{- .Values.jaeger.externalOtlpEndpoint -}}
{{- end -}}
{{- end }}

{{/*
The variables the chart sets itself; a service's `env` may not set them (see validate.yaml), so that what a
value says is what the pod gets.
*/}}
{{- define "streamplane.managedEnv" -}}
- GRPC_HOST
- GRPC_PORT
- METRICS_HOST
- METRICS_PORT
- LOG_LEVEL
- STREAMPLANE_FAULTS
- SHUTDOWN_DELAY_MS
- SHUTDOWN_DRAIN_MS
- STREAMPLANE_DISCOVERY
- CONSUL_HTTP_ADDR
- CONSUL_AGENT_HOST_IP
- CONSUL_HTTP_SSL
- CONSUL_CACERT
- CONSUL_TLS_SERVER_NAME
- CONSUL_HTTP_TOKEN
- CONSUL_HTTP_TOKEN_FILE
- STREAMPLANE_CONSUL_REGISTRATION
- STREAMPLANE_CONSUL_SERVICE_NAME
- POD_IP
- K8S_POD_NAME
- K8S_NAMESPACE_NAME
- OTEL_EXPORTER_OTLP_ENDPOINT
- OTEL_TRACES_SAMPLER
- OTEL_TRACES_SAMPLER_ARG
- STREAMPLANE_AUTH_SECRET
- STREAMPLANE_CDN_SECRET
- DATABASE_URL
- REDIS_URL
- HEALTH_PORT
- STREAMPLANE_TLS
- STREAMPLANE_TLS_DIR
{{- end }}

{{/*
The platform variables of a process beside its listeners: logging, faults, shutdown timing, Consul discovery
(with the pod IP for a process that registers in Consul), OTLP and the pod's name and namespace (resource
attributes of its spans and metrics). Usage: include "streamplane.runtimeEnv"
(dict "root" $ "settings" $settings "registers" true).
*/}}
{{- define "streamplane.runtimeEnv" -}}
{{- $root := .root -}}
- name: LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
- name: STREAMPLANE_FAULTS
  value: {{ $root.Values.faults | quote }}
- name: SHUTDOWN_DELAY_MS
  value: {{ .settings.shutdown.delayMs | int | quote }}
- name: SHUTDOWN_DRAIN_MS
  value: {{ .settings.shutdown.drainMs | int | quote }}
- name: STREAMPLANE_DISCOVERY
  value: consul
{{- include "streamplane.consulEnv" $root }}
{{- if .registers }}
# The address this instance registers in Consul, which Consul's gRPC health check and the peers dial.
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{- end }}
# k8s.pod.name (also the service.instance.id) and k8s.namespace.name of every span and of target_info.
- name: K8S_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: K8S_NAMESPACE_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- with include "streamplane.otlpEndpoint" $root }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- with $root.Values.tracing.sampler }}
- name: OTEL_TRACES_SAMPLER
  value: {{ . | quote }}
{{- end }}
{{- with $root.Values.tracing.samplerArg }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ . | quote }}
{{- end }}
{{- end }}

{{/* The variables the chart sets for the edge besides the platform's; edge.env may not set them either. */}}
{{- define "streamplane.edgeManagedEnv" -}}
- HTTP_HOST
- HTTP_PORT
- EDGE_APPLIANCE_IDS
- EDGE_CACHE_BYTES
- EDGE_ORIGIN_LATENCY_MS
- EDGE_ORIGIN_BANDWIDTH_MBPS
- EDGE_FILL_REGION
- EDGE_FILL_WINDOW
- EDGE_FILL_TIME_ZONE
- EDGE_FILL_BANDWIDTH_MBPS
- EDGE_FILL_SEGMENTS_PER_RENDITION
- EDGE_FILL_MAX_TITLES
{{- end }}

{{/*
A service container's env: the platform variables (libs/platform/src/config/config.ts), the Secret-backed ones
this service reads, then the service's extra `env`. Usage: include "streamplane.serviceEnv"
(dict "root" $ "name" $name "svc" $svc "settings" $settings "facts" $facts).
*/}}
{{- define "streamplane.serviceEnv" -}}
{{- $root := .root -}}
- name: GRPC_HOST
  value: 0.0.0.0
- name: GRPC_PORT
  value: {{ .svc.port | int | quote }}
- name: METRICS_HOST
  value: 0.0.0.0
- name: METRICS_PORT
  value: {{ .svc.metricsPort | int | quote }}
- name: HEALTH_PORT
  value: {{ .svc.healthPort | int | quote }}
{{ include "streamplane.runtimeEnv" (dict "root" $root "settings" .settings "registers" true) }}
{{ include "streamplane.tlsEnv" $root }}
{{- range $variable, $key := .facts.secretEnv }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ include "streamplane.secretName" $root }}
      key: {{ $key }}
{{- end }}
{{- range $variable, $value := .svc.env }}
- name: {{ $variable }}
  value: {{ include "streamplane.envValue" $value | quote }}
{{- end }}
{{- end }}

{{/*
Security contexts: non-root under the image's own numeric UID, no privilege escalation, no capabilities,
read-only root filesystem (writable paths are emptyDirs or volumes), the runtime's default seccomp profile.
Usage: include "streamplane.podSecurityContext" (dict "uid" 10001 "gid" 10001).
*/}}
{{- define "streamplane.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .gid }}
fsGroup: {{ .gid }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "streamplane.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .gid }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Pod settings shared by every pod of the chart: none talks to the Kubernetes API or needs service links. */}}
{{- define "streamplane.podDefaults" -}}
automountServiceAccountToken: false
# Service links would add CATALOG_PORT=tcp://… style variables for every Service of the namespace.
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* A scratch /tmp for containers whose root filesystem is read-only. */}}
{{- define "streamplane.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end }}

{{- define "streamplane.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* The port of a URL (urlParse's host is host[:port]), or `default`. Usage: (dict "url" … "default" 5432) */}}
{{- define "streamplane.urlPort" -}}
{{- $host := (urlParse .url).host -}}
{{- if regexMatch ":[0-9]+$" $host -}}
{{- regexFind "[0-9]+$" $host -}}
{{- else -}}
{{- .default -}}
{{- end -}}
{{- end }}

{{/*
Where a service's NetworkPolicy lets it connect for a dependency (consul, jaeger, postgresql, redis): the
rendered pod when the chart runs it, else any address on the external endpoint's port. Returns one
NetworkPolicyEgressRule as YAML. Usage: include "streamplane.dependencyEgress" (dict "root" $ "dependency" "consul")
*/}}
{{- define "streamplane.dependencyEgress" -}}
{{- $root := .root -}}
{{- $values := get $root.Values .dependency -}}
{{- $port := get (include "streamplane.dependencyPorts" $root | fromYaml) .dependency -}}
{{- if not $values.enabled -}}
{{- if eq .dependency "consul" -}}
{{- $port = include "streamplane.consulPort" $root -}}
{{- else if eq .dependency "jaeger" -}}
{{- $port = include "streamplane.urlPort" (dict "url" $values.externalOtlpEndpoint "default" $port) -}}
{{- else -}}
{{- $port = include "streamplane.urlPort" (dict "url" $values.externalUrl "default" $port) -}}
{{- end -}}
{{- end -}}
{{- $rule := dict "ports" (list (dict "port" ($port | int) "protocol" "TCP")) -}}
{{- if $values.enabled -}}
{{- $selector := include "streamplane.selectorLabels" (dict "root" $root "name" (include "streamplane.dependencyName" .dependency)) | fromYaml -}}
{{- $_ := set $rule "to" (list (dict "podSelector" (dict "matchLabels" $selector))) -}}
{{- end -}}
{{- toYaml $rule -}}
{{- end }}

{{/* The object name of a dependency: postgresql runs as `postgres`, the others under their own names. */}}
{{- define "streamplane.dependencyName" -}}
{{- if eq . "postgresql" }}postgres{{ else }}{{ . }}{{ end -}}
{{- end }}

{{/*
A value of the chart's Secret: the one given in values, else the one the live Secret holds (upgrades), else a
new random one of 40 characters (the services require at least 32 bytes of a secret).
Usage: include "streamplane.secretValue" (dict "live" $liveSecret "key" "auth-secret" "given" …)
*/}}
{{- define "streamplane.secretValue" -}}
{{- $kept := dig "data" .key "" .live -}}
{{- if .given -}}
{{- .given -}}
{{- else if $kept -}}
{{- $kept | b64dec -}}
{{- else -}}
{{- randAlphaNum 40 -}}
{{- end -}}
{{- end }}

{{/* The health service name every Streamplane process keeps SERVING while it runs (libs/platform/src/server/health.ts). */}}
{{- define "streamplane.livenessHealthService" -}}
streamplane.liveness
{{- end }}


{{/*
Mutual TLS (values tls). Every identity the chart issues a certificate for: the services, the edge, and the
two callers from outside the call graph, `operator` (helm test, the load generator, smoke.sh: may call every
method) and `app` (the public surface, for trying what a viewer's app may do).
*/}}
{{- define "streamplane.tlsIdentities" -}}
{{- $identities := keys .Values.services | sortAlpha -}}
{{- toYaml (concat $identities (list "edge" "operator" "app")) -}}
{{- end }}

{{/* The URI SAN, the identity, of `name`'s certificate (libs/platform/src/security/identity.ts). */}}
{{- define "streamplane.spiffeId" -}}
spiffe://streamplane.local/{{ . }}
{{- end }}

{{/*
The Secret holding `name`'s certificate and key: the hook Job's one Secret of every identity (keys
<name>.crt, <name>.key, ca.crt), or under cert-manager the Certificate's own (tls.crt, tls.key, ca.crt).
Usage: include "streamplane.tlsSecretName" (dict "root" $ "name" "catalog")
*/}}
{{- define "streamplane.tlsSecretName" -}}
{{- if .root.Values.tls.certManager -}}
streamplane-tls-{{ .name }}
{{- else -}}
streamplane-tls
{{- end -}}
{{- end }}

{{/* Where a container finds its certificate: STREAMPLANE_TLS_DIR. */}}
{{- define "streamplane.tlsDir" -}}
/etc/streamplane/tls
{{- end }}

{{/* STREAMPLANE_TLS, and STREAMPLANE_TLS_DIR when it is enabled (a list of EnvVar). Usage: include … $ */}}
{{- define "streamplane.tlsEnv" -}}
- name: STREAMPLANE_TLS
  value: {{ ternary "enabled" "disabled" .Values.tls.enabled | quote }}
{{- if .Values.tls.enabled }}
- name: STREAMPLANE_TLS_DIR
  value: {{ include "streamplane.tlsDir" . | quote }}
{{- end }}
{{- end }}

{{/*
The volume of `name`'s certificate, laid out as STREAMPLANE_TLS_DIR wants (ca.crt, tls.crt, tls.key) whichever
Secret holds it, and readable by the pod's fsGroup only. Empty when TLS is off. The volume is named "tls"
unless `volume` names it (a pod holding a second identity's certificate).
Usage: include "streamplane.tlsVolume" (dict "root" $ "name" "catalog" ["volume" "app-tls"])
*/}}
{{- define "streamplane.tlsVolume" -}}
{{- if .root.Values.tls.enabled -}}
- name: {{ .volume | default "tls" }}
  projected:
    # 0440: the key is readable by the container's group (the pod's fsGroup), by nobody else.
    defaultMode: 288
    sources:
      - secret:
          name: {{ include "streamplane.tlsSecretName" . }}
          items:
            {{- if .root.Values.tls.certManager }}
            - { key: ca.crt, path: ca.crt }
            - { key: tls.crt, path: tls.crt }
            - { key: tls.key, path: tls.key }
            {{- else }}
            - { key: ca.crt, path: ca.crt }
            - { key: {{ printf "%s.crt" .name }}, path: tls.crt }
            - { key: {{ printf "%s.key" .name }}, path: tls.key }
            {{- end }}
{{- end }}
{{- end }}

{{/* The mount of streamplane.tlsVolume at STREAMPLANE_TLS_DIR; empty when TLS is off. Usage: include … $ */}}
{{- define "streamplane.tlsVolumeMount" -}}
{{- if .Values.tls.enabled -}}
- name: tls
  mountPath: {{ include "streamplane.tlsDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/*
The DNS names a certificate of `name` is valid for besides its identity: a served workload's Service names,
which grpcurl (helm test, smoke.sh) checks; none for the callers operator and app. The platform's own clients
check the identity alone. Usage: include "streamplane.tlsDnsNames" (dict "root" $ "name" "catalog") | fromYamlArray
*/}}
{{- define "streamplane.tlsDnsNames" -}}
{{- $namespace := .root.Release.Namespace -}}
{{- if or (hasKey .root.Values.services .name) (eq .name "edge") -}}
{{- toYaml (list .name (printf "%s.%s.svc" .name $namespace) (printf "%s.%s.svc.cluster.local" .name $namespace)) -}}
{{- else -}}
[]
{{- end -}}
{{- end }}

{{/* grpcurl's flags in NOTES.txt for a call to `name`: the operator's certificate under tls, else plaintext. */}}
{{- define "streamplane.notesGrpcurlFlags" -}}
{{- if .root.Values.tls.enabled -}}
$TLS -servername {{ .name }}
{{- else -}}
-plaintext
{{- end -}}
{{- end }}

{{/*
The ingress rule (a list of one NetworkPolicyIngressRule, or nothing) that lets the release's own readers of a
metrics port in: the control room (every instance's metrics) and the Security Monkey (the posture gauge).
Usage: include "streamplane.metricsReadersIngress" (dict "root" $ "port" 9451)
*/}}
{{- define "streamplane.metricsReadersIngress" -}}
{{- $readers := list }}
{{- if .root.Values.controlRoom.enabled }}
{{- $readers = append $readers "control-room" }}
{{- end }}
{{- if .root.Values.securityMonkey.enabled }}
{{- $readers = append $readers "security-monkey" }}
{{- end }}
{{- if $readers }}
- from:
    {{- range $reader := $readers }}
    - podSelector:
        matchLabels:
          {{- include "streamplane.selectorLabels" (dict "root" $.root "name" $reader) | nindent 10 }}
    {{- end }}
  ports:
    - port: {{ .port | int }}
      protocol: TCP
{{- end }}
{{- end }}
