import type { Command } from 'commander';
import type { AppConfig } from '../config/config';
import { registerAccountsCommands } from './accounts-commands';
import { dbBackup, dbDiff, dbMigrate } from './db-commands';
import { registerDemoCommands } from './demo-commands';
import { registerOnboardingCommands } from './onboarding-commands';
import { registerOperatorCommands } from './operator-commands';
import { registerRevocationCommands } from './revocation-commands';

/** Every operator command, registered on the one program. */
export function registerCommands(program: Command, config: AppConfig): void {
  program
    .command('db:migrate')
    .description('Apply every pending migration (a release step in production)')
    .action(() => dbMigrate(config));

  program
    .command('db:backup')
    .description('Copy the SQLite database to <file> while the hub runs (on PostgreSQL use pg_dump)')
    .argument('<file>', 'the new backup file (an existing one is not overwritten)')
    .action((file: string) => dbBackup(config, file));

  program
    .command('db:diff')
    .description('Developers: write a migration for the entity changes since the last one (DATABASE_URL picks the dialect)')
    .option('--initial', 'write the initial migration of an empty database')
    .action((opts: { initial?: boolean }) => dbDiff(config, !!opts.initial));

  registerDemoCommands(program, config);
  registerOnboardingCommands(program, config);
  registerAccountsCommands(program, config);
  registerRevocationCommands(program, config);
  registerOperatorCommands(program, config);
}
