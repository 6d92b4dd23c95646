import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/config';
import { registerCommands } from './commands';
import { UsageError } from './usage-error';

/** Operator command line: `npm run cli -- <command> --help`. Bad arguments exit with code 2. */
async function main(argv: string[]): Promise<number> {
  const program = new Command('partner-hub').description('Partner Hub operator commands').exitOverride().showHelpAfterError();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  registerCommands(program, config);
  try {
    await program.parseAsync(argv);
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
    console.error(err instanceof Error ? err.stack : err);
    return 1;
  }
}

main(process.argv).then((code) => process.exit(code));
