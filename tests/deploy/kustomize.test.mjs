// The renderer's semantics on small inputs: each case is how `kubectl
// kustomize` behaves for the features k8s/ uses (strategic merge keyed lists,
// JSON 6902, images, namespace), and that anything else is refused.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';

import {applyJson6902, render, splitImage, strategicMerge} from './kustomize.mjs';

// The order is kustomize's (checked against kubectl kustomize v5.5): the patch's
// items first, in its order, then the base items it did not name.
test('strategic merge merges containers by name and env by name, keeping the rest', () => {
  const base = {spec: {containers: [
    {name: 'a', image: 'x', env: [{name: 'K', value: '1'}, {name: 'L', value: '2'}]},
    {name: 'b', image: 'y'},
  ]}};
  const out = strategicMerge(base, {spec: {containers: [
    {name: 'a', env: [{name: 'L', value: '3'}, {name: 'M', value: '4'}]},
  ]}});
  assert.deepEqual(out.spec.containers, [
    {name: 'a', image: 'x', env: [{name: 'L', value: '3'}, {name: 'M', value: '4'}, {name: 'K', value: '1'}]},
    {name: 'b', image: 'y'},
  ]);
  assert.equal(base.spec.containers[0].env[1].value, '2', 'the input is not modified');
});

test('YAML is read as 1.1, as kubectl reads it: 0400 is octal', () => {
  const dir = tree({'kustomization.yaml': 'resources: [s.yaml]\n',
    's.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata: {}\nmode: 0400\n'});
  assert.equal(render(dir)[0].mode, 256);
});

test('strategic merge replaces lists without a merge key and deletes on null', () => {
  const base = {spec: {tolerations: [{key: 'a'}], rules: [{host: 'x'}], keep: 1, drop: 2}};
  const out = strategicMerge(base, {spec: {tolerations: [{key: 'b'}], rules: [{host: 'y'}], drop: null}});
  assert.deepEqual(out, {spec: {tolerations: [{key: 'b'}], rules: [{host: 'y'}], keep: 1}});
});

test('strategic merge keys container ports on containerPort and Service ports on port', () => {
  const c = strategicMerge({ports: [{containerPort: 1, name: 'a'}]}, {ports: [{containerPort: 1, name: 'b'}]});
  assert.deepEqual(c.ports, [{containerPort: 1, name: 'b'}]);
  const s = strategicMerge({ports: [{port: 80, targetPort: 8080}]}, {ports: [{port: 443, targetPort: 8443}]});
  assert.equal(s.ports.length, 2);
});

test('strategic merge refuses $patch directives instead of guessing', () => {
  assert.throws(() => strategicMerge({a: {b: 1}}, {a: {$patch: 'replace'}}), /not supported/);
});

test('JSON 6902 add, replace and remove; replace of a missing path fails', () => {
  const doc = {spec: {replicas: 2, list: [1, 2]}};
  const out = applyJson6902(doc, [
    {op: 'replace', path: '/spec/replicas', value: 1},
    {op: 'add', path: '/spec/list/-', value: 3},
    {op: 'remove', path: '/spec/list/0'},
    {op: 'add', path: '/spec/new~1key', value: true},
  ]);
  assert.deepEqual(out, {spec: {replicas: 1, list: [2, 3], 'new/key': true}});
  assert.throws(() => applyJson6902(doc, [{op: 'replace', path: '/spec/nope', value: 1}]), /no '\/spec\/nope'/);
});

test('image references split like kustomize: registry ports are not tags', () => {
  assert.deepEqual(splitImage('reg:5000/a/b:1.2'), {name: 'reg:5000/a/b', tag: '1.2', digest: ''});
  assert.deepEqual(splitImage('reg:5000/a/b'), {name: 'reg:5000/a/b', tag: '', digest: ''});
  assert.deepEqual(splitImage('a@sha256:00'), {name: 'a', tag: '', digest: 'sha256:00'});
});

function tree(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-test-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), {recursive: true});
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - {name: web, image: example/web, env: [{name: A, value: "1"}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: team}
`;

test('an overlay: namespace, images, a patch file and a targeted JSON 6902 patch', () => {
  const dir = tree({
    'base/kustomization.yaml': 'resources: [app.yaml]\n',
    'base/app.yaml': DEPLOYMENT,
    'overlay/kustomization.yaml': `namespace: team
resources: [../base]
images:
  - {name: example/web, newName: reg/web, newTag: "2.0"}
patches:
  - path: env.yaml
  - target: {kind: Deployment, name: we.}
    patch: |-
      - {op: replace, path: /spec/replicas, value: 5}
`,
    'overlay/env.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - {name: web, env: [{name: B, value: "2"}]}
`,
  });
  const objs = render(path.join(dir, 'overlay'));
  assert.deepEqual(objs.map((o) => o.kind), ['Namespace', 'Deployment'], 'legacy order');
  const dep = objs[1];
  assert.equal(dep.metadata.namespace, 'team');
  assert.equal(objs[0].metadata.namespace, undefined, 'Namespace is cluster-scoped');
  assert.equal(dep.spec.replicas, 5);
  assert.equal(dep.spec.template.spec.containers[0].image, 'reg/web:2.0');
  assert.deepEqual(dep.spec.template.spec.containers[0].env, [{name: 'B', value: '2'}, {name: 'A', value: '1'}]);
});

test('a target name is an anchored regular expression', () => {
  const dir = tree({
    'kustomization.yaml': `resources: [app.yaml]
patches:
  - target: {kind: Deployment, name: we}
    patch: |-
      - {op: replace, path: /spec/replicas, value: 5}
`,
    'app.yaml': DEPLOYMENT,
  });
  assert.throws(() => render(dir), /matches nothing/);
});

test('kustomization fields the renderer does not implement are refused', () => {
  for (const field of ['namePrefix: x-', 'configMapGenerator: []', 'components: []', 'replicas: []']) {
    const dir = tree({'kustomization.yaml': `resources: [app.yaml]\n${field}\n`, 'app.yaml': DEPLOYMENT});
    assert.throws(() => render(dir), /not supported/, field);
  }
});
