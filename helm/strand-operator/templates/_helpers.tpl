{{/* Chart name, at most 63 characters (a label value). */}}
{{- define "strand-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the objects: the release name when it already contains the chart name, "<release>-<chart>" otherwise.
At most 63 characters (a DNS label).
*/}}
{{- define "strand-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "<chart>-<version>", for the helm.sh/chart label. */}}
{{- define "strand-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object of the chart. */}}
{{- define "strand-operator.labels" -}}
helm.sh/chart: {{ include "strand-operator.chart" . }}
{{ include "strand-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: strand
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the operator pod; they never change for a release (a Deployment's selector is immutable). */}}
{{- define "strand-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "strand-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The operator's ServiceAccount. */}}
{{- define "strand-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "strand-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The operator image, "<repository>:<tag>" with the appVersion as the default tag. */}}
{{- define "strand-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* What the operator's controllers watch: JOSDK_ALL_NAMESPACES, or the comma-separated watchNamespaces. */}}
{{- define "strand-operator.watchedNamespaces" -}}
{{- if .Values.watchNamespaces }}
{{- join "," .Values.watchNamespaces }}
{{- else }}
{{- "JOSDK_ALL_NAMESPACES" }}
{{- end }}
{{- end }}

{{/*
The rules the operator needs in every namespace it watches: a ClusterRole's when it watches all of them, a Role's in
each otherwise. Each follows from the operator's code (operator/src/main/java/io/strand/operator) and is exercised by
e2e/chart's OperatorRbacIT. No "update" anywhere: JOSDK creates objects (POST) and changes them with server-side
apply and JSON patches, which the API server authorizes as "patch" (the operator keeps quarkus.operator-sdk.enable-ssa
at its default, true; turning it off would need "update" on the dependents).
*/}}
{{- define "strand-operator.namespacedRules" -}}
# KafkaCluster: read by both controllers' informers (the Topic controller follows its cluster); never written, but
# for its status. No finalizer: the KafkaCluster controller is not a Cleaner.
- apiGroups: ["strand.io"]
  resources: ["kafkaclusters"]
  verbs: ["get", "list", "watch"]
# Topic: the controller's informers, and its finalizer, added and removed with patches (TopicReconciler is a Cleaner).
- apiGroups: ["strand.io"]
  resources: ["topics"]
  verbs: ["get", "list", "watch", "patch"]
# Status, written by both controllers with patches (UpdateControl.patchStatus, ErrorStatusUpdateControl.patchStatus).
- apiGroups: ["strand.io"]
  resources: ["kafkaclusters/status", "topics/status"]
  verbs: ["patch"]
# A KafkaCluster's dependents, JOSDK CRUD dependents: informers (list, watch), create, server-side apply (patch),
# delete when a reconcile precondition stops holding: ServiceAccountDependent, BrokerConfigDependent (ConfigMap),
# the headless, bootstrap and tunnel Services (the tunnel one goes with its listener), PodDisruptionBudgetDependent
# and PodMonitorDependent (only where the Prometheus Operator's CRD exists; it goes when metrics are turned off).
- apiGroups: [""]
  resources: ["serviceaccounts", "configmaps", "services"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["monitoring.coreos.com"]
  resources: ["podmonitors"]
  verbs: ["list", "watch", "create", "patch", "delete"]
# StatefulSetDependent likewise; growing storage also deletes it with orphan propagation and polls until it is gone
# (StorageGrowth.orphanStatefulSet: get), then creates it again around the running pods.
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# Broker pods: listed on every reconcile (KafkaClusterReconciler), deleted to restart a broker on a new
# configuration (LifecycleExecutor).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "delete"]
# Broker volumes: listed and grown in place when spec.storage.size grows (StorageGrowth.growClaims: edit = get + patch).
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "patch"]
{{- end }}

{{/*
The one cluster-scoped read: the operator's own CRDs, checked against its classes at startup
(quarkus.operator-sdk.crd.validate), and the PodMonitor CRD, whose presence activates PodMonitorDependent
(JOSDK's CRDPresentActivationCondition). Both read one CRD by name, never list.
*/}}
{{- define "strand-operator.crdRules" -}}
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  resourceNames: ["kafkaclusters.strand.io", "topics.strand.io", "podmonitors.monitoring.coreos.com"]
  verbs: ["get"]
{{- end }}
