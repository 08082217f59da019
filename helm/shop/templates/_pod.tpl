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
{{- end -}}
