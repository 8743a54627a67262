#!/usr/bin/env node
'use strict';
// The `batt` command: runs the bundled CLI (built by `npm install` through the prepare script, or `npm run build`).
const path = require('path');
const fs = require('fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('batt: the CLI is not built yet; run `npm run build` in ' + path.join(__dirname, '..') + '\n');
  process.exit(1);
}
require(cli)
  .main(process.argv.slice(2))
  .then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write('batt: internal error: ' + (e && e.stack ? e.stack : String(e)) + '\n'); process.exitCode = 1; },
  );
