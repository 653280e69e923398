// The configuration each service reads, checked against what deploy/ and k8s/
// set: every SKINLENS_* variable names a flag of the service it is given to (no
// dead config), and every flag a service reads is set or deliberately left at
// its default (config_defaults.mjs).
//
//   cd tests/deploy && node --test

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';

import {LEFT_AT_DEFAULT} from './config_defaults.mjs';
import {COMMON_FLAG_SOURCES, commonFilesDefiningFlags, envVarForFlag, flagForEnvVar, flagsFromHelp,
  REPO, serviceFlags, SERVICES} from './flags.mjs';
import {loadYamlDocuments, render} from './kustomize.mjs';

const FLAGS = serviceFlags();
const OVERLAYS = ['dev', 'prod', 'gpu'];

// Map service -> Map(env var -> value) from deploy/compose.yaml.
function composeEnv() {
  const [compose] = loadYamlDocuments(path.join(REPO, 'deploy/compose.yaml'));
  const out = new Map();
  for (const s of SERVICES) {
    const svc = compose.services[s];
    assert.ok(svc, `deploy/compose.yaml has no service '${s}'`);
    let env = svc.environment ?? {};
    if (Array.isArray(env)) env = Object.fromEntries(env.map((e) => e.split(/=(.*)/s).slice(0, 2)));
    out.set(s, new Map(Object.entries(env).map(([k, v]) => [k, String(v)])));
  }
  return out;
}

// Map service -> Map(env var -> value or valueFrom) from a rendered overlay.
function k8sEnv(overlay) {
  const objects = render(path.join(REPO, 'k8s/overlays', overlay));
  const out = new Map();
  for (const s of SERVICES) {
    const dep = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === s);
    assert.ok(dep, `${overlay}: no Deployment '${s}'`);
    const container = dep.spec.template.spec.containers.find((c) => c.name === s);
    assert.ok(container, `${overlay}: Deployment '${s}' has no container '${s}'`);
    assert.equal(container.envFrom, undefined,
        `${overlay}/${s}: use env, not envFrom, so every variable is visible to this test`);
    out.set(s, new Map((container.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom])));
  }
  return out;
}

// Map stage -> Map(env var -> value) of a Dockerfile, ENV inherited along FROM.
export function dockerfileEnv(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/\\\n/g, ' ');
  const stages = new Map();
  let current = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const from = line.match(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i);
    if (from) {
      current = new Map(stages.get(from[1]) ?? []);
      if (from[2]) stages.set(from[2], current);
      continue;
    }
    const env = line.match(/^ENV\s+(.*)$/i);
    if (env && current) {
      for (const m of env[1].matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
        current.set(m[1], m[2].replace(/^"|"$/g, ''));
      }
    }
  }
  return stages;
}

function leftAtDefault(service, flag, where) {
  return LEFT_AT_DEFAULT.some((e) => e.flags.includes(flag) && e.where.includes(where) &&
      (e.services === '*' || e.services.includes(service)));
}

// Problems of one deployment target (compose or one k8s overlay).
function problems(envByService, where, label) {
  const out = [];
  for (const s of SERVICES) {
    const env = envByService.get(s);
    for (const name of env.keys()) {
      const flag = flagForEnvVar(name);
      if (flag !== null && !FLAGS.get(s).has(flag)) {
        out.push(`${label}: ${s} sets ${name}, but skinlens-${s} has no --${flag} (dead config)`);
      }
    }
    for (const flag of FLAGS.get(s)) {
      const set = env.has(envVarForFlag(flag));
      const allowed = leftAtDefault(s, flag, where);
      if (!set && !allowed) {
        out.push(`${label}: ${s} reads --${flag} but ${envVarForFlag(flag)} is neither set nor ` +
            `listed in config_defaults.mjs`);
      }
    }
  }
  return out;
}

test('the flag parser finds every common library that defines flags', () => {
  assert.deepEqual(commonFilesDefiningFlags(), [...COMMON_FLAG_SOURCES].sort());
});

test('every service reads the common server and logging flags and its own', () => {
  for (const s of SERVICES) {
    for (const f of ['host', 'port', 'admin_port', 'drain_delay', 'shutdown_grace', 'log_level']) {
      assert.ok(FLAGS.get(s).has(f), `${s} lacks --${f}`);
    }
  }
  assert.ok(FLAGS.get('inference').has('model'));
  assert.ok(FLAGS.get('gateway').has('inference_target'));
  assert.ok(FLAGS.get('auth').has('database_url'));
  assert.ok(!FLAGS.get('gateway').has('database_url'));
});

