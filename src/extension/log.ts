/** The one "Batt" LogOutputChannel; it never pops open by itself. Echoes to the console under CI. */
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function logChannel(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Batt', { log: true });
  return channel;
}

export function info(msg: string): void {
  logChannel().info(msg);
  if (process.env.CI) console.log(`[batt] ${msg}`);
}

export function error(msg: string, e?: unknown): void {
  logChannel().error(e instanceof Error ? `${msg}: ${e.stack ?? e.message}` : msg);
  if (process.env.CI) console.error(`[batt] ${msg}`, e ?? '');
}
