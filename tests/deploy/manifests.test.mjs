// Renders every k8s overlay (kustomize.mjs) and checks the objects: probes and
// resources on every container, Services that select existing pods on ports
// that exist, HPA and PDB targets, dns:/// targets that resolve to headless
// Services, NetworkPolicies (only the gateway reachable from outside, only auth
// and history reach PostgreSQL), and what each overlay is for (PostgreSQL in
// dev, an external database in prod, a GPU in gpu).
//
//   cd tests/deploy && node --test

import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';

import {REPO} from './flags.mjs';
import {render, splitImage} from './kustomize.mjs';

const NAMESPACE = 'skinlens';
const BACKENDS = {auth: 50051, preprocess: 50052, inference: 50053, explain: 50054, history: 50055};
const SERVICES = [...Object.keys(BACKENDS), 'gateway'];
const AUTOSCALED = ['gateway', 'preprocess', 'inference', 'explain'];
const ADMIN_PORT = 9090;
// Secrets an overlay may reference without rendering them, and why.
const EXTERNAL_SECRETS = {
  // The managed database's URLs and the random call assertion secrets, created out of band.
  prod: ['skinlens-database', 'skinlens-user-assertion', 'skinlens-auth-caller'],
  gpu: ['skinlens-database', 'skinlens-user-assertion', 'skinlens-auth-caller'],
};

const rendered = new Map();
function objectsOf(overlay) {
  if (!rendered.has(overlay)) rendered.set(overlay, render(path.join(REPO, 'k8s/overlays', overlay)));
  return rendered.get(overlay);
}

const workloadsOf = (objs) => objs.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
const find = (objs, kind, name) => objs.find((o) => o.kind === kind && o.metadata.name === name);

function selects(selector, labels) {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v) &&
      Object.keys(selector ?? {}).length > 0;
}

// "500m" -> 0.5, "1536Mi" -> bytes, "2" -> 2.
function quantity(q) {
  const m = String(q).match(/^([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G)?$/);
  assert.ok(m, `bad quantity '${q}'`);
  const scale = {m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9};
  return Number(m[1]) * (m[2] ? scale[m[2]] : 1);
}

function durationSeconds(d) {
  const m = String(d).match(/^(\d+(?:\.\d+)?)(ms|s|m|h)$/);
  assert.ok(m, `bad duration '${d}'`);
  return Number(m[1]) * {ms: 1e-3, s: 1, m: 60, h: 3600}[m[2]];
}

function envOf(container) {
  return Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
}

// --- NetworkPolicy evaluation -------------------------------------------------
// An endpoint: a pod {ns, nsLabels, labels} or an address outside the cluster {ip}.
const pod = (ns, labels = {}) => ({ns, nsLabels: {'kubernetes.io/metadata.name': ns}, labels});
const OUTSIDE = {
  internet: {ip: '203.0.113.7'},
  ingressController: pod('ingress-nginx', {'app.kubernetes.io/name': 'ingress-nginx'}),
  otherNamespace: pod('default', {app: 'anything'}),
  prometheus: pod('monitoring', {'app.kubernetes.io/name': 'prometheus'}),
  kubeDns: pod('kube-system', {'k8s-app': 'kube-dns'}),
  managedDatabase: {ip: '10.200.0.5'},
};

function ipInCidr(ip, cidr) {
  const [net, bits] = cidr.split('/');
  const toInt = (a) => a.split('.').reduce((x, o) => (x << 8) + Number(o), 0) >>> 0;
  const mask = bits === '0' ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) === (toInt(net) & mask);
}

