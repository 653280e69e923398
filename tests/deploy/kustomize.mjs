// A renderer for the subset of kustomize that k8s/ uses, so the manifests can be
// checked where kubectl is not installed (Debian 12 does not package it).
//
// Supported, with kustomize's semantics:
//   resources      files (one or more YAML documents) and folders holding a
//                  kustomization.yaml (rendered first, recursively)
//   namespace      set on every namespaced object (Namespace itself is left alone)
//   images         name -> newName / newTag / digest, on containers and
//                  initContainers of pod templates
//   patches        - path: file with one strategic-merge patch; its target is
//                    its own apiVersion/kind/metadata.name
//                  - patch: inline JSON 6902 list (add/replace/remove) with a
//                    target of kind / name / namespace / labelSelector (name
//                    and namespace are anchored regular expressions, as in kustomize)
// Anything else in a kustomization (namePrefix, configMapGenerator, components,
// replacements, $patch directives, ...) is refused with an error rather than
// rendered approximately: use only what this file implements, or extend it and
// its tests first.
//
// Differences that do not change the objects: output order is kustomize's
// "legacy" kind order, then the order of appearance; YAML formatting differs.
//
//   import {render} from './kustomize.mjs';
//   const objects = render('k8s/overlays/dev');   // [{apiVersion, kind, metadata, ...}]

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);

// Kinds without a namespace among those we might meet.
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'PersistentVolume', 'StorageClass', 'PriorityClass', 'IngressClass',
]);

// kustomize's legacy output order (api/resource/... gvk.go: orderFirst / orderLast).
const ORDER_FIRST = [
  'Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount',
  'PodSecurityPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap',
  'Secret', 'Endpoints', 'Service', 'LimitRange', 'PriorityClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'CronJob', 'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

// Strategic merge: list fields merged by a key (from the Kubernetes API's
// patchMergeKey) rather than replaced. The key is the field name; the value
// the merge key. Lists not named here are replaced, as for the API's atomic lists.
const MERGE_KEYS = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  // Container ports merge on containerPort, Service ports on port.
  ports: (item) => ('containerPort' in item ? 'containerPort' : 'port'),
};

export function loadYamlDocuments(file) {
  const text = fs.readFileSync(file, 'utf8');
  // YAML 1.1, as kubectl reads manifests (0400 is octal there, decimal in 1.2).
  const docs = YAML.parseAllDocuments(text, {merge: true, version: '1.1'});
  const out = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const value = doc.toJS({maxAliasCount: 100});
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone(v) {
  return structuredClone(v);
}

// Strategic merge of `patch` into `base` (both plain JSON values); returns a new value.
export function strategicMerge(base, patch, field = '') {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(base)) return clone(patch);
    // As kustomize (kyaml) orders the result: the patch's items first, in the
    // patch's order (each merged into the base item with the same key), then
    // the base items the patch did not name, in the base's order.
    const out = [];
    const used = new Set();
    for (const item of patch) {
      if (!isObject(item)) return clone(patch);
      const k = typeof key === 'function' ? key(item) : key;
      if (!(k in item)) throw new Error(`strategic merge: an item of '${field}' lacks '${k}'`);
      const at = base.findIndex((o) => isObject(o) && o[k] === item[k]);
      if (at >= 0) {
        used.add(at);
        out.push(strategicMerge(base[at], item, ''));
      } else {
        out.push(clone(item));
      }
    }
    base.forEach((o, i) => { if (!used.has(i)) out.push(clone(o)); });
    return out;
  }
  if (!isObject(patch)) return clone(patch);
  const out = isObject(base) ? clone(base) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) throw new Error(`strategic merge directive '${k}' is not supported`);
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k], v, k);
  }
  return out;
}

