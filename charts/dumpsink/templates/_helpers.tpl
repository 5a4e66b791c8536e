{{/* Names and labels shared by every template. */}}
{{- define "dumpsink.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "dumpsink.labels" -}}
app.kubernetes.io/name: {{ default .Chart.Name .Values.nameOverride }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: dumpsink
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: agent or presigner. */}}
{{- define "dumpsink.selectorLabels" -}}
app.kubernetes.io/name: {{ default .root.Chart.Name .root.Values.nameOverride }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "dumpsink.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "dumpsink.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The presigner's service account: its own when serviceAccount.presigner.create (an IRSA role that may only
     read), else the shared one. */}}
{{- define "dumpsink.presignerServiceAccountName" -}}
{{- if .Values.serviceAccount.presigner.create -}}
{{- default (printf "%s-presigner" (include "dumpsink.fullname" .)) .Values.serviceAccount.presigner.name -}}
{{- else -}}
{{- include "dumpsink.serviceAccountName" . -}}
{{- end -}}
{{- end -}}

{{- define "dumpsink.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{/* The S3 endpoint: the bundled MinIO unless one is given. Empty means AWS S3. */}}
{{- define "dumpsink.s3Endpoint" -}}
{{- if .Values.s3.endpoint -}}
{{- .Values.s3.endpoint -}}
{{- else if .Values.minio.enabled -}}
{{- printf "http://%s-minio:%d" .Release.Name 9000 -}}
{{- end -}}
{{- end -}}

{{/* Secret holding S3 credentials and its two keys, or nothing (AWS default chain). Called with the root
     context and a component (agent | presigner): the component's own credentials (s3.agent.*, s3.presigner.*)
     come first, so each can have least-privilege keys; else the shared ones. */}}
{{- define "dumpsink.s3CredentialsEnv" -}}
{{- $component := index .Values.s3 .component -}}
{{- $name := "" -}}{{- $idKey := "" -}}{{- $secretKey := "" -}}
{{- if $component.existingSecret -}}
{{- $name = $component.existingSecret -}}{{- $idKey = "access-key" -}}{{- $secretKey = "secret-key" -}}
{{- else if $component.accessKey -}}
{{- $name = include "dumpsink.fullname" . -}}{{- $idKey = printf "%s-s3-access-key" .component -}}{{- $secretKey = printf "%s-s3-secret-key" .component -}}
{{- else if .Values.s3.existingSecret -}}
{{- $name = .Values.s3.existingSecret -}}{{- $idKey = "access-key" -}}{{- $secretKey = "secret-key" -}}
{{- else if include "dumpsink.minioUsers" . -}}
{{- $name = printf "%s-minio-users" (include "dumpsink.fullname" .) -}}{{- $idKey = printf "%s-access-key" .component -}}{{- $secretKey = printf "%s-secret-key" .component -}}
{{- else if and .Values.minio.enabled (not .Values.s3.endpoint) -}}
{{- $name = default (printf "%s-minio" .Release.Name) .Values.minio.existingSecret -}}{{- $idKey = "root-user" -}}{{- $secretKey = "root-password" -}}
{{- else if .Values.s3.accessKey -}}
{{- $name = include "dumpsink.fullname" . -}}{{- $idKey = "s3-access-key" -}}{{- $secretKey = "s3-secret-key" -}}
{{- end -}}
{{- if $name }}
- name: DUMPSINK_S3_ACCESS_KEY
  valueFrom: {secretKeyRef: {name: {{ $name }}, key: {{ $idKey }}}}
- name: DUMPSINK_S3_SECRET_KEY
  valueFrom: {secretKeyRef: {name: {{ $name }}, key: {{ $secretKey }}}}
{{- end -}}
{{- end -}}

{{/* One secretKeyRef env entry for a presigner secret: from presigner.existingSecret when set, else from the
     values Secret when the value is given, else from the generated Secret (agent-token, link-secret only). */}}
{{- define "dumpsink.presignerSecretEnv" -}}
{{- $root := .root -}}
{{- $fullname := include "dumpsink.fullname" $root -}}
{{- $name := "" -}}{{- $optional := false -}}
{{- if $root.Values.presigner.existingSecret -}}
{{- $name = $root.Values.presigner.existingSecret -}}{{- $optional = .optional -}}
{{- else if .value -}}
{{- $name = $fullname -}}
{{- else if .generated -}}
{{- $name = printf "%s-generated" $fullname -}}{{- $optional = .optionalGenerated -}}
{{- end -}}
{{- if $name }}
- name: {{ .env }}
  valueFrom: {secretKeyRef: {name: {{ $name }}, key: {{ .key }}{{ if $optional }}, optional: true{{ end }}}}
{{- end -}}
{{- end -}}

{{/* "true" when the bundled MinIO gets an agent user and a presigner user of its own (minio-users.yaml), so
     neither component holds MinIO's root credentials: the bundled MinIO is used (no s3.endpoint),
     minio.users.enabled, no shared s3.existingSecret, and at least one component has no credentials of its own
     (s3.agent.*, s3.presigner.*). Empty otherwise. */}}
{{- define "dumpsink.minioUsers" -}}
{{- $own := and (or .Values.s3.agent.existingSecret .Values.s3.agent.accessKey) (or .Values.s3.presigner.existingSecret .Values.s3.presigner.accessKey) -}}
{{- if and .Values.minio.enabled (not .Values.s3.endpoint) .Values.minio.users.enabled (not .Values.s3.existingSecret) (not $own) -}}
true
{{- end -}}
{{- end -}}
