import { Command, CommanderError } from 'commander';
import { scrubSecrets } from '../common/logger';
import { ConfigError, loadConfig } from '../config/config';
import { registerCommands } from './commands';
import { CommandFailed, UsageError } from './usage-error';

/**
 * Runs one operator command and returns the exit code: 0 done, 2 bad arguments or
 * configuration (nothing written), 1 anything else (a failure it reports, or an error).
 */
/** The most of an unexpected error's message a failed command prints. */
const MAX_ERROR_CHARS = 1_000;

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = new Command('partner-hub').description('Partner Hub operator commands').exitOverride().showHelpAfterError();
  try {
    registerCommands(program, loadConfig(env));
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are "errors" to commander, but successful runs to the operator.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    if (err instanceof CommandFailed) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    // One line, scrubbed like a log line (a driver's error may quote a URL with its password, or a
    // failed statement with its values) and cut short (a failed batch insert quotes every row).
    // The stack only when asked for: LOG_LEVEL=debug.
    const text = err instanceof Error ? (env.LOG_LEVEL === 'debug' ? (err.stack ?? err.message) : err.message) : String(err);
    const line = scrubSecrets(text);
    console.error(`error: ${line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS)}… (${line.length} characters)` : line}`);
    return 1;
  }
}
