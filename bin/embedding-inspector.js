#!/usr/bin/env node
// The `embedding-inspector` command: runs the bundled CLI (dist/cli.js, built by `npm run build`).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(`embedding-inspector: ${cli} is missing; run \`npm run build\` first.\n`);
  process.exit(1);
}
require(cli)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`embedding-inspector: ${e && e.stack ? e.stack : e}\n`);
      process.exitCode = 1;
    },
  );
