// toPodmanKube on the real dev overlay and on small inputs.
import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';
import {fileURLToPath} from 'node:url';
import {render} from './kustomize.mjs';
import {EMPTY_DIR_ANNOTATION, rewriteServiceNames, toPodmanKube} from './podman_kube.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('in-cluster service names become the pod names', () => {
  const names = ['auth', 'postgres'];
  assert.equal(rewriteServiceNames('dns:///auth.skinlens.svc.cluster.local:50051', 'skinlens', names),
               'auth:50051');
  assert.equal(rewriteServiceNames('postgresql://u:p@postgres.skinlens.svc.cluster.local:5432/db',
                                   'skinlens', names), 'postgresql://u:p@postgres:5432/db');
  assert.equal(rewriteServiceNames('auth.skinlens.svc:1', 'skinlens', names), 'auth:1');
  assert.equal(rewriteServiceNames('authx.other.svc:1', 'skinlens', names), 'authx.other.svc:1');
});

test('the dev overlay becomes pods podman can play', () => {
  const {objects, dropped} = toPodmanKube(render(path.join(REPO, 'k8s/overlays/dev')),
                                          {publish: {gateway: {8080: 18080}}});
  const kinds = new Set(objects.map((o) => o.kind));
  assert.deepEqual([...kinds].sort(), ['ConfigMap', 'PersistentVolumeClaim', 'Pod']);
  const pods = objects.filter((o) => o.kind === 'Pod');
  assert.deepEqual(pods.map((p) => p.metadata.name).sort(),
                   ['auth', 'explain', 'gateway', 'history', 'inference', 'postgres', 'preprocess']);
  // Only the gateway's HTTP port is published, on the host port asked for.
  const ports = pods.flatMap((p) => p.spec.containers.flatMap((c) => (c.ports ?? [])
      .map((port) => `${p.metadata.name}:${port.containerPort}->${port.hostPort}`)));
  assert.deepEqual(ports, ['gateway:8080->18080']);
  // No secret and no in-cluster name is left anywhere.
  const text = JSON.stringify(objects);
  assert.doesNotMatch(text, /secretKeyRef|secretRef|"secret"/);
  assert.doesNotMatch(text, /svc\.cluster\.local|dns:\/\//);
  const gateway = pods.find((p) => p.metadata.name === 'gateway').spec.containers[0];
  assert.equal(gateway.env.find((e) => e.name === 'SKINLENS_AUTH_TARGET').value, 'auth:50051');
  const database = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'skinlens-database');
  assert.match(database.data['auth-url'], /@postgres:5432\/skinlens_auth$/);
  // Volume names are unique across pods; the StatefulSet's claim is a PVC.
  const volumes = pods.flatMap((p) => p.spec.volumes.map((v) => v.name));
  assert.equal(new Set(volumes).size, volumes.length);
  assert.ok(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'postgres-data'));
  // emptyDirs are named volumes (owned like the image's folder, not by root).
  const postgres = pods.find((p) => p.metadata.name === 'postgres');
  assert.deepEqual(postgres.spec.volumes.find((v) => v.name === 'postgres-run'),
                   {name: 'postgres-run', persistentVolumeClaim: {claimName: 'postgres-run'}});
  assert.doesNotMatch(text, /emptyDir/);
  // Their claims are marked, so a new play empties them; the database's claim is not.
  const claim = (name) => objects.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === name);
  assert.equal(claim('postgres-run').metadata.annotations?.[EMPTY_DIR_ANNOTATION], 'true');
  assert.equal(claim('postgres-data').metadata.annotations?.[EMPTY_DIR_ANNOTATION], undefined);
  // What the approximation leaves out is said.
  for (const kind of ['Service gateway', 'Ingress gateway', 'HorizontalPodAutoscaler inference',
                      'PodDisruptionBudget auth', 'NetworkPolicy default-deny']) {
    assert.ok(dropped.includes(kind), kind);
  }
  assert.ok(dropped.some((d) => d.endsWith('readinessProbe')));
});

test('a kind without a rule is refused, not passed through', () => {
  assert.throws(() => toPodmanKube([{kind: 'CronJob', metadata: {name: 'x'}}]), /no rule for CronJob/);
});
