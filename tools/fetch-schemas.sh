#!/usr/bin/env bash
# Downloads the upstream schemas the deployment tests validate against, at the versions pinned in the
# shared schema set (each folder's SOURCE.md), into a directory of your choice:
#
#   bash tools/fetch-schemas.sh ~/.cache/daprorders-schemas
#   DAPRORDERS_SCHEMAS_DIR=~/.cache/daprorders-schemas bash tools/test.sh
#
# Needs internet, curl and python3 with PyYAML (Debian: python3-yaml). Not run in CI: CI has the schema set
# at ../shared/schemas. The schemas are third-party data and are never committed to this repository.
#
# What is downloaded verbatim and what is derived:
#   dapr/crds/*.yaml               verbatim, dapr/dapr v1.18.3 charts/dapr/crds
#   dapr/*.json, dapr/strict/*.json derived here: each served CRD version's openAPIV3Schema; strict adds
#                                   additionalProperties:false where the CRD declares properties
#   dapr-components/**             verbatim metadata.yaml files, components-contrib v1.18.4
#   dapr-components/index.json     derived here (fields, required, allowedValues, auth profiles, runtime
#                                   built-ins, the documented aliases); the shared set's hand-written
#                                   "runtimeChecks" prose is not reproduced (the C# rules do not read it)
#   kubernetes/v1.33.1-standalone-strict  yannh/kubernetes-json-schema, $schema switched to draft-07 as in
#                                   the shared set (see its SOURCE.md)
#   helm-values/**                 verbatim chart values (bitnami rabbitmq, prometheus, jaeger, dapr)
#   kind/, ctlptl/                 hand-derived upstream-less schemas: copied from --hand-derived-from DIR
#                                   when given (e.g. a copy of the shared set), otherwise left out; the
#                                   suite then reports kind/ctlptl documents as "no schema".
set -euo pipefail

usage() { echo "usage: $0 <target-dir> [--hand-derived-from <schema-dir>]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
target="$1"; shift
hand_derived=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --hand-derived-from) hand_derived="${2:?}"; shift 2 ;;
    *) usage ;;
  esac
done

command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
python3 -c 'import yaml' 2>/dev/null || { echo "python3 with PyYAML is required (apt-get install python3-yaml)" >&2; exit 1; }

mkdir -p "$target"
target="$(cd "$target" && pwd)"

# github.com/<repo>/raw/<ref>/<path> also resolves the abbreviated commits recorded in SOURCE.md.
fetch() { # repo ref path dest
  local url="https://github.com/$1/raw/$2/$3"
  mkdir -p "$(dirname "$4")"
  curl -fsSL --retry 3 -o "$4" "$url" || { echo "failed: $url" >&2; exit 1; }
}

echo "Dapr CRDs (dapr/dapr v1.18.3)"
for crd in components subscription resiliency configuration httpendpoints; do
  fetch dapr/dapr v1.18.3 "charts/dapr/crds/$crd.yaml" "$target/dapr/crds/$crd.yaml"
done
python3 - "$target/dapr" <<'PY'
import json, os, sys, yaml
out = sys.argv[1]
os.makedirs(os.path.join(out, "strict"), exist_ok=True)

