#!/usr/bin/env node
// `npm run test:cluster`: the Dask cluster suite (test/cluster) against a real scheduler and workers on 127.0.0.1.
// Debian's python3-distributed installs for /usr/bin/python3; when it is missing and we are root, it is installed
// first (apt only, the same way the VS Code stage installs Chromium).
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const python = process.env.BATT_DASK_PYTHON ?? '/usr/bin/python3';
const hasDask = () => spawnSync(python, ['-c', 'import distributed'], { stdio: 'ignore' }).status === 0;

if (!hasDask()) {
  if (process.getuid?.() !== 0) {
    console.error(`cluster-tests: ${python} cannot import distributed; install it: sudo apt-get install python3-distributed python3-dask`);
    process.exit(1);
  }
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  const pkgs = ['install', '-y', '-qq', '--no-install-recommends', 'python3-distributed', 'python3-dask'];
  console.log('cluster-tests: apt-get install python3-distributed python3-dask');
  if (!apt(pkgs) && !(apt(['update', '-qq']) && apt(pkgs))) process.exit(1);
  if (!hasDask()) {
    console.error(`cluster-tests: ${python} still cannot import distributed after the install`);
    process.exit(1);
  }
}
const r = spawnSync('npx', ['mocha', '--config', 'test/cluster/mocharc.json', ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
