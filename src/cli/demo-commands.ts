import type { Command } from 'commander';
import { canonicalEmail, emailProblem } from '../common/email';
import type { AppConfig } from '../config/config';
import { DemoSeedService } from '../demo/demo-seed.service';
import { withAppContext } from './context';
import { positiveInt } from './args';
import { refuseInProduction, UsageError } from './usage-error';

export function registerDemoCommands(program: Command, config: AppConfig): void {
  program
    .command('demo:seed')
    .description('Development only: create a demo partner with N deterministic numbers across every status')
    .option('--numbers <n>', 'how many numbers', '300')
    .option('--name <name>', 'partner name', 'Demo Partner')
    .option('--seed <n>', 'random seed (same seed, same data)', '42')
    .option('--owner-email <email>', 'also create an owner who can sign in (development only)')
    .action(async (opts: { numbers: string; name: string; seed: string; ownerEmail?: string }) => {
      refuseInProduction(config, 'demo:seed', 'it creates a demo partner and prints its owner’s password');
      const count = positiveInt('--numbers', opts.numbers, 1_000_000, 1);
      const seed = positiveInt('--seed', opts.seed);
      // The same rule as every form: refused with the reason, else stored in its canonical form.
      const emailRefusal = opts.ownerEmail === undefined ? null : emailProblem(opts.ownerEmail);
      if (emailRefusal) throw new UsageError(`--owner-email: ${emailRefusal}`);
      const ownerEmail = opts.ownerEmail === undefined ? undefined : canonicalEmail(opts.ownerEmail);
      const started = Date.now();
      const result = await withAppContext(config, (app) =>
        app.get(DemoSeedService).seed({ partnerName: opts.name, count, seed, ownerEmail }),
      );
      console.log(
        `Seeded partner ${result.partner.name} (id ${result.partner.id}) with ${result.numbers} numbers in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      );
      if (result.owner) console.log(`Owner: ${result.owner.email} / ${result.owner.password}`);
    });
}
