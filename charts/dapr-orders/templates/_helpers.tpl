{{/*
Names and labels. Every object of a service is named "<fullname>-<service>": release "daprorders" gives
Services such as "daprorders-<service>".
*/}}
{{- define "dapr-orders.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "dapr-orders.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object name of one service. Call with (list $ $name). */}}
{{- define "dapr-orders.serviceName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "dapr-orders.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dapr-orders.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "dapr-orders.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: dapr-orders
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels of one service. Call with (list $ $name). */}}
{{- define "dapr-orders.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "dapr-orders.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* All labels of one service's objects. Call with (list $ $name). */}}
{{- define "dapr-orders.labels" -}}
{{ include "dapr-orders.commonLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Pods of this release that run a Dapr sidecar (every service pod). */}}
{{- define "dapr-orders.daprPodSelector" -}}
app.kubernetes.io/name: {{ include "dapr-orders.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
daprorders.io/dapr-enabled: "true"
{{- end -}}

{{/* Image of one service. Call with (list $ $service). */}}
{{- define "dapr-orders.image" -}}
{{- $root := index . 0 -}}
{{- $svc := index . 1 -}}
{{- $tag := $svc.image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- if $root.Values.image.registry -}}
{{- printf "%s/%s:%s" $root.Values.image.registry $svc.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $svc.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Port of the broker or store a pub/sub or state type talks to. Call with the type name. */}}
{{- define "dapr-orders.infrastructurePort" -}}
{{- $ports := dict "rabbitmq" 5672 "kafka" 9092 "nats" 4222 "redis" 6379 "postgresql" 5432 -}}
{{- required (printf "no port known for %s" .) (get $ports .) -}}
{{- end -}}

{{/* The Dapr resource files for the chosen variant, relative to the chart. */}}
{{- define "dapr-orders.daprResourceFiles" -}}
{{- $files := list "files/dapr/configuration.yaml" "files/dapr/resiliency.yaml" -}}
{{- $files = append $files (printf "files/dapr/pubsub/%s.yaml" .Values.pubsub.type) -}}
{{- $files = append $files (printf "files/dapr/state/%s/statestore.yaml" .Values.state.type) -}}
{{- $files = append $files (printf "files/dapr/state/%s/orderstore.yaml" .Values.state.type) -}}
{{- join "," $files -}}
{{- end -}}

{{/* Pod-level hardening shared by every pod of the chart. */}}
{{- define "dapr-orders.podSecurityContext" -}}
runAsNonRoot: true
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level hardening. Call with the root context. */}}
{{- define "dapr-orders.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ .Values.podSecurity.readOnlyRootFilesystem }}
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}
