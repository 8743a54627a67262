/**
 * The engine's side of the cluster setting: the address checked before a run, the ClusterPool built from the
 * settings, and the errors that stop a run (ConfigErrors: the CLI exits 2) naming where the setting came from
 * (`--cluster`, `batt.cluster`, `"cluster" in /ws/batt.json`).
 */
import * as path from 'path';
import { CONFIG_FILE, type SettingName } from '../../protocol/settings';
import { ConfigError, sourceName, type SettingSource } from '../settings';
import type { SettingOwner } from '../configErrors';
import { ClusterPool } from './clusterPool';

/** How long the coordinator tries to reach the scheduler. */
export const CONNECT_TIMEOUT_MS = 5000;

/** The settings a cluster pool is built with (Engine.settings()). */
export interface ClusterSettings {
  cluster: string;
  clusterPython: string;
  timeoutMs: number;
  memoryMB: number;
  sandbox: boolean;
  from: Record<SettingName, SettingSource>;
}

const ADDRESS = /^(tcp|tls):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

function settingError(owner: SettingOwner, name: SettingName, from: SettingSource, message: string): ConfigError {
  const file = from === 'batt.json' ? path.join(owner.workspace, CONFIG_FILE) : owner.workspace;
  return new ConfigError({ kind: 'config', file, place: sourceName(name, from, owner), message });
}

/** A cluster address that is not tcp://HOST:PORT (or tls://): a ConfigError naming its source; else undefined. */
export function clusterAddressError(owner: SettingOwner, s: Pick<ClusterSettings, 'cluster' | 'from'>): ConfigError | undefined {
  const m = ADDRESS.exec(s.cluster);
  if (m && Number(m[3]) > 0 && Number(m[3]) < 65536) return undefined;
  const source = sourceName('cluster', s.from.cluster, owner);
  return settingError(owner, 'cluster', s.from.cluster, `cluster ${JSON.stringify(s.cluster)} (${source}) is not a Dask scheduler address: expected tcp://HOST:PORT`);
}

/** A pool that sends the jobs to the scheduler of `s.cluster` (not started). */
export function newClusterPool(
  owner: SettingOwner,
  s: ClusterSettings,
  o: { root: string; script: string; hashSeed?: number; log?: (line: string) => void },
): ClusterPool {
  const source = sourceName('cluster', s.from.cluster, owner);
  const python = sourceName('clusterPython', s.from.clusterPython, owner);
  return new ClusterPool({
    python: s.clusterPython,
    script: o.script,
    scheduler: s.cluster,
    root: o.root,
    limitMs: s.timeoutMs,
    memoryMB: s.memoryMB,
    sandbox: s.sandbox,
    hashSeed: o.hashSeed,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    onLog: o.log,
    configError: (kind, message) => {
      if (kind === 'start') {
        return settingError(owner, 'clusterPython', s.from.clusterPython, `${message}; point ${python} at a Python that has dask.distributed (${source} is set)`);
      }
      const fix = kind === 'connect' ? `; start the scheduler and its workers, or point ${source} at a running one` : '';
      return settingError(owner, 'cluster', s.from.cluster, `${message} (${source})${fix}`);
    },
  });
}

/** The coordinator script beside the scoring worker. */
export function coordinatorScript(workerDir: string): string {
  return path.join(workerDir, 'cluster', 'coordinator.py');
}
