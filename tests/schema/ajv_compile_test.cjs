#!/usr/bin/env node
// Every JSON Schema `gatehouse schema --all` exports compiles under ajv (pinned in tools/npm):
// draft 2020-12, strict mode, formats from ajv-formats. gatehouse's own `x-` annotations are
// declared as keywords, so an unknown keyword anywhere else is still an error. A second,
// independent engine beside python3-jsonschema (schema_agreement_test.py), which does not
// complain about keywords or types it does not know.
//
// usage: ajv_compile_test.cjs GATEHOUSE SOURCE_DIR
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { nodeModules, tempDir, gatehouse, ruleSets } = require('./tools.cjs');

const [binary, source] = process.argv.slice(2);
const modules = nodeModules(source);
const Ajv2020 = require(path.join(modules, 'ajv', 'dist', '2020')).default;
const addFormats = require(path.join(modules, 'ajv-formats')).default;

function schemaFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.schema.json'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

const dir = tempDir('gatehouse-ajv-');
let compiled = 0, failed = 0;
for (const [name, rules] of Object.entries(ruleSets(source))) {
  const out = path.join(dir, name);
  gatehouse(binary, ['schema', '--rules', rules, '--all', '--out', out]);
  for (const file of schemaFiles(out).sort()) {
    // One instance per schema: each has its own $id, and a failure names its file.
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    ajv.addKeyword({ keyword: 'x-gatehouse-rules-version', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'x-gatehouse-not-expressed', schemaType: 'array' });
    ajv.addKeyword({ keyword: 'x-gatehouse-pms-values', schemaType: 'boolean' });
    ajv.addKeyword({ keyword: 'x-gatehouse-pms-type', schemaType: 'boolean' });
    try {
      ajv.compile(JSON.parse(fs.readFileSync(file, 'utf8')));
      compiled++;
    } catch (e) {
      failed++;
      console.log(`FAIL ${path.relative(dir, file)}: ${e.message}`);
    }
  }
}
console.log(`${compiled} schemas compiled, ${failed} failed`);
process.exit(failed || compiled === 0 ? 1 : 0);
