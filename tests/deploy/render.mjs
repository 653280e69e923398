// Prints an overlay as `kubectl kustomize` would (same objects; see kustomize.mjs).
//
//   node tests/deploy/render.mjs k8s/overlays/dev
import {render, toYaml} from './kustomize.mjs';

const dir = process.argv[2];
if (!dir || dir === '--help' || dir === '-h') {
  console.log('usage: node render.mjs <kustomization folder>');
  process.exit(dir ? 0 : 2);
}
process.stdout.write(toYaml(render(dir)));
