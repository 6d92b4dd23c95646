import type { Command } from 'commander';
import { z } from 'zod';
import { DomainError } from '../common/domain-error';
import { email, text } from '../common/forms';
import type { AppConfig } from '../config/config';
import { DatabaseClock } from '../database/database-clock';
import { MailWorker } from '../mail/mail-worker.service';
import { isTimeZone } from '../common/time-zones';
import { PartnersService } from '../partners/partners.service';
import { UsersService } from '../users/users.service';
import { positiveInt } from './args';
import { withAppContext } from './context';
import { CommandFailed, UsageError } from './usage-error';

/** Validates one argument with a form rule; a failure is a usage error (exit 2, nothing written). */
function arg<T>(option: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? '');
  if (!parsed.success) throw new UsageError(`${option}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`);
  return parsed.data;
}

function role(value: string): 'owner' | 'member' {
  if (value !== 'owner' && value !== 'member') throw new UsageError(`--role must be owner or member, not "${value}".`);
  return value;
}

/** Domain failures found inside the command (an email already on the team) are usage errors too. */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DomainError) throw new UsageError(err.message);
    throw err;
  }
}

/** partner:create, partner:invite, mail:send, mail:status. */
export function registerOnboardingCommands(program: Command, config: AppConfig): void {
  program
    .command('partner:create')
    .description('Create a partner and email its first owner an invitation to create a password')
    .requiredOption('--name <name>', 'partner name as its team will see it')
    .requiredOption('--owner-email <email>', 'email of the first owner')
    .requiredOption('--owner-name <name>', 'name of the first owner')
    .option('--notice-days <n>', 'revocation notice in days', '30')
    .option('--alignment <none|end_of_month>', 'align the termination date to the end of the month', 'none')
    .option('--grace-days <n>', 'days a revoked number stays visible after billing ends', '14')
    .option('--time-zone <iana>', 'billing time zone', 'UTC')
    .action(
      async (opts: {
        name: string;
        ownerEmail: string;
        ownerName: string;
        noticeDays: string;
        alignment: string;
        graceDays: string;
        timeZone: string;
      }) => {
        const name = arg('--name', text('Name', 200), opts.name);
        const ownerEmail = arg('--owner-email', email(), opts.ownerEmail);
        const ownerName = arg('--owner-name', text('Owner name', 200), opts.ownerName);
        const noticeDays = positiveInt('--notice-days', opts.noticeDays, 3650);
        const removalGraceDays = positiveInt('--grace-days', opts.graceDays, 3650);
        if (opts.alignment !== 'none' && opts.alignment !== 'end_of_month') {
          throw new UsageError(`--alignment must be none or end_of_month, not "${opts.alignment}".`);
        }
        if (!isTimeZone(opts.timeZone)) throw new UsageError(`--time-zone: unknown time zone "${opts.timeZone}".`);
        const partner = await withAppContext(config, (app) =>
          asUsage(() =>
            app.get(UsersService).createPartnerWithOwner({
              name,
              terms: { noticeDays, removalGraceDays, alignment: opts.alignment as 'none' | 'end_of_month', billingTimeZone: opts.timeZone },
              owner: { email: ownerEmail, name: ownerName },
            }),
          ),
        );
        console.log(`Created partner ${partner.name} (id ${partner.id}, slug ${partner.slug}).`);
        console.log(`Invitation for ${ownerEmail} queued: the mail worker sends it (or run mail:send).`);
      },
    );

  program
    .command('partner:invite')
    .description('Email someone an invitation to a partner’s team')
    .requiredOption('--partner <id|slug>', 'the partner')
    .requiredOption('--email <email>', 'email of the person')
    .requiredOption('--name <name>', 'name of the person')
    .option('--role <owner|member>', 'role on the team', 'member')
    .action(async (opts: { partner: string; email: string; name: string; role: string }) => {
      const to = arg('--email', email(), opts.email);
      const name = arg('--name', text('Name', 200), opts.name);
      const r = role(opts.role);
      const partnerRef = arg('--partner', text('Partner', 80), opts.partner);
      await withAppContext(config, async (app) => {
        const partner = await app.get(PartnersService).findByIdOrSlug(partnerRef);
        if (!partner) throw new UsageError(`--partner: no partner with id or slug "${partnerRef}".`);
        await asUsage(() => app.get(UsersService).invite(partner.id, { email: to, name, role: r }, null));
        console.log(`Invitation for ${to} to ${partner.name} queued: the mail worker sends it (or run mail:send).`);
      });
    });

  program
    .command('mail:send')
    .description('Send every queued email that is due now')
    .action(async () => {
      // Run after run until one finds nothing due (rows other instances hold are theirs), on
      // the database's clock like the scheduled job.
      const total = await withAppContext(config, (app) => {
        const clock = app.get(DatabaseClock);
        return app.get(MailWorker).drain(() => clock.now());
      });
      console.log(`Sent ${total.sent}, failed (will retry) ${total.failed}, given up ${total.dead}.`);
      // A scheduler running this instead of the hub's own job learns that sending fails.
      if (total.failed + total.dead > 0) {
        throw new CommandFailed(`${total.failed + total.dead} of them could not be sent: see the log (mail.retry, mail.dead).`);
      }
    });

  program
    .command('mail:status')
    .description('Count queued, sent and given-up emails; list the ones given up')
    .action(async () => {
      const { counts, dead } = await withAppContext(config, (app) => app.get(MailWorker).status());
      console.log(`pending ${counts.pending}  sent ${counts.sent}  dead ${counts.dead}`);
      for (const row of dead) {
        console.log(
          `dead  ${row.id}  ${row.updatedAt.toISOString()}  ${row.toAddress}  ${row.template}  attempts ${row.attempts}  ${row.lastError ?? ''}`,
        );
      }
    });
}