function peerMatches(peer, policyNs, ep) {
  if (peer.ipBlock) {
    return ep.ip !== undefined && ipInCidr(ep.ip, peer.ipBlock.cidr) &&
        !(peer.ipBlock.except ?? []).some((c) => ipInCidr(ep.ip, c));
  }
  if (ep.ip !== undefined) return false;
  const labelsMatch = (sel, labels) => Object.entries(sel?.matchLabels ?? {})
      .every(([k, v]) => labels[k] === v) && !(sel?.matchExpressions?.length);
  const nsOk = peer.namespaceSelector ? labelsMatch(peer.namespaceSelector, ep.nsLabels) : ep.ns === policyNs;
  const podOk = peer.podSelector ? labelsMatch(peer.podSelector, ep.labels) : true;
  return nsOk && podOk;
}

function portMatches(ports, port, protocol) {
  return !ports || ports.length === 0 ||
      ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port));
}

function policyTypes(np) {
  return np.spec.policyTypes ?? (np.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

// Whether the policies of `ep`'s namespace let traffic through in `direction`.
function allowedBy(policies, ep, direction, other, port, protocol) {
  if (ep.ip !== undefined) return true;  // Not a pod: no policy applies.
  const mine = policies.filter((np) => np.metadata.namespace === ep.ns &&
      policyTypes(np).includes(direction) &&
      Object.entries(np.spec.podSelector?.matchLabels ?? {}).every(([k, v]) => ep.labels[k] === v));
  if (mine.length === 0) return true;
  const field = direction === 'Ingress' ? 'ingress' : 'egress';
  const peers = direction === 'Ingress' ? 'from' : 'to';
  return mine.some((np) => (np.spec[field] ?? []).some((rule) =>
    (!rule[peers] || rule[peers].some((peer) => peerMatches(peer, np.metadata.namespace, other))) &&
    portMatches(rule.ports, port, protocol)));
}

function canConnect(policies, src, dst, port, protocol = 'TCP') {
  return allowedBy(policies, src, 'Egress', dst, port, protocol) &&
      allowedBy(policies, dst, 'Ingress', src, port, protocol);
}

// -----------------------------------------------------------------------------

for (const overlay of ['dev', 'prod', 'gpu']) {
  test(`${overlay}: renders, everything in namespace ${NAMESPACE}`, () => {
    const objs = objectsOf(overlay);
    assert.ok(objs.length > 20);
    for (const o of objs) {
      if (o.kind === 'Namespace') assert.equal(o.metadata.name, NAMESPACE);
      else assert.equal(o.metadata.namespace, NAMESPACE, `${o.kind}/${o.metadata.name}`);
    }
    for (const s of SERVICES) assert.ok(find(objs, 'Deployment', s), `no Deployment ${s}`);
  });

  test(`${overlay}: every container has probes, resources, a pinned image, no root`, () => {
    for (const w of workloadsOf(objectsOf(overlay))) {
      const spec = w.spec.template.spec;
      assert.equal(spec.securityContext?.runAsNonRoot, true, `${w.metadata.name}: runAsNonRoot`);
      for (const c of spec.containers) {
        const id = `${w.metadata.name}/${c.name}`;
        assert.ok(c.readinessProbe, `${id}: no readinessProbe`);
        assert.ok(c.livenessProbe, `${id}: no livenessProbe`);
        for (const k of ['requests', 'limits']) {
          for (const r of ['cpu', 'memory']) assert.ok(c.resources?.[k]?.[r], `${id}: no ${k}.${r}`);
        }
        for (const r of ['cpu', 'memory']) {
          assert.ok(quantity(c.resources.requests[r]) <= quantity(c.resources.limits[r]),
              `${id}: ${r} request above limit`);
        }
        const {tag, digest} = splitImage(c.image);
        assert.ok((tag && tag !== 'latest') || digest, `${id}: image '${c.image}' is not pinned`);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${id}`);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${id}`);
      }
    }
  });

  test(`${overlay}: services probe through gRPC health on their gRPC port`, () => {
    const objs = objectsOf(overlay);
    for (const s of SERVICES) {
      const dep = find(objs, 'Deployment', s);
      const c = dep.spec.template.spec.containers.find((x) => x.name === s);
      const env = envOf(c);
      const grpcPort = c.ports.find((p) => p.name === 'grpc')?.containerPort;
      assert.equal(String(grpcPort), env.SKINLENS_PORT, `${s}: SKINLENS_PORT vs containerPort`);
      assert.ok(c.ports.some((p) => p.name === 'admin' && p.containerPort === ADMIN_PORT), s);
      assert.equal(env.SKINLENS_ADMIN_PORT, String(ADMIN_PORT), s);
      assert.equal(env.SKINLENS_HOST, '0.0.0.0', s);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        assert.deepEqual(c[probe]?.grpc, {port: grpcPort}, `${s} ${probe}`);
      }
      // A drain is never cut short by the kubelet's SIGKILL.
      const drain = durationSeconds(env.SKINLENS_DRAIN_DELAY) + durationSeconds(env.SKINLENS_SHUTDOWN_GRACE);
      assert.ok(dep.spec.template.spec.terminationGracePeriodSeconds > drain, `${s}: grace`);
      assert.ok(durationSeconds(env.SKINLENS_DRAIN_DELAY) >= 2, `${s}: drain_delay for endpoints`);
      // Zero-downtime rollouts.
      assert.equal(dep.spec.strategy?.rollingUpdate?.maxUnavailable, 0, `${s}: maxUnavailable`);
    }
  });

  test(`${overlay}: every Service selects pods that exist, on ports they have`, () => {
    const objs = objectsOf(overlay);
    for (const svc of objs.filter((o) => o.kind === 'Service')) {
      const pods = workloadsOf(objs).filter((w) => selects(svc.spec.selector, w.spec.template.metadata.labels));
      assert.ok(pods.length > 0, `Service ${svc.metadata.name} selects no pods`);
      for (const w of pods) {
        const ports = w.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
        for (const p of svc.spec.ports) {
          const target = p.targetPort ?? p.port;
          const hit = ports.find((cp) => (typeof target === 'string' ? cp.name === target : cp.containerPort === target));
          assert.ok(hit, `Service ${svc.metadata.name} port ${p.port}: no container port '${target}'`);
          if (svc.spec.clusterIP === 'None') {
            // Clients of a headless Service dial pod addresses at the Service's port.
            assert.equal(hit.containerPort, p.port, `headless ${svc.metadata.name}: port != containerPort`);
          }
        }
      }
    }
  });

  test(`${overlay}: the gateway reaches each backend through dns:/// and a headless Service`, () => {
    const objs = objectsOf(overlay);
    const gw = find(objs, 'Deployment', 'gateway').spec.template.spec.containers[0];
    const env = envOf(gw);
    for (const [s, port] of Object.entries(BACKENDS)) {
      const target = env[`SKINLENS_${s.toUpperCase()}_TARGET`];
      const m = target?.match(/^dns:\/\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)$/);
      assert.ok(m, `${s}: target '${target}' is not dns:///<svc>.<ns>.svc.cluster.local:<port>`);
      const svc = find(objs, 'Service', m[1]);
      assert.ok(svc, `${s}: no Service ${m[1]}`);
      assert.equal(m[2], svc.metadata.namespace, `${s}: namespace in target`);
      assert.equal(svc.spec.clusterIP, 'None', `${s}: Service must be headless for round_robin`);
      assert.ok(svc.spec.ports.some((p) => p.port === Number(m[3])), `${s}: port ${m[3]}`);
      assert.equal(Number(m[3]), port);
      const dep = find(objs, 'Deployment', s);
      assert.ok(selects(svc.spec.selector, dep.spec.template.metadata.labels), `${s}: selector`);
    }
  });

  test(`${overlay}: HPAs for ${AUTOSCALED.join(', ')}; PDBs for every Deployment`, () => {
    const objs = objectsOf(overlay);
    const hpas = objs.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    assert.deepEqual(hpas.map((h) => h.spec.scaleTargetRef.name).sort(), [...AUTOSCALED].sort());
    for (const h of hpas) {
      const ref = h.spec.scaleTargetRef;
      const target = find(objs, ref.kind, ref.name);
      assert.ok(target && ref.apiVersion === target.apiVersion, `HPA ${h.metadata.name}: no ${ref.kind}/${ref.name}`);
      assert.equal(target.spec.replicas, undefined, `${ref.name}: replicas would fight the HPA`);
      assert.ok(h.spec.minReplicas >= 1 && h.spec.minReplicas <= h.spec.maxReplicas, h.metadata.name);
      // Resource utilisation needs requests to measure against.
      assert.ok(h.spec.metrics.length > 0);
    }
    for (const dep of objs.filter((o) => o.kind === 'Deployment')) {
      const pdbs = objs.filter((o) => o.kind === 'PodDisruptionBudget' &&
          selects(o.spec.selector.matchLabels, dep.spec.template.metadata.labels));
      assert.equal(pdbs.length, 1, `Deployment ${dep.metadata.name}: ${pdbs.length} PDBs`);
    }
  });

  test(`${overlay}: the Ingress routes to the gateway's HTTP port`, () => {
    const objs = objectsOf(overlay);
    const ingresses = objs.filter((o) => o.kind === 'Ingress');
    assert.equal(ingresses.length, 1);
    const backends = ingresses[0].spec.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service));
    assert.ok(backends.length > 0);
    for (const b of backends) {
      assert.equal(b.name, 'gateway');
      const svc = find(objs, 'Service', 'gateway');
      assert.ok(svc.spec.ports.some((p) => p.name === b.port.name && p.targetPort === 'http'));
    }
  });

  test(`${overlay}: referenced Secrets and ConfigMaps exist (or are external on purpose)`, () => {
    const objs = objectsOf(overlay);
    const external = EXTERNAL_SECRETS[overlay] ?? [];
    const missing = [];
    for (const w of workloadsOf(objs)) {
      const spec = w.spec.template.spec;
      const refs = [];
      for (const c of spec.containers) {
        for (const e of c.env ?? []) {
          if (e.valueFrom?.secretKeyRef) refs.push(['Secret', e.valueFrom.secretKeyRef.name]);
          if (e.valueFrom?.configMapKeyRef) refs.push(['ConfigMap', e.valueFrom.configMapKeyRef.name]);
        }
        for (const e of c.envFrom ?? []) {
          if (e.secretRef) refs.push(['Secret', e.secretRef.name]);
          if (e.configMapRef) refs.push(['ConfigMap', e.configMapRef.name]);
        }
      }
      for (const v of spec.volumes ?? []) {
        if (v.secret) refs.push(['Secret', v.secret.secretName]);
        if (v.configMap) refs.push(['ConfigMap', v.configMap.name]);
      }
      for (const [kind, name] of refs) {
        if (!find(objs, kind, name) && !(kind === 'Secret' && external.includes(name))) {
          missing.push(`${w.metadata.name}: ${kind}/${name}`);
        }
      }
    }
    assert.deepEqual(missing, []);
    for (const name of external) assert.equal(find(objs, 'Secret', name), undefined, `${name} is rendered`);
  });

  test(`${overlay}: NetworkPolicies: only the gateway is reachable from outside`, () => {
    const objs = objectsOf(overlay);
    const policies = objs.filter((o) => o.kind === 'NetworkPolicy');
    const pods = Object.fromEntries(workloadsOf(objs).map((w) =>
      [w.metadata.name, {...pod(NAMESPACE, w.spec.template.metadata.labels), w}]));
    const outside = [OUTSIDE.internet, OUTSIDE.ingressController, OUTSIDE.otherNamespace];
    for (const [name, p] of Object.entries(pods)) {
      const ports = p.w.spec.template.spec.containers.flatMap((c) => c.ports ?? []).map((x) => x.containerPort);
      for (const port of ports) {
        for (const src of outside) {
          const want = name === 'gateway' && [8080, 50050].includes(port);
          assert.equal(canConnect(policies, src, p, port), want, `${JSON.stringify(src)} -> ${name}:${port}`);
        }
      }
      // DNS works for everyone; metrics are scraped from the monitoring namespace only.
      assert.ok(canConnect(policies, p, OUTSIDE.kubeDns, 53, 'UDP'), `${name}: DNS`);
      if (SERVICES.includes(name)) {
        assert.ok(canConnect(policies, OUTSIDE.prometheus, p, ADMIN_PORT), `${name}: metrics scrape`);
      }
    }
    // The gateway reaches every backend; no backend reaches another service.
    for (const [s, port] of Object.entries(BACKENDS)) {
      assert.ok(canConnect(policies, pods.gateway, pods[s], port), `gateway -> ${s}`);
      for (const src of SERVICES.filter((x) => x !== 'gateway')) {
        assert.equal(canConnect(policies, pods[src], pods[s], port), false, `${src} -> ${s}`);
      }
    }
    // Nothing in the namespace may open connections to the outside world but the database port.
    for (const s of SERVICES) {
      assert.equal(canConnect(policies, pods[s], OUTSIDE.internet, 443), false, `${s} -> internet:443`);
    }
  });

  test(`${overlay}: NetworkPolicies: only auth and history reach PostgreSQL`, () => {
    const objs = objectsOf(overlay);
    const policies = objs.filter((o) => o.kind === 'NetworkPolicy');
    const workloads = workloadsOf(objs).filter((w) => w.metadata.name !== 'postgres');
    const dbs = [OUTSIDE.managedDatabase];
    const pg = find(objs, 'StatefulSet', 'postgres');
    if (pg) dbs.push(pod(NAMESPACE, pg.spec.template.metadata.labels));
    for (const db of dbs) {
      const reach = workloads.filter((w) =>
        canConnect(policies, pod(NAMESPACE, w.spec.template.metadata.labels), db, 5432)).map((w) => w.metadata.name);
      assert.deepEqual(reach.sort(), ['auth', 'history'], `reach ${JSON.stringify(db)}`);
      for (const src of [OUTSIDE.otherNamespace, OUTSIDE.ingressController]) {
        if (db.ip === undefined) assert.equal(canConnect(policies, src, db, 5432), false);
      }
    }
  });
}