test('flags parsed from the sources match --help of built binaries', (t) => {
  const dir = process.env.SKINLENS_BUILD_DIR;
  if (!dir) return t.skip('set SKINLENS_BUILD_DIR to a build folder with the six services');
  const help = flagsFromHelp(dir);
  if (!help) return t.skip(`${dir} lacks some service binaries`);
  for (const s of SERVICES) assert.deepEqual([...help.get(s)].sort(), [...FLAGS.get(s)].sort(), s);
});

test('deploy/compose.yaml: no dead config, every flag set or left at default on purpose', () => {
  assert.deepEqual(problems(composeEnv(), 'compose', 'compose.yaml'), []);
});

for (const overlay of OVERLAYS) {
  test(`k8s/overlays/${overlay}: no dead config, every flag set or left at default on purpose`, () => {
    assert.deepEqual(problems(k8sEnv(overlay), 'k8s', overlay), []);
  });
}

test('config_defaults.mjs names only existing flags, each left unset where it says', () => {
  const compose = composeEnv();
  const k8s = OVERLAYS.map(k8sEnv);
  const stale = [];
  for (const entry of LEFT_AT_DEFAULT) {
    assert.ok(entry.reason && entry.reason.length > 10, `no reason for ${entry.flags}`);
    for (const flag of entry.flags) {
      const services = entry.services === '*' ? SERVICES : entry.services;
      const having = services.filter((s) => FLAGS.get(s).has(flag));
      if (having.length === 0) stale.push(`--${flag} is read by none of ${services}`);
      for (const s of having) {
        const name = envVarForFlag(flag);
        if (entry.where.includes('compose') && compose.get(s).has(name)) {
          stale.push(`${s} --${flag}: listed as default in compose but compose sets it`);
        }
        if (entry.where.includes('k8s') && k8s.every((m) => m.get(s).has(name))) {
          stale.push(`${s} --${flag}: listed as default in k8s but every overlay sets it`);
        }
      }
    }
  }
  assert.deepEqual(stale, []);
});

test('Dockerfile ENV names only flags of the stage\'s service', () => {
  const bad = [];
  const files = {
    'deploy/Dockerfile': SERVICES.map((s) => [s, s]),
    'deploy/inference-cuda.Dockerfile': [['inference-cuda', 'inference']],
  };
  for (const [file, stages] of Object.entries(files)) {
    const env = dockerfileEnv(path.join(REPO, file));
    for (const [stage, service] of stages) {
      assert.ok(env.has(stage), `${file} has no stage '${stage}'`);
      for (const name of env.get(stage).keys()) {
        const flag = flagForEnvVar(name);
        if (flag !== null && !FLAGS.get(service).has(flag)) bad.push(`${file} ${stage}: ${name}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('compose: the gateway targets each backend at its SKINLENS_PORT', () => {
  const env = composeEnv();
  const gw = env.get('gateway');
  for (const s of SERVICES.filter((x) => x !== 'gateway')) {
    assert.equal(gw.get(envVarForFlag(`${s}_target`)), `${s}:${env.get(s).get('SKINLENS_PORT')}`);
  }
});

test('the gateway never accepts a bigger photo than preprocess does', () => {
  const check = (env, label) => {
    const gw = Number(env.get('gateway').get('SKINLENS_MAX_PHOTO_BYTES'));
    const pre = Number(env.get('preprocess').get('SKINLENS_MAX_PHOTO_BYTES'));
    assert.ok(gw > 0 && gw <= pre, `${label}: gateway ${gw} > preprocess ${pre}`);
  };
  check(composeEnv(), 'compose');
  for (const o of OVERLAYS) check(k8sEnv(o), o);
});

test('the Dockerfile and the compose file configure ports alike', () => {
  const docker = dockerfileEnv(path.join(REPO, 'deploy/Dockerfile'));
  const compose = composeEnv();
  for (const s of SERVICES) {
    for (const v of ['SKINLENS_PORT', 'SKINLENS_ADMIN_PORT', 'SKINLENS_HOST']) {
      assert.equal(compose.get(s).get(v), docker.get(s).get(v), `${s} ${v}`);
    }
  }
});

test('the k8s dev overlay creates the databases with the same script as compose', () => {
  const objects = render(path.join(REPO, 'k8s/overlays/dev'));
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'postgres-init');
  assert.ok(cm, 'no ConfigMap postgres-init');
  assert.equal(cm.data['init-databases.sh'],
      fs.readFileSync(path.join(REPO, 'deploy/postgres/init-databases.sh'), 'utf8'));
});
