{{/*
Naming and labels.

Selector labels are deliberately small and never change with the strategy:
  app.kubernetes.io/name      the service (order-svc, ...)
  app.kubernetes.io/instance  the release
Workloads add one more selector label, shop.dev/track, naming the pod set:
  rolling: stable | blueGreen: blue, green | canary: stable, canary
so a rolling Deployment and a canary's stable Deployment are the same object (same name and selector)
and switching rolling <-> canary never replaces the serving pods.
*/}}

{{- define "shop.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "shop.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "shop.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "shop.commonLabels" -}}
helm.sh/chart: {{ include "shop.chart" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: shop
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Context for per-service templates: dict "root" $ "key" "order" "svc" (index .Values.services "order") */}}
{{- define "shop.svc.fullname" -}}
{{- printf "%s-%s" (include "shop.fullname" .root) .key -}}
{{- end -}}

{{- define "shop.svc.selectorLabels" -}}
app.kubernetes.io/name: {{ .svc.name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "shop.svc.labels" -}}
{{ include "shop.commonLabels" .root }}
{{ include "shop.svc.selectorLabels" . }}
app.kubernetes.io/component: {{ .key }}
{{- end -}}

{{/* Image tag precedence: explicit (colour / canary) tag, service tag, chart-wide tag, appVersion. */}}
{{- define "shop.svc.baseTag" -}}
{{- .svc.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- end -}}

{{- define "shop.svc.repository" -}}
{{- .svc.image.repository | default (printf "%s/%s" .root.Values.image.repositoryPrefix .svc.name) -}}
{{- end -}}

{{/* Non-root uid of the image flavour (see <svc>/src/main/docker/). */}}
{{- define "shop.uid" -}}
{{- if eq .Values.image.flavor "native" }}1001{{ else }}185{{ end -}}
{{- end -}}

{{- define "shop.svc.dbSecretName" -}}
{{- .svc.database.existingSecret | default (printf "%s-db" (include "shop.svc.fullname" .)) -}}
{{- end -}}

{{/* The service's broker credentials (keys username, password). Context: the per-service dict. */}}
{{- define "shop.svc.amqpSecretName" -}}
{{- .svc.amqp.existingSecret | default (printf "%s-amqp" (include "shop.svc.fullname" .)) -}}
{{- end -}}

{{- define "shop.callbackSecretName" -}}
{{- .svc.callbackSecret.existingSecret | default (printf "%s-callback" (include "shop.svc.fullname" .)) -}}
{{- end -}}

{{- define "shop.jwtPublicKeyConfigMap" -}}
{{- printf "%s-jwt-public-key" (include "shop.fullname" .) -}}
{{- end -}}

{{/*
Least-privilege broker permissions of one service (context: the per-service dict), as JSON
{configure, write, read, topics: [{exchange, write, read}, ...]}; the same strings as
topology/permissions.json (scripts/chart-check/assert.mjs compares every rendering with that file).
  configure  nothing: the topology is declared by the admin credential (Job) or the Topology Operator
  write      only topic exchanges, so a topic permission narrows every message a service can publish:
             shop.events   its events (not notification-svc: it publishes none)
             shop.parking  the copy it parks in its own DLQ (routing key <svc>.events -> <svc>.dlq)
             shop.replay   dead-letter replays into its own queue (/exchange/shop.replay/<svc>.events)
             Never amq.default or shop.dlx: direct exchanges, which topic permissions do not cover, so
             write there would be write to any queue by name. shop.dlx stays the queues' own
             x-dead-letter-exchange; the broker dead-letters into it without a user's permission.
  read       its own queue and DLQ
  topics     one topic permission on each of the three exchanges, read "^$" everywhere:
             shop.events   the routing keys of its own events (contracts/asyncapi.yaml: order-svc
                           order.*, inventory-svc stock.*, billing-svc payment.*, notification-svc
                           none; "^$" there only for symmetry, it has no write on shop.events)
             shop.parking, shop.replay  only ^<svc>\.events$ (its own DLQ / its own queue)
A service can still publish a false event of its own types; see docs/security.md#kubernetes.
*/}}
{{- define "shop.svc.amqpPermissions" -}}
{{- $events := get (dict "order" "^order\\." "inventory" "^stock\\." "billing" "^payment\\." "notification" "^$") .key -}}
{{- if not $events -}}{{- fail (printf "services.%s: no topic permission defined for this service" .key) -}}{{- end -}}
{{- $write := ternary "^(shop\\.parking|shop\\.replay)$" "^(shop\\.events|shop\\.parking|shop\\.replay)$" (eq $events "^$") -}}
{{- $ownQueue := printf "^%s\\.events$" (regexQuoteMeta .svc.name) -}}
{{- dict
    "configure" "^$"
    "write" $write
    "read" (printf "^%s\\.(events|dlq)$" (regexQuoteMeta .svc.name))
    "topics" (list
      (dict "exchange" "shop.events" "write" $events "read" "^$")
      (dict "exchange" "shop.parking" "write" $ownQueue "read" "^$")
      (dict "exchange" "shop.replay" "write" $ownQueue "read" "^$"))
  | toJson -}}
{{- end -}}

{{/* Port of auth.jwksUrl (explicit, or 443 / 80 by scheme) for the NetworkPolicy. */}}
{{- define "shop.jwksPort" -}}
{{- $u := urlParse .Values.auth.jwksUrl -}}
{{- $hostPort := splitList ":" $u.host -}}
{{- if gt (len $hostPort) 1 -}}{{ last $hostPort }}{{- else if eq $u.scheme "https" -}}443{{- else -}}80{{- end -}}
{{- end -}}

{{- define "shop.managementSecretName" -}}
{{- .Values.rabbitmq.management.existingSecret | default (printf "%s-rabbitmq-management" (include "shop.fullname" .)) -}}
{{- end -}}

{{- define "shop.dbUrl" -}}
{{- printf "%s:%d/%s%s" .svc.database.host (int .svc.database.port) .svc.database.name .svc.database.urlParams -}}
{{- end -}}

{{/*
Replica split for a canary without a Gateway: canary = round(replicas * weight / 100), at least 1 while
weight > 0 and at most replicas - 1 while weight < 100; stable gets the rest. The achieved ratio is
therefore quantised to 1/replicas (replicas 4, weight 25 is exact; replicas 2, weight 10 gives 50%).
*/}}
{{- define "shop.svc.canaryReplicas" -}}
{{- $r := int .svc.replicas -}}
{{- $w := int .svc.canary.weight -}}
{{- $c := div (add (mul $r $w) 50) 100 -}}
{{- if and (gt $w 0) (lt $c 1) -}}{{- $c = 1 -}}{{- end -}}
{{- if and (lt $w 100) (gt $c (sub $r 1)) -}}{{- $c = sub $r 1 -}}{{- end -}}
{{- if eq $w 100 -}}{{- $c = $r -}}{{- end -}}
{{- $c -}}
{{- end -}}

{{/* Restricted-profile security contexts (not configurable on purpose). */}}
{{- define "shop.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "shop.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Fail early with a message that says what to set. */}}
{{- define "shop.validate" -}}
{{- $s := .Values.shutdown -}}
{{- if ge (add $s.preStopSleepSeconds $s.shutdownTimeoutSeconds) (int $s.terminationGracePeriodSeconds) -}}
{{- fail "shutdown: preStopSleepSeconds + shutdownTimeoutSeconds must be less than terminationGracePeriodSeconds" -}}
{{- end -}}
{{- if and .Values.auth.jwksUrl .Values.auth.publicKey -}}
{{- fail "auth: set auth.jwksUrl or auth.publicKey, not both" -}}
{{- end -}}
{{- if not (or .Values.auth.jwksUrl .Values.auth.publicKey) -}}
{{- fail "auth: set auth.jwksUrl (the identity provider's JWKS endpoint) or auth.publicKey (a PEM key); without one no token verifies" -}}
{{- end -}}
{{- if not (and .Values.auth.issuer .Values.auth.audience) -}}
{{- fail "auth: set auth.issuer and auth.audience (the tokens' iss and aud)" -}}
{{- end -}}
{{- if and (eq .Values.topology.mode "job") (not .Values.rabbitmq.management.existingSecret) (or (not .Values.rabbitmq.management.username) (not .Values.rabbitmq.management.password)) -}}
{{- fail "rabbitmq.management: topology.mode=job needs management.existingSecret, or both management.username and management.password" -}}
{{- end -}}
{{- range $key, $svc := .Values.services -}}
{{- if $svc.enabled -}}
{{- if and (not $svc.database.existingSecret) (or (not $svc.database.username) (not $svc.database.password)) -}}
{{- fail (printf "services.%s.database: set existingSecret, or both username and password" $key) -}}
{{- end -}}
{{- if and (eq $.Values.topology.mode "none") (not $svc.amqp.existingSecret) -}}
{{- fail (printf "services.%s.amqp.existingSecret: topology.mode=none creates no broker users, so name the Secret of the %s user you created" $key $svc.name) -}}
{{- end -}}
{{- if and $svc.hpa.enabled (lt (int $svc.hpa.maxReplicas) (int $svc.hpa.minReplicas)) -}}
{{- fail (printf "services.%s.hpa: maxReplicas must be >= minReplicas" $key) -}}
{{- end -}}
{{- if and (eq $svc.strategy "blueGreen") $svc.hpa.enabled (eq (int $svc.blueGreen.previewReplicas) 0) -}}
{{- fail (printf "services.%s.blueGreen.previewReplicas must be >= 1 when hpa.enabled (the preview colour is held by its own HPA)" $key) -}}
{{- end -}}
{{- if and (eq $svc.strategy "canary") (not $.Values.gateway.enabled) (not $.Values.progressiveDelivery.argoRollouts) (gt (int $svc.canary.weight) 0) (lt (int $svc.replicas) 2) -}}
{{- fail (printf "services.%s: a canary split by replica ratio needs replicas >= 2" $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