test('dev: PostgreSQL runs in the cluster with a volume; the database Secret points at it', () => {
  const objs = objectsOf('dev');
  const pg = find(objs, 'StatefulSet', 'postgres');
  assert.ok(pg, 'no StatefulSet postgres');
  assert.equal(pg.spec.volumeClaimTemplates[0].metadata.name, 'data');
  assert.ok(pg.spec.template.spec.containers[0].volumeMounts.some((m) => m.name === 'data'));
  const svc = find(objs, 'Service', pg.spec.serviceName);
  assert.equal(svc.spec.clusterIP, 'None');
  const secret = find(objs, 'Secret', 'skinlens-database');
  for (const key of ['auth-url', 'history-url']) {
    assert.match(secret.stringData[key],
        new RegExp(`^postgresql://[^@]+@${svc.metadata.name}\\.${NAMESPACE}\\.svc\\.cluster\\.local:5432/`));
  }
  for (const s of SERVICES) assert.equal(find(objs, 'Deployment', s).spec.template.spec.containers[0].image.split(':')[1], 'dev');
});

// Each call assertion secret, the environment variable its holders read it
// from, and the only services that may hold it.
const CALL_SECRETS = [
  {secret: 'skinlens-user-assertion', env: 'SKINLENS_USER_ASSERTION_KEY_FILE', holders: ['gateway', 'history']},
  {secret: 'skinlens-auth-caller', env: 'SKINLENS_AUTH_KEY_FILE', holders: ['gateway']},
  {secret: 'skinlens-auth-caller', env: 'SKINLENS_CALLER_KEY_FILE', holders: ['auth']},
];

