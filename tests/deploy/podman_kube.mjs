// Turns a rendered overlay (kustomize.mjs) into what `podman kube play` (podman
// 4.3) runs, so the dev overlay can be started on one machine without
// Kubernetes. What podman does not do is dropped or rewritten, and `dropped`
// says so:
//
//   - Namespace, Service, Ingress, HorizontalPodAutoscaler,
//     PodDisruptionBudget and NetworkPolicy are dropped (podman ignores them).
//   - Every Deployment and StatefulSet becomes one Pod named after it, so that
//     a Service's name, which is its workload's name here, is a host name on
//     the pod network; in-cluster names (`auth.skinlens.svc.cluster.local`,
//     `dns:///...`) become that bare name. A StatefulSet's
//     volumeClaimTemplates become PersistentVolumeClaims `<set>-<claim>`.
//   - Secrets become ConfigMaps (kube play 4.3 does not create Secrets from
//     the file, reads secretKeyRef only from JSON podman secrets and can crash
//     on secret volumes): secretKeyRef, envFrom secretRef and secret volumes
//     turn into their ConfigMap forms. Local development only.
//   - Probes and resources are dropped (probes would run as healthchecks that
//     need systemd; cgroup limits need a cgroup manager podman may not have).
//   - containerPorts are dropped (kube play publishes every one on the host,
//     and every service has admin port 9090) except those in `publish`, which
//     get the hostPort given there.
//   - emptyDir volumes become named volumes (claims `<pod>-<volume>`, unique
//     across pods): podman gives a new named volume the ownership of the
//     image's folder it is mounted on, where an emptyDir would be root's and
//     fsGroup is ignored (PostgreSQL, uid 999, could not write its socket).
//
//   import {toPodmanKube} from './podman_kube.mjs';
//   const {objects, dropped} = toPodmanKube(render('k8s/overlays/dev'),
//       {publish: {gateway: {8080: 18080}}});

const DROPPED_KINDS = new Set([
  'Namespace', 'Service', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget',
  'NetworkPolicy',
]);

const clone = (x) => JSON.parse(JSON.stringify(x));

// "dns:///auth.skinlens.svc.cluster.local:50051" -> "auth:50051"; also in URLs.
/** The annotation of a claim that stands in for an emptyDir: a new play starts it empty. */
export const EMPTY_DIR_ANNOTATION = 'skinlens.dev/empty-dir';

export function rewriteServiceNames(text, namespace, names) {
  let out = text.replace(/dns:\/\/\//g, '');
  for (const name of names) {
    const fqdn = new RegExp(`\\b${name}\\.${namespace}\\.svc(\\.cluster\\.local)?\\b`, 'g');
    out = out.replace(fqdn, name);
  }
  return out;
}

function secretData(secret) {
  const data = {...(secret.stringData ?? {})};
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    data[k] = Buffer.from(v, 'base64').toString('utf8');
  }
  return data;
}

function rewriteContainer(c, podName, publish, rewrite) {
  const out = clone(c);
  const dropped = [];
  for (const field of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
    if (out[field]) { delete out[field]; dropped.push(`${podName}/${c.name}: ${field}`); }
  }
  if (out.resources) { delete out.resources; dropped.push(`${podName}/${c.name}: resources`); }
  const published = publish?.[podName] ?? {};
  const ports = (out.ports ?? []).filter((p) => published[p.containerPort] !== undefined)
      .map((p) => ({...p, hostPort: published[p.containerPort]}));
  if (ports.length) out.ports = ports; else delete out.ports;
  for (const e of out.env ?? []) {
    if (typeof e.value === 'string') e.value = rewrite(e.value);
    if (e.valueFrom?.secretKeyRef) {
      e.valueFrom = {configMapKeyRef: e.valueFrom.secretKeyRef};
    }
  }
  for (const from of out.envFrom ?? []) {
    if (from.secretRef) { from.configMapRef = from.secretRef; delete from.secretRef; }
  }
  for (const m of out.volumeMounts ?? []) m.name = volumeName(podName, m.name);
  return {container: out, dropped};
}

