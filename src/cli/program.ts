import { Command, CommanderError } from 'commander';
import { scrubSecrets } from '../common/logger';
import { ConfigError, loadConfig } from '../config/config';
import { registerCommands } from './commands';
import { CommandFailed, UsageError } from './usage-error';

/**
 * Runs one operator command and returns the exit code: 0 done, 2 bad arguments or
 * configuration (nothing written), 1 anything else (a failure it reports, or an error).
 */
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
    // Scrubbed like a log line: a driver's error may quote a URL with its password.
    console.error(scrubSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err)));
    return 1;
  }
}
