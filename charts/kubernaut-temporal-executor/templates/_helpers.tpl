{{- define "executor.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "executor.labels" -}}
app.kubernetes.io/name: kubernaut-temporal-executor
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "executor.selector" -}}
app.kubernetes.io/name: kubernaut-temporal-executor
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "executor.serviceAccount" -}}
{{- .Values.serviceAccount.name | default (include "executor.name" .) -}}
{{- end -}}

{{/* The execution namespaces: the main one and any additional ones. */}}
{{- define "executor.executionNamespaces" -}}
{{- $all := prepend .Values.execution.additionalNamespaces .Values.execution.namespace -}}
{{- join "," (uniq $all) -}}
{{- end -}}
