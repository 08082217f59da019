{{/*
Pod template shared by every workload of a service (Deployment of any track, Argo Rollout).
Context: dict "root" $ "key" <service key> "svc" <service values> "track" <track label or ""> "tag" <image tag>
An empty track (Argo Rollouts) leaves pod-set bookkeeping to the Rollout controller.
*/}}
{{- define "shop.podTemplate" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $v := $root.Values -}}
metadata:
  # No helm.sh/chart here: a chart version bump alone must not restart the pods.
  labels:
    {{- include "shop.svc.selectorLabels" . | nindent 4 }}
    app.kubernetes.io/component: {{ .key }}
    app.kubernetes.io/part-of: shop
    {{- with .root.Values.commonLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- with .track }}
    shop.dev/track: {{ . }}
    {{- end }}
    app.kubernetes.io/version: {{ .tag | quote }}
  annotations:
    # Roll the pods when chart-managed credentials or the trusted token key change.
    checksum/secrets: {{ include (print $root.Template.BasePath "/secrets.yaml") $root | sha256sum }}
    {{- with $v.auth.publicKey }}
    checksum/jwt-public-key: {{ . | sha256sum }}
    {{- end }}
spec:
  serviceAccountName: {{ include "shop.svc.fullname" . }}
  automountServiceAccountToken: false
  enableServiceLinks: false
  terminationGracePeriodSeconds: {{ $v.shutdown.terminationGracePeriodSeconds }}
  securityContext:
    {{- include "shop.podSecurityContext" (dict "uid" (include "shop.uid" $root)) | nindent 4 }}
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: topology.kubernetes.io/zone
      whenUnsatisfiable: {{ $v.topologySpread.zone }}
      labelSelector:
        matchLabels:
          {{- include "shop.svc.selectorLabels" . | nindent 10 }}
      matchLabelKeys:
        - pod-template-hash
    - maxSkew: 1
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: {{ $v.topologySpread.hostname }}
      labelSelector:
        matchLabels:
          {{- include "shop.svc.selectorLabels" . | nindent 10 }}
      matchLabelKeys:
        - pod-template-hash
  containers:
    - name: {{ $svc.name }}
      image: "{{ include "shop.svc.repository" . }}:{{ .tag }}"
      imagePullPolicy: {{ $v.image.pullPolicy }}
      ports:
        # The public API. Health and metrics are not served here.
        - name: http
          containerPort: 8080
          protocol: TCP
        # Quarkus management interface: /q/health/*, /q/metrics, for probes and Prometheus only
        # (no Service exposes it; the NetworkPolicy admits networkPolicy.management.from).
        - name: management
          containerPort: 9000
          protocol: TCP
      env:
        - name: QUARKUS_HTTP_PORT
          value: "8080"
        - name: QUARKUS_MANAGEMENT_PORT
          value: "9000"
        - name: QUARKUS_SHUTDOWN_TIMEOUT
          value: "{{ $v.shutdown.shutdownTimeoutSeconds }}s"
        - name: QUARKUS_DATASOURCE_REACTIVE_URL
          value: "postgresql://{{ include "shop.dbUrl" . }}"
        # Flyway runs the migrations over JDBC at start, before the app reports started/ready.
        - name: QUARKUS_DATASOURCE_JDBC_URL
          value: "jdbc:postgresql://{{ include "shop.dbUrl" . }}"
        - name: QUARKUS_DATASOURCE_USERNAME
          valueFrom:
            secretKeyRef:
              name: {{ include "shop.svc.dbSecretName" . }}
              key: {{ $svc.database.usernameKey }}
        - name: QUARKUS_DATASOURCE_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "shop.svc.dbSecretName" . }}
              key: {{ $svc.database.passwordKey }}
        - name: AMQP_HOST
          value: {{ $v.rabbitmq.host | quote }}
        - name: AMQP_PORT
          value: {{ $v.rabbitmq.port | quote }}
        # This service's own broker user (least privilege: see shop.svc.amqpPermissions).
        - name: AMQP_USERNAME
          valueFrom:
            secretKeyRef:
              name: {{ include "shop.svc.amqpSecretName" . }}
              key: username
        - name: AMQP_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "shop.svc.amqpSecretName" . }}
              key: password
        - name: SHOP_AMQP_VIRTUAL_HOST
          value: {{ $v.rabbitmq.virtualHost | quote }}
        # Trace ids always flow (logs, CloudEvents); spans are sampled and exported only when enabled.
        - name: SHOP_OTEL_SAMPLE_RATIO
          value: {{ ternary "1.0" "0" $v.otel.enabled | quote }}
        {{- if $v.otel.enabled }}
        - name: QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT
          value: {{ $v.otel.endpoint | quote }}
        {{- end }}
        # Bearer tokens: verified offline against the issuer's keys (JWKS URL or a mounted PEM key).
        - name: SHOP_JWT_PUBLIC_KEY_LOCATION
          value: {{ $v.auth.jwksUrl | default "/etc/shop/jwt/public.pem" | quote }}
        - name: SHOP_JWT_ISSUER
          value: {{ $v.auth.issuer | quote }}
        - name: SHOP_JWT_AUDIENCE
          value: {{ $v.auth.audience | quote }}
        # CORS is closed unless origins are configured.
        - name: QUARKUS_HTTP_CORS_ENABLED
          value: {{ ternary "true" "false" (gt (len $v.cors.origins) 0) | quote }}
        {{- with $v.cors.origins }}
        - name: QUARKUS_HTTP_CORS_ORIGINS
          value: {{ join "," . | quote }}
        {{- end }}
        {{- if eq .key "order" }}
        - name: SHOP_ORDER_RATE_LIMIT_CAPACITY
          value: {{ $svc.rateLimit.capacity | quote }}
        - name: SHOP_ORDER_RATE_LIMIT_PER_SECOND
          value: {{ $svc.rateLimit.perSecond | quote }}
        # The other services' read-only admin APIs (ops page dead letters, correctness monitor): their
        # main Services, only for enabled ones (for a disabled one order-svc keeps its built-in
        # localhost URL, which answers nothing, so those checks are reported as skipped).
        {{- range $peer := list "inventory" "billing" "notification" }}
        {{- $peerSvc := index $v.services $peer }}
        {{- if $peerSvc.enabled }}
        - name: SHOP_OPS_PEERS_{{ upper $peer }}
          value: "http://{{ include "shop.svc.fullname" (dict "root" $root "key" $peer "svc" $peerSvc) }}"
        {{- end }}
        {{- end }}
        - name: SHOP_CORRECTNESS_ENABLED
          value: {{ $svc.correctness.enabled | quote }}
        - name: SHOP_CORRECTNESS_PERIOD
          value: {{ $svc.correctness.period | quote }}
        - name: SHOP_CORRECTNESS_GRACE
          value: {{ $svc.correctness.grace | quote }}
        {{- if $svc.correctness.tokenSecret }}
        # Read at every run from the mounted Secret, so a rotated token needs no restart.
        - name: SHOP_CORRECTNESS_TOKEN_FILE
          value: /etc/shop/correctness/token
        {{- end }}
        {{- end }}
        {{- if eq .key "notification" }}
        - name: SHOP_CALLBACK_SECRET
          valueFrom:
            secretKeyRef:
              name: {{ include "shop.callbackSecretName" . }}
              key: {{ $svc.callbackSecret.key }}
        {{- end }}
        {{- range $name, $value := $svc.env }}
        - name: {{ $name }}
          value: {{ $value | quote }}
        {{- end }}
      startupProbe:
        httpGet:
          path: /q/health/started
          port: management
        periodSeconds: {{ $v.probes.startup.periodSeconds }}
        failureThreshold: {{ $v.probes.startup.failureThreshold }}
        timeoutSeconds: {{ $v.probes.startup.timeoutSeconds }}
      readinessProbe:
        httpGet:
          path: /q/health/ready
          port: management
        periodSeconds: {{ $v.probes.readiness.periodSeconds }}
        failureThreshold: {{ $v.probes.readiness.failureThreshold }}
        timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
      livenessProbe:
        httpGet:
          path: /q/health/live
          port: management
        periodSeconds: {{ $v.probes.liveness.periodSeconds }}
        failureThreshold: {{ $v.probes.liveness.failureThreshold }}
        timeoutSeconds: {{ $v.probes.liveness.timeoutSeconds }}
      {{- if gt (int $v.shutdown.preStopSleepSeconds) 0 }}
      lifecycle:
        # Native sleep action (Kubernetes >= 1.30): the images need no shell or sleep binary.
        preStop:
          sleep:
            seconds: {{ $v.shutdown.preStopSleepSeconds }}
      {{- end }}
      resources:
        {{- toYaml $svc.resources | nindent 8 }}
      securityContext:
        {{- include "shop.containerSecurityContext" . | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if $v.auth.publicKey }}
        - name: jwt-public-key
          mountPath: /etc/shop/jwt
          readOnly: true
        {{- end }}
        {{- if and (eq .key "order") $svc.correctness.tokenSecret }}
        - name: correctness-token
          mountPath: /etc/shop/correctness
          readOnly: true
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: {{ $v.tmpVolume.sizeLimit }}
    {{- if $v.auth.publicKey }}
    - name: jwt-public-key
      configMap:
        name: {{ include "shop.jwtPublicKeyConfigMap" $root }}
        items:
          - key: public.pem
            path: public.pem
    {{- end }}
    {{- if and (eq .key "order") $svc.correctness.tokenSecret }}
    # A whole-volume mount (no subPath), so the kubelet swaps in a rotated token. optional: order-svc
    # serves orders without it; a missing Secret shows up as skipped peer checks
    # (shop_correctness_peer_failures_total{reason="no_token"}), not as pods that never start.
    - name: correctness-token
      secret:
        secretName: {{ $svc.correctness.tokenSecret }}
        optional: true
        # 0444: the pod has no fsGroup, so the file stays root-owned and the non-root app must be
        # able to read it; the mount itself is read-only.
        defaultMode: 292
        items:
          - key: {{ $svc.correctness.tokenKey }}
            path: token
    {{- end }}
{{- end -}}
