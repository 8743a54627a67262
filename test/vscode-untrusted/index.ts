// Mocha entry for the untrusted-workspace suite: the same runner as test/vscode, loading the *.test.js next to this bundle.
export { run } from '../vscode/index';
