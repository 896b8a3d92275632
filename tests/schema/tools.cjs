// Shared by the node tests of tests/schema/: runs gatehouse, and finds the npm tools that
// scripts/install-deps.sh installs (pinned) into tools/npm/node_modules.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/// The folder of the pinned npm tools; exits with a clear message when they are not installed
/// (a missing tool is a failed test, not a skipped one: install-deps installs them).
function nodeModules(source) {
  const dir = path.resolve(source, 'tools', 'npm', 'node_modules');
  if (!fs.existsSync(dir)) {
    console.error(`${dir} is missing: run scripts/install-deps.sh (make build does)`);
    process.exit(1);
  }
  return dir;
}

/// A fresh temporary folder, removed when the process exits.
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/// `gatehouse ARGS...`; its stdout. Throws (failing the test) on a non-zero exit.
function gatehouse(binary, args) {
  return execFileSync(binary, args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
}

/// The rules the tests export: the bundled ones (the real surface) and the service tests' rules
/// (models without routes, where the create body's integration_id is not in the rules).
function ruleSets(source) {
  return { bundled: path.join(source, 'rules'), fixtures: path.join(source, 'tests', 'fixtures', 'rules') };
}

module.exports = { nodeModules, tempDir, gatehouse, ruleSets };
