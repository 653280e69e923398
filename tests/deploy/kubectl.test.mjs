// The real `kubectl kustomize` renders every overlay to exactly the objects
// kustomize.mjs renders (which the other tests check). Needs kubectl with its
// built-in kustomize (>= v4); without one the test says so and is skipped.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {parseAllDocuments} from 'yaml';
import {render} from './kustomize.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function kubectlKustomizeVersion() {
  try {
    const out = execFileSync('kubectl', ['version', '--client'], {encoding: 'utf8'});
    const m = out.match(/Kustomize Version: v(\d+)/);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const version = kubectlKustomizeVersion();
const skip = version >= 4 ? false : 'kubectl with kustomize v4 or later is not installed';
const key = (o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

for (const overlay of ['dev', 'prod', 'gpu']) {
  test(`kubectl kustomize k8s/overlays/${overlay} renders what the checks checked`, {skip}, () => {
    const dir = path.join(REPO, 'k8s/overlays', overlay);
    const out = execFileSync('kubectl', ['kustomize', dir], {encoding: 'utf8'});
    const real = new Map(parseAllDocuments(out).map((d) => d.toJS()).map((o) => [key(o), o]));
    const ours = new Map(render(dir).map((o) => [key(o), o]));
    assert.deepEqual([...ours.keys()].sort(), [...real.keys()].sort());
    for (const [k, object] of real) assert.deepEqual(ours.get(k), object, k);
  });
}
