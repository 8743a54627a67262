/** A configuration or usage error the user must fix (the CLI exits with code 2 and prints the message). */
export class UsageError extends Error {}
