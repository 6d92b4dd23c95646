import type { Command } from 'commander';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { text } from '../common/forms';
import type { AppConfig } from '../config/config';
import { OperatorKeysService, type OperatorKeyListing } from '../operator-api/operator-keys.service';
import { withAppContext } from './context';
import { UsageError } from './usage-error';

/** A key with a last day works until the end of that day (UTC), as the partners' API keys do. */
function expiryOf(day: string | undefined): Date | null {
  if (day === undefined) return null;
  const start = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
  // Date.parse takes 2027-02-30 for 2027-03-02: the day must come back as it was written.
  if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== day)
    throw new UsageError(`--expires must be a day like 2027-01-31, not "${day}".`);
  return new Date(start + 86_400_000);
}

/** The last day a key works, as --expires took it. */
const lastDay = (expiresAt: Date | null) => (expiresAt ? new Date(expiresAt.getTime() - 1).toISOString().slice(0, 10) : 'none');

function stateOf(k: OperatorKeyListing): string {
  if (k.revokedAt) return `revoked ${k.revokedAt.toISOString()}`;
  return k.expired ? 'expired' : 'live';
}

/** operator:key create | list | revoke: the keys of the provider's systems for the operator API. */
export function registerOperatorCommands(program: Command, config: AppConfig): void {
  const keys = program
    .command('operator:key')
    .description("Keys of the provider's own systems for the operator API (/api/operator/v1): create, list, revoke");

  keys
    .command('create')
    .description('Make an operator key; it is printed once and stored only as a hash')
    .requiredOption('--name <name>', 'what uses the key, e.g. "provider sync"')
    .option('--expires <YYYY-MM-DD>', 'the last day the key works (UTC)')
    .action(async (opts: { name: string; expires?: string }) => {
      const name = text('--name', 100).safeParse(opts.name);
      if (!name.success) throw new UsageError(name.error.issues[0]?.message ?? '--name is not valid.');
      const expiresAt = expiryOf(opts.expires);
      const { key, listing } = await withAppContext(config, async (app) => {
        if (expiresAt && expiresAt <= app.get(Clock).now()) throw new UsageError('--expires must be a day after today.');
        return app.get(OperatorKeysService).create({ name: name.data, expiresAt });
      });
      console.log(`Created operator key "${listing.name}" (id ${listing.id}, last day ${lastDay(listing.expiresAt)}).`);
      console.log('Shown this once, never again: put it in the secret store of the system that uses it.');
      console.log(key);
    });

  keys
    .command('list')
    .description('List the operator keys: id, prefix, name, state, created, last day, last used')
    .action(async () => {
      const list = await withAppContext(config, (app) => app.get(OperatorKeysService).list());
      if (!list.length) console.log('No operator keys. Make one with operator:key create --name <name>.');
      for (const k of list) {
        console.log(
          `${k.id}  ${k.prefix}  ${k.name}  ${stateOf(k)}  created ${k.createdAt.toISOString()}  last day ${lastDay(k.expiresAt)}  last used ${k.lastUsedAt?.toISOString() ?? 'never'}`,
        );
      }
    });

  keys
    .command('revoke')
    .description('Revoke an operator key at once, on every instance')
    .argument('<id>', 'the key id, as operator:key list shows it')
    // Ids are base64url: one in 64 starts with "-", which is still the id (revoke takes no options).
    .allowUnknownOption()
    .action(async (id: string) => {
      const revoked = await withAppContext(config, async (app) => {
        try {
          return await app.get(OperatorKeysService).revoke(id);
        } catch (err) {
          if (err instanceof DomainError) throw new UsageError(err.message);
          throw err;
        }
      });
      console.log(`Revoked operator key "${revoked.name}" (${revoked.prefix}): it opens nothing from now on.`);
    });
}
