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
  {{- if or (not $svc.database.existingSecret) (not $v.rabbitmq.existingSecret) }}
  annotations:
    # Roll the pods when chart-managed credentials change.
    checksum/secrets: {{ include (print $root.Template.BasePath "/secrets.yaml") $root | sha256sum }}
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
        - name: http
          containerPort: 8080
          protocol: TCP
      env:
        - name: QUARKUS_HTTP_PORT
          value: "8080"
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
        - name: AMQP_USERNAME
          valueFrom:
            secretKeyRef:
              name: {{ include "shop.amqpSecretName" $root }}
              key: {{ $v.rabbitmq.usernameKey }}
        - name: AMQP_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "shop.amqpSecretName" $root }}
              key: {{ $v.rabbitmq.passwordKey }}
        - name: SHOP_AMQP_VIRTUAL_HOST
          value: {{ $v.rabbitmq.virtualHost | quote }}
        # Trace ids always flow (logs, CloudEvents); spans are sampled and exported only when enabled.
        - name: SHOP_OTEL_SAMPLE_RATIO
          value: {{ ternary "1.0" "0" $v.otel.enabled | quote }}
        {{- if $v.otel.enabled }}
        - name: QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT
          value: {{ $v.otel.endpoint | quote }}
        {{- end }}
        {{- range $name, $value := $svc.env }}
        - name: {{ $name }}
          value: {{ $value | quote }}
        {{- end }}
      startupProbe:
        httpGet:
          path: /q/health/started
          port: http
        periodSeconds: {{ $v.probes.startup.periodSeconds }}
        failureThreshold: {{ $v.probes.startup.failureThreshold }}
        timeoutSeconds: {{ $v.probes.startup.timeoutSeconds }}
      readinessProbe:
        httpGet:
          path: /q/health/ready
          port: http
        periodSeconds: {{ $v.probes.readiness.periodSeconds }}
        failureThreshold: {{ $v.probes.readiness.failureThreshold }}
        timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
      livenessProbe:
        httpGet:
          path: /q/health/live
          port: http
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
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: {{ $v.tmpVolume.sizeLimit }}
{{- end -}}
