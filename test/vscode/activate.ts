/** The suites' common start: the development batt extension, activated, with its language server ready. */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { BattApi } from '../../src/extension/extension';

export const EXT_ID = 'batt-dev.batt';

export async function activateBatt(): Promise<BattApi> {
  const ext = vscode.extensions.getExtension<BattApi>(EXT_ID);
  assert.ok(ext, `${EXT_ID} is installed`);
  const api = await ext.activate();
  await api.ready;
  return api;
}