const volumeName = (pod, name) => `${pod}-${name}`;

function podFrom(workload, publish, rewrite) {
  const name = workload.metadata.name;
  const template = clone(workload.spec.template);
  const spec = template.spec;
  const dropped = [];
  spec.containers = spec.containers.map((c) => {
    const r = rewriteContainer(c, name, publish, rewrite);
    dropped.push(...r.dropped);
    return r.container;
  });
  if (spec.initContainers) {
    spec.initContainers = spec.initContainers.map((c) => rewriteContainer(c, name, publish, rewrite).container);
  }
  const claims = [];
  spec.volumes = (spec.volumes ?? []).map((v) => {
    const out = {...clone(v), name: volumeName(name, v.name)};
    if (out.emptyDir) {
      delete out.emptyDir;
      out.persistentVolumeClaim = {claimName: out.name};
      // Marked, so a new play starts it empty as an emptyDir would be (real claims are kept).
      claims.push({apiVersion: 'v1', kind: 'PersistentVolumeClaim',
                   metadata: {name: out.name, annotations: {[EMPTY_DIR_ANNOTATION]: 'true'}},
                   spec: {accessModes: ['ReadWriteOnce'], resources: {requests: {storage: '64Mi'}}}});
    }
    if (out.secret) {
      out.configMap = {name: out.secret.secretName};
      if (out.secret.defaultMode !== undefined) out.configMap.defaultMode = out.secret.defaultMode;
      delete out.secret;
    }
    return out;
  });
  for (const t of workload.spec.volumeClaimTemplates ?? []) {
    const claim = `${name}-${t.metadata.name}`;
    claims.push({apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: {name: claim},
                 spec: clone(t.spec)});
    spec.volumes.push({name: volumeName(name, t.metadata.name),
                       persistentVolumeClaim: {claimName: claim}});
  }
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  return {
    pod: {apiVersion: 'v1', kind: 'Pod',
          metadata: {name, labels: template.metadata?.labels ?? {}}, spec},
    claims,
    dropped,
  };
}

// `objects`: a rendered overlay. `publish`: {pod: {containerPort: hostPort}}.
// Returns {objects, dropped}: ConfigMaps and claims first, then the pods.
export function toPodmanKube(objects, {publish = {}} = {}) {
  const namespace = objects.find((o) => o.metadata?.namespace)?.metadata.namespace ?? 'default';
  const services = objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name);
  const rewrite = (text) => rewriteServiceNames(text, namespace, services);
  const configMaps = [];
  const claims = [];
  const pods = [];
  const dropped = [];
  for (const o of objects) {
    if (DROPPED_KINDS.has(o.kind)) { dropped.push(`${o.kind} ${o.metadata.name}`); continue; }
    switch (o.kind) {
      case 'ConfigMap':
        configMaps.push({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: o.metadata.name},
                         data: o.data ?? {}});
        break;
      case 'Secret': {
        const data = Object.fromEntries(
            Object.entries(secretData(o)).map(([k, v]) => [k, rewrite(v)]));
        configMaps.push({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: o.metadata.name},
                         data});
        dropped.push(`Secret ${o.metadata.name} (as a ConfigMap)`);
        break;
      }
      case 'PersistentVolumeClaim':
        claims.push({apiVersion: 'v1', kind: 'PersistentVolumeClaim',
                     metadata: {name: o.metadata.name}, spec: clone(o.spec)});
        break;
      case 'Deployment':
      case 'StatefulSet': {
        const r = podFrom(o, publish, rewrite);
        pods.push(r.pod);
        claims.push(...r.claims);
        dropped.push(...r.dropped);
        if ((o.spec.replicas ?? 1) !== 1) dropped.push(`${o.kind} ${o.metadata.name}: replicas`);
        break;
      }
      default:
        throw new Error(`podman_kube: no rule for ${o.kind} ${o.metadata?.name}`);
    }
  }
  return {objects: [...configMaps, ...claims, ...pods], dropped};
}
