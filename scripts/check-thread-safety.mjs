#!/usr/bin/env node
// Clang's thread-safety analysis (-Wthread-safety) over the sources that use
// Abseil's lock annotations, so ABSL_GUARDED_BY and friends are checked, not
// comments. The build is GCC's, which ignores the annotations; this runs
// clang++ -fsyntax-only with each file's own flags from the build's
// compile_commands.json (no code is generated, so it takes a minute or two).
// Before the sources, it checks itself: a snippet that writes a guarded
// member without its lock must be refused.
//
//   node scripts/check-thread-safety.mjs build/compile_commands.json [--clang clang++] [--jobs N]

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ANNOTATED = /ABSL_(?:PT_)?GUARDED_BY|ABSL_(?:EXCLUSIVE|SHARED)_LOCKS_REQUIRED|ABSL_LOCKS_EXCLUDED|ABSL_ACQUIRED_(?:BEFORE|AFTER)/;

function usage(code) {
  const text = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 11);
  (code ? console.error : console.log)(text.map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(code);
}

const args = process.argv.slice(2);
if (args.includes('-h') || args.includes('--help')) usage(0);
let clang = 'clang++';
let jobs = cpus().length;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--clang') clang = args[++i];
  else if (args[i] === '--jobs') jobs = Math.max(1, Number(args[++i]) || 1);
  else positional.push(args[i]);
}
if (positional.length !== 1) usage(2);
const database = resolve(positional[0]);
if (!existsSync(database)) {
  console.error(`check-thread-safety: no ${database}; configure the build first (CMAKE_EXPORT_COMPILE_COMMANDS is on)`);
  process.exit(2);
}

/** A compile command split into its words as the shell would (quotes, backslashes). */
function shellWords(command) {
  const words = [];
  let word = '';
  let inWord = false;
  let quote = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && '"\\$`'.includes(command[i + 1] ?? '')) word += command[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The file's own flags, for clang: GCC-only and output options dropped, the analysis as errors. */
function clangArgs(command) {
  const words = shellWords(command).slice(1);
  const out = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '-o' || w === '-c') {
      if (w === '-o') i++;
      continue;
    }
    if (w === '-Werror' || w.startsWith('-Wshadow=') || w.startsWith('-fsanitize') || w === '-g') continue;
    out.push(w);
  }
  // Only the analysis is reported (the GCC build owns the other warnings), as an error.
  return ['-fsyntax-only', '-Wno-everything', '-Wthread-safety', '-Werror=thread-safety', ...out];
}

function run(argv, input) {
  return new Promise((resolveRun) => {
    const child = spawn(clang, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolveRun({ code: 127, output: String(e) }));
    child.on('close', (code) => resolveRun({ code, output }));
    child.stdin.end(input ?? '');
  });
}

const entries = JSON.parse(readFileSync(database, 'utf8'));
const text = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
// A source is checked when it, or a project header it includes, carries annotations.
const annotatedHeaders = new Map();
const annotatedHeader = (path) => {
  if (!annotatedHeaders.has(path)) annotatedHeaders.set(path, ANNOTATED.test(text(resolve(REPO, path))));
  return annotatedHeaders.get(path);
};
const annotated = (file) => {
  const source = text(file);
  if (ANNOTATED.test(source)) return true;
  return [...source.matchAll(/^#include "([^"]+\.h)"/gm)].some((m) => annotatedHeader(m[1]));
};
const checked = entries.filter((e) => e.file.startsWith(REPO) && !e.file.includes('/build') && annotated(e.file));
if (checked.length === 0) {
  console.error('check-thread-safety: no annotated sources in the compile database');
  process.exit(1);
}

// The check must be able to fail: an unguarded write of a guarded member.
const sample = checked[0];
const selfTest = await run(
  [...clangArgs(sample.command).filter((a) => !a.endsWith('.cc')), '-x', 'c++', '-'],
  '#include "absl/synchronization/mutex.h"\n' +
    'class Counter { public: void Add() { ++n_; } private: absl::Mutex mu_; int n_ ABSL_GUARDED_BY(mu_) = 0; };\n',
);
if (selfTest.code === 0 || !/thread-safety|requires holding mutex/.test(selfTest.output)) {
  console.error(`check-thread-safety: ${clang} did not refuse an unguarded write; the check would prove nothing`);
  console.error(selfTest.output);
  process.exit(1);
}

const started = Date.now();
const failures = [];
let next = 0;
async function worker() {
  while (next < checked.length) {
    const entry = checked[next++];
    const result = await run(clangArgs(entry.command), undefined);
    if (result.code !== 0) failures.push({ file: relative(REPO, entry.file), output: result.output });
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
for (const f of failures) console.error(`\n== ${f.file}\n${f.output}`);
console.log(
  `check-thread-safety: ${checked.length} annotated sources, ${failures.length} with findings, ` +
    `${((Date.now() - started) / 1000).toFixed(0)} s (${clang}, ${jobs} jobs)`,
);
process.exit(failures.length ? 1 : 0);