def strict(node):
    if isinstance(node, dict):
        if ("properties" in node and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")):
            node["additionalProperties"] = False
        for value in node.values():
            strict(value)
    elif isinstance(node, list):
        for value in node:
            strict(value)

for name in sorted(os.listdir(os.path.join(out, "crds"))):
    crd = yaml.safe_load(open(os.path.join(out, "crds", name)))
    kind = crd["spec"]["names"]["kind"]
    for version in crd["spec"]["versions"]:
        if not version.get("served"):
            continue
        schema = {"$schema": "http://json-schema.org/draft-07/schema#",
                  "title": f"{kind} dapr.io/{version['name']}",
                  "x-source": f"dapr/dapr@v1.18.3 charts/dapr/crds/{name}"}
        schema.update(version["schema"]["openAPIV3Schema"])
        file = f"{kind.lower()}.{version['name']}.json"
        json.dump(schema, open(os.path.join(out, file), "w"), indent=2)
        strict(schema)
        schema["title"] += " (strict: unknown fields rejected)"
        json.dump(schema, open(os.path.join(out, "strict", file), "w"), indent=2)
PY

echo "components-contrib metadata (v1.18.4)"
contrib_files=(
  pubsub/rabbitmq/metadata.yaml pubsub/kafka/metadata.yaml pubsub/jetstream/metadata.yaml
  pubsub/in-memory/metadata.yaml pubsub/redis/metadata.yaml
  state/redis/metadata.yaml state/postgresql/v1/metadata.yaml state/postgresql/v2/metadata.yaml
  state/in-memory/metadata.yaml bindings/smtp/metadata.yaml bindings/http/metadata.yaml
  secretstores/kubernetes/metadata.yaml secretstores/local/file/metadata.yaml secretstores/local/env/metadata.yaml
  component-metadata-schema.json
)
for f in "${contrib_files[@]}"; do
  fetch dapr/components-contrib v1.18.4 "$f" "$target/dapr-components/$f"
done
fetch dapr/components-contrib v1.18.4 .build-tools/builtin-authentication-profiles.yaml \
  "$target/dapr-components/builtin-authentication-profiles.yaml"
python3 - "$target/dapr-components" <<'PY'
import json, os, sys, yaml
root = sys.argv[1]
builtin_profiles = yaml.safe_load(open(os.path.join(root, "builtin-authentication-profiles.yaml")))
runtime = {
    "pubsub": [("allowedTopics", "string", None), ("consumerID", "string", None), ("protectedTopics", "string", None),
               ("publishingScopes", "string", None), ("subscriptionScopes", "string", None)],
    "state": [("actorStateStore", "bool", None), ("keyPrefix", "string", "appid"),
              ("outboxDiscardWhenMissingState", "bool", "false"), ("outboxPublishPubsub", "string", None),
              ("outboxPublishTopic", "string", None), ("outboxPubsub", "string", "outboxPublishPubsub")],
}
# Legacy names accepted through mapstructurealiases (listed in the shared set's dapr-components/SOURCE.md).
aliases = {
    "state.postgresql": {"url": "connectionString", "timeoutInSeconds": "timeout", "cleanupIntervalInSeconds": "cleanupInterval"},
    "state.redis": {"useAzureAD": "useEntraID"}, "pubsub.redis": {"useAzureAD": "useEntraID"},
    "pubsub.rabbitmq": {"host": "connectionString"},
}
registered_extra = {"state.postgresql": ["postgres"]}

def unquote(value):
    value = str(value)
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" else value

def field(meta, origin=None):
    f = {"type": meta.get("type", "string")}
    # An auth-profile field is required only within its profile (see authProfiles), not on its own.
    for key in (("sensitive",) if origin else ("required", "sensitive")):
        if meta.get(key):
            f[key] = True
    if "default" in meta and unquote(meta["default"]) != "":
        f["default"] = unquote(meta["default"])
    if meta.get("allowedValues"):
        f["allowedValues"] = [str(v) for v in meta["allowedValues"]]
    if meta.get("deprecated"):
        f["deprecatedPerDescription"] = True
    if origin:
        f["origin"] = origin
    return f

components = {}
for dirpath, _, files in os.walk(root):
    if "metadata.yaml" not in files:
        continue
    doc = yaml.safe_load(open(os.path.join(dirpath, "metadata.yaml")))
    spec_type = f"{doc['type']}.{doc['name']}"
    fields, profiles = {}, []
    for meta in doc.get("metadata") or []:
        fields[meta["name"]] = field(meta)
    expanded = []
    for profile in doc.get("authenticationProfiles") or []:
        expanded.append((profile["title"], profile.get("metadata") or [], None))
    for builtin in doc.get("builtinAuthenticationProfiles") or []:
        for profile in builtin_profiles.get(builtin["name"], []):
            extra = builtin.get("metadata") or []
            expanded.append((profile["title"], (profile.get("metadata") or []) + extra, builtin["name"]))
    for title, metas, builtin in expanded:
        for meta in metas:
            existing = fields.setdefault(meta["name"], field(meta, "authProfile"))
            # allowedValues of a field shared by several profiles is the union over them.
            for value in field(meta, "authProfile").get("allowedValues", []):
                if "allowedValues" in existing and value not in existing["allowedValues"]:
                    existing["allowedValues"].append(value)
        p = {"title": title, "required": [m["name"] for m in metas if m.get("required")],
             "optional": [m["name"] for m in metas if not m.get("required")]}
        if builtin:
            p["builtinProfile"] = builtin
        profiles.append(p)
    for name, kind, default in runtime.get(doc["type"], []):
        fields.setdefault(name, {"type": kind, "origin": "runtime-builtin", **({"default": default} if default else {})})
    version = {"file": os.path.relpath(os.path.join(dirpath, "metadata.yaml"), root), "status": doc.get("status", ""),
               "title": doc.get("title", ""), "capabilities": doc.get("capabilities") or [],
               "requiredAlways": [m["name"] for m in doc.get("metadata") or [] if m.get("required")],
               "fields": dict(sorted(fields.items(), key=lambda kv: kv[0].lower()))}
    if profiles:
        version["authProfiles"] = profiles
    if spec_type in aliases:
        version["aliases"] = {a: {"canonical": c} for a, c in aliases[spec_type].items()}
    entry = components.setdefault(spec_type, {"specType": spec_type,
                                               "registeredNames": [doc["name"]] + registered_extra.get(spec_type, []),
                                               "versions": {}})
    entry["versions"][doc.get("version", "v1")] = version

json.dump({"_source": {"repo": "dapr/components-contrib", "tag": "v1.18.4"},
           "_notes": ["Generated by tools/fetch-schemas.sh; runtimeChecks prose of the shared set is not reproduced."],
           "components": dict(sorted(components.items()))},
          open(os.path.join(root, "index.json"), "w"), indent=1)
PY

echo "Kubernetes v1.33.1 standalone-strict (yannh/kubernetes-json-schema)"
k8s="$target/kubernetes/v1.33.1-standalone-strict"
for f in deployment-apps-v1 service-v1 configmap-v1 secret-v1 namespace-v1 serviceaccount-v1 role-rbac-v1 \
         rolebinding-rbac-v1 horizontalpodautoscaler-autoscaling-v2 poddisruptionbudget-policy-v1 \
         networkpolicy-networking-v1 ingress-networking-v1 job-batch-v1 statefulset-apps-v1 \
         persistentvolumeclaim-v1 pod-v1 clusterrole-rbac-v1 clusterrolebinding-rbac-v1 cronjob-batch-v1; do
  fetch yannh/kubernetes-json-schema master "v1.33.1-standalone-strict/$f.json" "$k8s/$f.json"
  # The shared set uses the draft-07 URI (yannh: http://json-schema.org/schema#); NJsonSchema accepts both.
  sed -i 's|"http://json-schema.org/schema#"|"http://json-schema.org/draft-07/schema#"|' "$k8s/$f.json"
done

echo "Helm chart values"
for f in Chart.yaml values.yaml values.schema.json; do
  fetch bitnami/charts 5165628ae066 "bitnami/rabbitmq/$f" "$target/helm-values/rabbitmq-16.0.16/$f"
  fetch prometheus-community/helm-charts cf408a290aec "charts/prometheus/$f" "$target/helm-values/prometheus-29.27.0/$f"
done
for f in Chart.yaml values.yaml; do
  fetch jaegertracing/helm-charts 6c602b54a180 "charts/jaeger/$f" "$target/helm-values/jaeger-4.11.1/$f"
done
fetch dapr/dapr v1.18.3 charts/dapr/values.yaml "$target/helm-values/dapr-1.18.3/values.yaml"
for sub in dapr_config dapr_operator dapr_placement dapr_rbac dapr_scheduler dapr_sentry dapr_sidecar_injector; do
  fetch dapr/dapr v1.18.3 "charts/dapr/charts/$sub/values.yaml" "$target/helm-values/dapr-1.18.3/$sub.values.yaml"
done

if [[ -n "$hand_derived" ]]; then
  echo "kind and ctlptl (hand-derived) from $hand_derived"
  for dir in kind ctlptl; do
    mkdir -p "$target/$dir" && cp -r "$hand_derived/$dir/." "$target/$dir/"
  done
else
  echo "kind/ and ctlptl/ schemas are hand-derived and have no download; pass --hand-derived-from to copy them." >&2
fi

echo "Done. Use: DAPRORDERS_SCHEMAS_DIR=$target bash tools/test.sh"
