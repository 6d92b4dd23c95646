import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { AccountsImportService } from '../accounts/import/accounts-import.service';
import { ImportFileError, type ImportFormat } from '../accounts/import/sources';
import type { AppConfig } from '../config/config';
import { PartnersService } from '../partners/partners.service';
import { withAppContext } from './context';
import { UsageError } from './usage-error';

/** `accounts:import --partner <id|slug> <file> [--skip-invalid]` */
export function registerAccountsCommands(program: Command, config: AppConfig): void {
  program
    .command('accounts:import')
    .description(
      "Import a partner's account data from a JSON file (the Partner API's partner_channels list) or a CSV file (the export's columns). " +
        'Upserts by the provider ids; a re-import of the same file changes nothing. With any invalid record nothing is written unless --skip-invalid.',
    )
    .requiredOption('--partner <id|slug>', 'the partner the numbers belong to')
    .option('--skip-invalid', 'import the valid records and report the invalid ones')
    .option('--format <format>', 'json or csv (default: from the file content)')
    .argument('<file>', 'the JSON or CSV file')
    .action(async (file: string, opts: { partner: string; skipInvalid?: boolean; format?: string }) => {
      if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`No such file: ${file}`);
      if (opts.format !== undefined && opts.format !== 'json' && opts.format !== 'csv') {
        throw new UsageError(`--format must be json or csv, not "${opts.format}".`);
      }
      const started = Date.now();
      await withAppContext(config, async (app) => {
        const partner = await app.get(PartnersService).findByIdOrSlug(opts.partner);
        if (!partner) throw new UsageError(`No partner with id or slug "${opts.partner}".`);
        let result;
        try {
          result = await app.get(AccountsImportService).importFile(partner.id, file, {
            skipInvalid: !!opts.skipInvalid,
            format: opts.format as ImportFormat | undefined,
          });
        } catch (err) {
          if (err instanceof ImportFileError) throw new UsageError(`${err.message} Nothing was written.`);
          throw err;
        }
        for (const p of result.problems) console.error(`${p.position}: ${p.reason}`);
        if (result.invalid > result.problems.length)
          console.error(`… and ${result.invalid - result.problems.length} more invalid records.`);
        if (!result.written) {
          throw new UsageError(
            `${result.invalid} of ${result.records} records are invalid: nothing was written. Fix them, or pass --skip-invalid to import the others.`,
          );
        }
        console.log(
          `Imported ${result.records - result.invalid} of ${result.records} records (${result.format}) for ${partner.name} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
            `${result.created} numbers created, ${result.updated} updated, ${result.unchanged} unchanged, ${result.statusChanges} status changes recorded` +
            (result.invalid ? `, ${result.invalid} invalid skipped.` : '.'),
        );
      });
    });
}
