/** What the status bar item shows for a pool status: the pure model (no vscode), unit-tested. */
import type { LastRunInfo, PoolStatusParams } from '../protocol/lsp';

export interface StatusView {
  text: string;
  tooltip: string;
  error: boolean;
}

/** The cache share shown: 100% only when nothing missed (99.6% is 99%, not a rounded 100%). */
export function cacheText(r: LastRunInfo): string {
  if (r.hitRate === null) return '–';
  return `${r.misses ? Math.min(99, Math.floor(r.hitRate * 100)) : 100}%`;
}

function clock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

/** The tooltip's first line: the pool, in the label's words. */
function poolLine(s: PoolStatusParams, ready: number): string {
  const python = s.python ? ` (Python ${s.python})` : '';
  const restarts = s.restarts ? `, ${s.restarts} restart${s.restarts === 1 ? '' : 's'}` : '';
  switch (s.state) {
    case 'starting':
      return `**batt** — starting ${s.workers} workers${python}${restarts}`;
    case 'busy':
      return `**batt** — busy: ${s.busy} of ${s.workers} workers running, ${s.queued} queued${python}${restarts}`;
    case 'idle':
      return `**batt** — idle: ${ready} of ${s.workers} workers ready${python}${restarts}`;
    case 'error':
      return `**batt** — error${restarts}`;
    default:
      return `**batt** — ready: the ${s.workers} workers start with the next run${restarts}`;
  }
}

/** Pure: what the item shows for a status. */
export function statusView(s: PoolStatusParams | undefined): StatusView {
  if (!s) return { text: '$(sync~spin) batt: starting', tooltip: 'batt: starting the language server', error: false };
  if (s.state === 'untrusted') {
    return { text: '$(shield) batt: untrusted', tooltip: 'batt runs nothing in an untrusted workspace: no solver is imported, no worker is started. Trust the workspace to enable it.', error: false };
  }
  // workers ready out of the pool's size (a killed worker restarting shows as 3/4 for a moment)
  const ready = s.detail.filter((w) => w.state === 'idle' || w.state === 'busy').length || s.workers;
  const head = {
    starting: '$(sync~spin) batt: starting',
    busy: `$(sync~spin) batt: busy ${s.busy}/${s.workers}`,
    error: '$(error) batt: error',
    idle: `$(check) batt: idle ${ready}/${s.workers}`,
    stopped: '$(circle-outline) batt: ready',
  }[s.state];
  const r = s.lastRun;
  const k = s.known;
  const solved = k ? ` · solved ${k.solved}/${k.tasks}` : '';
  const last = !r ? '' : r.reason === 'cache' ? ' · from the cache' : ` · ${(r.wallMs / 1000).toFixed(2)} s · cache ${cacheText(r)}`;
  const lines = [
    poolLine(s, ready),
    s.message ? `\n\n${s.message}` : '',
    k ? `\n\nWorkspace: solved ${k.solved} of ${k.tasks} tasks (every run's verdicts, merged per task)` : '',
    !r
      ? ''
      : r.reason === 'cache'
        ? `\n\nVerdicts from the cache, ${clock(r.at)}: nothing ran; ${r.misses ? `${r.misses} verdicts not in the cache are not shown` : 'every verdict was in the cache'}`
        : `\n\nLast run (${r.reason}, ${r.temperature}, ${clock(r.at)}): solved ${r.solved} of its ${r.tasks} tasks in ${(r.wallMs / 1000).toFixed(3)} s, validation cache hit rate ${cacheText(r)}${r.misses ? ` (${r.misses} missed)` : ''}`,
    '\n\n[Show timing](command:batt.showTiming) · [Show log](command:batt.showLog) · [Restart workers](command:batt.restartWorkers)',
  ];
  return { text: head + solved + last, tooltip: lines.join(''), error: s.state === 'error' };
}