for (const overlay of ['dev', 'prod', 'gpu']) {
  for (const {secret, env: variable, holders} of CALL_SECRETS) {
    test(`${overlay}: only ${holders.join(' and ')} read ${secret} as ${variable}, at the file mounted`, () => {
      const objs = objectsOf(overlay);
      const allHolders = CALL_SECRETS.filter((c) => c.secret === secret).flatMap((c) => c.holders);
      for (const s of SERVICES) {
        const pod = find(objs, 'Deployment', s).spec.template.spec;
        const volume = (pod.volumes ?? []).find((v) => v.secret?.secretName === secret);
        const container = pod.containers[0];
        const env = (container.env ?? []).find((e) => e.name === variable);
        if (!allHolders.includes(s)) assert.equal(volume, undefined, `${s} mounts ${secret}`);
        if (!holders.includes(s)) {
          assert.equal(env, undefined, `${s} reads ${variable}`);
          continue;
        }
        assert.ok(volume, `${s} does not mount Secret ${secret}`);
        // Readable by the service's user through its group, by no one else.
        assert.equal(pod.securityContext.fsGroup, pod.securityContext.runAsGroup,
            `${s}: without fsGroup the non-root service cannot read the secret`);
        assert.equal(volume.secret.defaultMode & 0o007, 0, `${s}: the secret is world-readable`);
        assert.equal(volume.secret.defaultMode & 0o040, 0o040, `${s}: the group cannot read the secret`);
        const mount = container.volumeMounts.find((m) => m.name === volume.name);
        assert.ok(mount?.readOnly, `${s}: the secret is not mounted read-only`);
        assert.equal(env?.value, `${mount.mountPath}/key`, `${s}: the key file is not the mounted key`);
      }
    });
  }
}

