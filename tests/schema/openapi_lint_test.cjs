#!/usr/bin/env node
// `gatehouse schema --openapi` passes an independent OpenAPI 3.1 linter: Redocly's CLI (pinned in
// tools/npm) with its recommended rules (redocly.yaml beside this file), no errors, for the
// bundled rules and the service tests' rules.
//
// usage: openapi_lint_test.cjs GATEHOUSE SOURCE_DIR
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { nodeModules, tempDir, gatehouse, ruleSets } = require('./tools.cjs');

const [binary, source] = process.argv.slice(2);
const redocly = path.join(nodeModules(source), '@redocly', 'cli', 'bin', 'cli.js');
const dir = tempDir('gatehouse-openapi-');
let failed = 0;
for (const [name, rules] of Object.entries(ruleSets(source))) {
  const file = path.join(dir, `${name}.openapi.json`);
  fs.writeFileSync(file, gatehouse(binary, ['schema', '--rules', rules, '--openapi']));
  const lint = spawnSync(process.execPath,
                         [redocly, 'lint', '--config', path.join(__dirname, 'redocly.yaml'), '--format', 'stylish', file],
                         { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
  process.stdout.write(`--- ${name} rules\n${lint.stdout}${lint.stderr}`);
  if (lint.status !== 0) failed++;
}
console.log(failed ? `${failed} document(s) with errors` : 'no errors');
process.exit(failed ? 1 : 0);
