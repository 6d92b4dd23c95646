import type { AppConfig } from '../config/config';

/** A bad argument: the command prints the message and exits with code 2, having written nothing. */
export class UsageError extends Error {}

/** The command ran and something it did failed: one line for the operator, exit code 1. */
export class CommandFailed extends Error {}

/**
 * Refuses a development shortcut (demo data, a printed password) under NODE_ENV=production:
 * a usage error, thrown before the command opens the database.
 */
export function refuseInProduction(config: AppConfig, command: string, why: string): void {
  if (config.isProduction) {
    throw new UsageError(`${command} is for development only (${why}): it does not run with NODE_ENV=production.`);
  }
}
