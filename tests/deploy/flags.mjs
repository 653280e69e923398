// The flags each SkinLens service reads, and the environment variable of each
// (common/config/config.h: flag `foo_bar` <- SKINLENS_FOO_BAR).
//
// Source of truth: the ABSL_FLAG definitions in services/<name>/*.cc (not tests
// or benchmarks) plus those of the common libraries every service links
// (COMMON_FLAG_SOURCES). When SKINLENS_BUILD_DIR names a build folder that holds
// the service binaries, flagsFromHelp() reads the same sets from `--help`, and
// the tests compare both.
//
//   import {serviceFlags, envVarForFlag} from './flags.mjs';
//   serviceFlags().get('inference')   // Set {'admin_port', ..., 'model', ...}

import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVICES = ['auth', 'preprocess', 'inference', 'explain', 'history', 'gateway'];

// Common libraries that define flags; every service links them (skinlens_grpc
// for the server options, skinlens_logging for the log flags).
export const COMMON_FLAG_SOURCES = ['common/grpc/server_options.cc', 'common/logging/logging.cc'];

const FLAG_RE = /ABSL_FLAG\(\s*[\w:<> ]+?\s*,\s*(\w+)\s*,/g;

export function envVarForFlag(flag) {
  return `SKINLENS_${flag.toUpperCase()}`;
}

export function flagForEnvVar(name) {
  return name.startsWith('SKINLENS_') ? name.slice('SKINLENS_'.length).toLowerCase() : null;
}

export function flagsInFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(FLAG_RE)].map((m) => m[1]);
}

function isProductionSource(file) {
  return file.endsWith('.cc') && !/_(test|pgtest|bench|fuzzer)\.cc$/.test(file) &&
      !/(^|\/)(test_|fake_)[^/]*\.cc$/.test(file);
}

function walk(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

// Files under common/ (production code) that define flags: must equal
// COMMON_FLAG_SOURCES, or a service might read a flag this file does not know of.
export function commonFilesDefiningFlags() {
  return walk(path.join(REPO, 'common'))
      .filter(isProductionSource)
      .filter((f) => flagsInFile(f).length > 0)
      .map((f) => path.relative(REPO, f))
      .sort();
}

// Map service -> Set of flag names.
export function serviceFlags() {
  const common = COMMON_FLAG_SOURCES.flatMap((f) => flagsInFile(path.join(REPO, f)));
  const out = new Map();
  for (const s of SERVICES) {
    const dir = path.join(REPO, 'services', s);
    // Only the service's own folder: services/gateway/skinctl is another binary.
    const own = fs.readdirSync(dir)
        .map((f) => path.join(dir, f))
        .filter((f) => fs.statSync(f).isFile() && isProductionSource(f))
        .flatMap(flagsInFile);
    out.set(s, new Set([...common, ...own]));
  }
  return out;
}

// Map service -> Set of flag names from `skinlens-<service> --help`, or null
// when `buildDir` lacks a binary.
export function flagsFromHelp(buildDir) {
  const out = new Map();
  for (const s of SERVICES) {
    const bin = path.join(buildDir, 'services', s, `skinlens-${s}`);
    if (!fs.existsSync(bin)) return null;
    const text = execFileSync(bin, ['--help'], {encoding: 'utf8', timeout: 30000});
    out.set(s, new Set([...text.matchAll(/^ {2}--(\w+) {2}\[SKINLENS_\w+\]/gm)].map((m) => m[1])));
  }
  return out;
}
