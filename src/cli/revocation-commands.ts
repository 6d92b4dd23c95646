import type { Command } from 'commander';
import { NumberSummaries } from '../accounts/number-summaries.service';
import { Clock } from '../common/clock';
import { DatabaseClock } from '../database/database-clock';
import type { AppConfig } from '../config/config';
import { HousekeepingService } from '../housekeeping/housekeeping.service';
import type { Alignment, ContractTerms } from '../partners/entities/contract-terms.embeddable';
import { isTimeZone } from '../common/time-zones';
import { PartnersService } from '../partners/partners.service';
import { RevocationFinalizer } from '../revocation/revocation-finalizer.service';
import { positiveInt } from './args';
import { withAppContext } from './context';
import { UsageError } from './usage-error';

const JOBS = ['revocations', 'summaries', 'housekeeping'] as const;

interface TermsOptions {
  noticeDays?: string;
  alignment?: string;
  graceDays?: string;
  timeZone?: string;
}

/** Reads the terms options; anything wrong is a usage error before the database is touched. */
export function parseTerms(opts: TermsOptions): Partial<ContractTerms> {
  const terms: Partial<ContractTerms> = {};
  if (opts.noticeDays !== undefined) terms.noticeDays = positiveInt('--notice-days', opts.noticeDays, 3650);
  if (opts.alignment !== undefined) {
    if (opts.alignment !== 'none' && opts.alignment !== 'end_of_month') {
      throw new UsageError(`--alignment must be none or end_of_month, not "${opts.alignment}".`);
    }
    terms.alignment = opts.alignment as Alignment;
  }
  if (opts.graceDays !== undefined) terms.removalGraceDays = positiveInt('--grace-days', opts.graceDays, 3650);
  if (opts.timeZone !== undefined) {
    if (!isTimeZone(opts.timeZone))
      throw new UsageError(`--time-zone: unknown time zone "${opts.timeZone}" (use an IANA name like Europe/Berlin).`);
    // PartnersService stores it in the runtime's spelling: "europe/berlin" as "Europe/Berlin".
    terms.billingTimeZone = opts.timeZone;
  }
  if (Object.keys(terms).length === 0) {
    throw new UsageError('Give at least one of --notice-days, --alignment, --grace-days, --time-zone.');
  }
  return terms;
}

/** partner:terms and jobs:run (revocations, summaries, housekeeping). */
export function registerRevocationCommands(program: Command, config: AppConfig): void {
  program
    .command('partner:terms')
    .description("Set a partner's revocation terms; requests already made keep the terms they were made with")
    .argument('<partner>', 'partner id or slug')
    .option('--notice-days <n>', 'days from the request to the termination date (0–3650)')
    .option('--alignment <none|end_of_month>', 'move the termination date to the end of its month')
    .option('--grace-days <n>', 'days a number stays visible after billing ends (0–3650)')
    .option('--time-zone <iana>', 'billing time zone, e.g. Europe/Berlin')
    // A partner id may start with "-" (one in 64): it is still the partner; a misspelt option
    // becomes an extra argument, which commander refuses all the same.
    .allowUnknownOption()
    .action(async (partnerRef: string, opts: TermsOptions) => {
      const terms = parseTerms(opts);
      const partner = await withAppContext(config, (app) => app.get(PartnersService).setTerms(partnerRef, terms));
      if (!partner) throw new UsageError(`No partner with id or slug "${partnerRef}".`);
      const t = partner.terms;
      console.log(
        `Terms of ${partner.name} (${partner.slug}): notice ${t.noticeDays} days, alignment ${t.alignment}, ` +
          `grace ${t.removalGraceDays} days, time zone ${t.billingTimeZone}. They apply to revocations requested from now on.`,
      );
    });

  program
    .command('jobs:run')
    .description(`Run a scheduled job once, now (${JOBS.join(', ')})`)
    .argument('<job>', JOBS.join(' | '))
    .action(async (job: string) => {
      if (!(JOBS as readonly string[]).includes(job)) throw new UsageError(`Unknown job "${job}": use one of ${JOBS.join(', ')}.`);
      if (job === 'housekeeping') {
        const pruned = await withAppContext(config, (app) => app.get(HousekeepingService).run(app.get(Clock).now()));
        console.log(
          `Housekeeping: pruned ${pruned.sessions} expired sessions, ${pruned.tokens} used or expired tokens, ` +
            `${pruned.emails} sent or dead emails, ${pruned.rateLimits} rate-limit counters, ` +
            `${pruned.idempotencyKeys} expired API idempotency keys.`,
        );
        return;
      }
      if (job === 'summaries') {
        const recounted = await withAppContext(config, (app) => app.get(NumberSummaries).refreshAllDue(app.get(Clock).now()));
        console.log(`Summaries: recounted the counts of ${recounted} partner${recounted === 1 ? '' : 's'}.`);
        return;
      }
      // By the database's clock, as the scheduled job: no machine whose clock is ahead finalizes early.
      const result = await withAppContext(config, async (app) => app.get(RevocationFinalizer).runDue(await app.get(DatabaseClock).now()));
      console.log(`Revocations: ${result.billingEnded} billing ended, ${result.removed} numbers removed.`);
    });
}
