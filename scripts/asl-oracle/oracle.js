#!/usr/bin/env node
// Prints, as one JSON object keyed by file path, the diagnostics that
// amazon-states-language-service (the validator the AWS Toolkit runs) gives each
// definition file named on the command line or found under a named folder.
//
//   node scripts/asl-oracle/oracle.js tests/fixtures/asl > verdicts.json
//   node scripts/asl-oracle/oracle.js --record tests/fixtures/asl
//
// --record writes tests/fixtures/asl/oracle-verdicts.json (paths relative to the
// corpus folder, sorted keys) so the Python tests can compare against it offline.
'use strict';

const fs = require('fs');
const path = require('path');
const { getLanguageService, TextDocument } = require('amazon-states-language-service');

const service = getLanguageService({});

function definitionFiles(target) {
  if (!fs.statSync(target).isDirectory()) return [target];
  return fs.readdirSync(target, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(target, entry.name);
      if (entry.isDirectory()) return definitionFiles(full);
      return entry.name.endsWith('.asl.json') ? [full] : [];
    });
}

async function diagnose(file) {
  const text = fs.readFileSync(file, 'utf8');
  const document = TextDocument.create(file, 'json', 0, text);
  const jsonDocument = service.parseJSONDocument(document);
  const diagnostics = await service.doValidation(document, jsonDocument);
  return diagnostics
    // Severity 1 is an error; the service's warnings (e.g. deprecated fields) do not make a definition invalid.
    .map((d) => ({
      line: d.range.start.line + 1,
      severity: d.severity === 1 ? 'error' : 'warning',
      source: d.source || 'asl',
      message: d.message,
    }));
}

async function main() {
  const args = process.argv.slice(2);
  const record = args[0] === '--record';
  const targets = record ? args.slice(1) : args;
  if (targets.length === 0) {
    console.error('usage: oracle.js [--record] FOLDER_OR_FILE...');
    process.exit(2);
  }
  const verdicts = {};
  for (const target of targets) {
    for (const file of definitionFiles(target)) {
      const key = record ? path.relative(target, file).split(path.sep).join('/') : file;
      const diagnostics = await diagnose(file);
      verdicts[key] = {
        valid: !diagnostics.some((d) => d.severity === 'error'),
        diagnostics,
      };
    }
  }
  const output = JSON.stringify(verdicts, null, 2) + '\n';
  if (record) {
    const destination = path.join(targets[0], 'oracle-verdicts.json');
    fs.writeFileSync(destination, output);
    console.error(`wrote ${Object.keys(verdicts).length} verdicts to ${destination}`);
  } else {
    process.stdout.write(output);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