function pointer(p) {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new Error(`JSON pointer '${p}' must start with /`);
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// RFC 6902 add / replace / remove (the operations k8s/ uses).
export function applyJson6902(doc, ops) {
  const out = clone(doc);
  for (const op of ops) {
    const parts = pointer(op.path);
    const last = parts.pop();
    let parent = out;
    for (const p of parts) {
      parent = Array.isArray(parent) ? parent[Number(p)] : parent?.[p];
      if (parent === undefined) throw new Error(`JSON 6902 ${op.op}: no '${op.path}'`);
    }
    const exists = Array.isArray(parent) ? Number(last) < parent.length : last in parent;
    switch (op.op) {
      case 'add':
        if (Array.isArray(parent)) {
          parent.splice(last === '-' ? parent.length : Number(last), 0, clone(op.value));
        } else {
          parent[last] = clone(op.value);
        }
        break;
      case 'replace':
        if (!exists) throw new Error(`JSON 6902 replace: no '${op.path}'`);
        parent[last] = clone(op.value);
        break;
      case 'remove':
        if (!exists) throw new Error(`JSON 6902 remove: no '${op.path}'`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break;
      default:
        throw new Error(`JSON 6902 operation '${op.op}' is not supported`);
    }
  }
  return out;
}

function anchored(re) {
  return new RegExp(`^(?:${re})$`);
}

function matchesTarget(obj, target) {
  for (const k of Object.keys(target)) {
    if (!['group', 'version', 'kind', 'name', 'namespace', 'labelSelector'].includes(k)) {
      throw new Error(`patch target field '${k}' is not supported`);
    }
  }
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  if (target.group !== undefined && target.group !== group) return false;
  if (target.version !== undefined && target.version !== version) return false;
  if (target.kind !== undefined && target.kind !== obj.kind) return false;
  if (target.name !== undefined && !anchored(target.name).test(obj.metadata.name)) return false;
  if (target.namespace !== undefined &&
      !anchored(target.namespace).test(obj.metadata.namespace ?? '')) return false;
  if (target.labelSelector !== undefined) {
    const labels = obj.metadata.labels ?? {};
    for (const term of target.labelSelector.split(',')) {
      const [k, v] = term.split('=');
      if (v === undefined) throw new Error(`labelSelector '${term}': only k=v is supported`);
      if (labels[k.trim()] !== v.trim()) return false;
    }
  }
  return true;
}

function podSpecs(obj) {
  const spec = obj.spec ?? {};
  if (obj.kind === 'Pod') return [spec];
  if (obj.kind === 'CronJob') return [spec.jobTemplate?.spec?.template?.spec].filter(Boolean);
  return [spec.template?.spec].filter(Boolean);
}

// Splits "name[:tag][@digest]" the way kustomize's image.Split does.
export function splitImage(image) {
  let name = image;
  let digest = '';
  const at = name.indexOf('@');
  if (at >= 0) { digest = name.slice(at + 1); name = name.slice(0, at); }
  let tag = '';
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) { tag = name.slice(colon + 1); name = name.slice(0, colon); }
  return {name, tag, digest};
}

function applyImages(objects, images) {
  for (const obj of objects) {
    for (const spec of podSpecs(obj)) {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        const cur = splitImage(c.image);
        const rule = images.find((i) => i.name === cur.name);
        if (!rule) continue;
        const name = rule.newName ?? cur.name;
        if (rule.digest) c.image = `${name}@${rule.digest}`;
        else if (rule.newTag) c.image = `${name}:${rule.newTag}`;
        else c.image = `${name}${cur.tag ? `:${cur.tag}` : ''}${cur.digest ? `@${cur.digest}` : ''}`;
      }
    }
  }
}

function identity(obj) {
  return `${obj.kind}/${obj.metadata?.name}`;
}

function sortLegacy(objects) {
  const rank = (kind) => {
    const first = ORDER_FIRST.indexOf(kind);
    if (first >= 0) return first;
    const last = ORDER_LAST.indexOf(kind);
    if (last >= 0) return 1000 + last;
    return 500;
  };
  return objects
    .map((o, i) => ({o, i}))
    .sort((a, b) => rank(a.o.kind) - rank(b.o.kind) || a.i - b.i)
    .map((x) => x.o);
}

function renderDir(dir) {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const [k] = loadYamlDocuments(file);
  for (const field of Object.keys(k)) {
    if (!KNOWN_FIELDS.has(field)) {
      throw new Error(`${file}: '${field}' is not supported by tests/deploy/kustomize.mjs`);
    }
  }
  let objects = [];
  for (const r of k.resources ?? []) {
    const p = path.resolve(dir, r);
    if (fs.statSync(p).isDirectory()) objects.push(...renderDir(p));
    else objects.push(...loadYamlDocuments(p));
  }
  const seen = new Set();
  for (const o of objects) {
    const id = `${identity(o)} in ${o.metadata?.namespace ?? ''}`;
    if (seen.has(id)) throw new Error(`${file}: ${identity(o)} is defined twice`);
    seen.add(id);
  }
  for (const p of k.patches ?? []) {
    for (const field of Object.keys(p)) {
      if (!['path', 'patch', 'target'].includes(field)) {
        throw new Error(`${file}: patch field '${field}' is not supported`);
      }
    }
    if (p.path) {
      if (p.target) throw new Error(`${file}: a patch file with a target is not supported`);
      const docs = loadYamlDocuments(path.resolve(dir, p.path));
      if (docs.length !== 1) throw new Error(`${p.path}: one patch per file`);
      const patch = docs[0];
      const hits = objects.filter((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name &&
          o.apiVersion === patch.apiVersion);
      if (hits.length !== 1) {
        throw new Error(`${p.path}: patch target ${identity(patch)} matches ${hits.length} objects`);
      }
      const {metadata, ...rest} = patch;
      const {name: _name, ...metaRest} = metadata;
      const merged = strategicMerge(hits[0], {...rest, metadata: metaRest});
      objects[objects.indexOf(hits[0])] = merged;
    } else if (p.patch) {
      if (!p.target) throw new Error(`${file}: an inline patch needs a target`);
      const ops = YAML.parse(p.patch);
      if (!Array.isArray(ops)) throw new Error(`${file}: inline strategic-merge patches are not supported`);
      const hits = objects.filter((o) => matchesTarget(o, p.target));
      if (hits.length === 0) throw new Error(`${file}: patch target ${JSON.stringify(p.target)} matches nothing`);
      objects = objects.map((o) => (hits.includes(o) ? applyJson6902(o, ops) : o));
    } else {
      throw new Error(`${file}: a patch needs path or patch`);
    }
  }
  // kustomize's builtin order: patches, then the namespace, then images.
  if (k.namespace) {
    for (const o of objects) {
      if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    }
  }
  if (k.images) applyImages(objects, k.images);
  return objects;
}

// The objects `kubectl kustomize <dir>` prints, as plain JSON values.
export function render(dir) {
  return sortLegacy(renderDir(path.resolve(dir)));
}

export function toYaml(objects) {
  return objects.map((o) => YAML.stringify(o)).join('---\n');
}
