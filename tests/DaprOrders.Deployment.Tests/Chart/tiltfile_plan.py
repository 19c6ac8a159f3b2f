# Runs the Tiltfile (Starlark, a Python subset) with Tilt's builtins replaced by recorders and prints, as JSON, the
# image builds, resources and local (host) resources it declares. No Tilt, cluster or Docker is needed: TiltfilePlan.cs reads the output.
# Usage: python3 tiltfile_plan.py <repository root> <yaml-as-json file>
# The second file maps each path the Tiltfile passes to read_yaml() to that file's content as JSON (the test reads the
# YAML with the same reader as every other deployment test, so this script needs nothing beyond the standard library).
import json
import os
import sys

root, yaml_json = sys.argv[1], sys.argv[2]
with open(yaml_json, encoding='utf-8') as f:
    yaml_files = json.load(f)

# The restart extension's default marker (tilt-dev/tilt-extensions restart_process/Tiltfile, RESTART_FILE).
RESTART_EXTENSION_DEFAULT_FILE = '/tmp/.restart-proc'

builds = []
resources = []
local_resources = []
helm_templates = []


class TiltfileFailed(Exception):
    pass


def fail(message):
    raise TiltfileFailed(message)


def read_yaml(path, default=None):
    if path not in yaml_files:
        fail('read_yaml(%r): the test did not provide this file' % path)
    return yaml_files[path]


def sync(local_path, remote_path):
    return {'sync': [local_path, remote_path]}


def run(command, trigger=None):
    return {'run': command}


def docker_build(ref, context, dockerfile='Dockerfile', live_update=None, **kwargs):
    builds.append({'ref': ref, 'context': context, 'dockerfile': dockerfile,
                   'syncs': [s['sync'][1] for s in (live_update or []) if 'sync' in s],
                   'restartFile': None})


def docker_build_with_restart(ref, context, entrypoint, live_update, base_suffix='-base',
                              restart_file=RESTART_EXTENSION_DEFAULT_FILE, **kwargs):
    builds.append({'ref': ref, 'context': context, 'dockerfile': kwargs.get('dockerfile', 'Dockerfile'),
                   'syncs': [s['sync'][1] for s in live_update if 'sync' in s],
                   'restartFile': restart_file})


def ignored(*args, **kwargs):
    return ''


def k8s_resource(workload='', new_name='', objects=None, resource_deps=None, **kwargs):
    resources.append({'name': new_name or workload, 'workload': workload, 'objects': objects or [],
                      'resourceDeps': resource_deps or []})


def helm_resource(name, chart, resource_deps=None, **kwargs):
    resources.append({'name': name, 'workload': '', 'objects': [], 'resourceDeps': resource_deps or []})


def local_resource(name, cmd='', deps=None, **kwargs):
    local_resources.append({'name': name, 'command': cmd, 'deps': deps or []})


def local(command, quiet=False, **kwargs):
    if command.startswith('helm template'):
        helm_templates.append(command)
    return ''


tilt_builtins = {
    'load': ignored, 'fail': fail, 'read_yaml': read_yaml, 'sync': sync, 'run': run,
    'docker_build': docker_build, 'docker_build_with_restart': docker_build_with_restart,
    'k8s_context': lambda: 'kind-daprorders', 'os': os,
    'helm_resource': helm_resource, 'helm_repo': ignored, 'k8s_yaml': ignored, 'k8s_resource': k8s_resource,
    'local_resource': local_resource, 'local': local, 'blob': ignored, 'watch_file': ignored, 'link': ignored,
}

os.chdir(root)
with open('Tiltfile', encoding='utf-8') as f:
    source = f.read()
exec(compile(source, 'Tiltfile', 'exec'), dict(tilt_builtins))
print(json.dumps({'builds': builds, 'resources': resources, 'localResources': local_resources,
                  'helmTemplates': helm_templates}))
