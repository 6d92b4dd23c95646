/** A bad argument: the command prints the message and exits with code 2, having written nothing. */
export class UsageError extends Error {}