test('prod: no database in the cluster; released images from the registry', () => {
  const objs = objectsOf('prod');
  assert.equal(find(objs, 'StatefulSet', 'postgres'), undefined);
  for (const s of SERVICES) {
    const image = find(objs, 'Deployment', s).spec.template.spec.containers[0].image;
    assert.match(image, new RegExp(`^registry\\.example\\.com/skinlens/${s}:\\d+\\.\\d+\\.\\d+$`));
  }
  const ingress = objs.find((o) => o.kind === 'Ingress');
  assert.ok(ingress.spec.tls?.length > 0, 'prod Ingress without TLS');
});

test('gpu: inference gets a GPU and the CUDA image; the rest is prod', () => {
  const gpu = objectsOf('gpu');
  const prod = objectsOf('prod');
  const inf = find(gpu, 'Deployment', 'inference').spec.template.spec;
  const c = inf.containers[0];
  assert.equal(c.resources.limits['nvidia.com/gpu'], '1');
  assert.match(c.image, /-cuda$/);
  assert.equal(envOf(c).SKINLENS_DEVICE, 'cuda');
  assert.ok(inf.tolerations.some((t) => t.key === 'nvidia.com/gpu'));
  // The patch merged into the container; it did not replace its env or probes.
  assert.equal(envOf(c).SKINLENS_MODEL, '/opt/skinlens/models/demo');
  assert.ok(c.readinessProbe.grpc);
  for (const s of SERVICES.filter((x) => x !== 'inference')) {
    assert.deepEqual(find(gpu, 'Deployment', s), find(prod, 'Deployment', s), s);
  }
  for (const o of prod) {
    if (o.kind !== 'Deployment' && o.kind !== 'HorizontalPodAutoscaler') {
      assert.deepEqual(find(gpu, o.kind, o.metadata.name), o, `${o.kind}/${o.metadata.name}`);
    }
  }
  // Only the gpu overlay asks for GPUs.
  for (const o of [...prod, ...objectsOf('dev')]) {
    for (const cc of o.spec?.template?.spec?.containers ?? []) {
      assert.equal(cc.resources?.limits?.['nvidia.com/gpu'], undefined);
    }
  }
});
