import 'reflect-metadata';
import { AccountsImportService } from '../../src/accounts/import/accounts-import.service';
import { withAppContext } from '../../src/cli/context';
import { benchConfig, maxRssMb } from '../lib/env';

/**
 * One `accounts:import` of a file into a partner, in a process of its own so that its peak
 * memory is its own: the command's own code (an app context, AccountsImportService.importFile:
 * a validating pass, then a writing pass). Started with --expose-gc, it also samples what the
 * import keeps: the heap in use right after a full collection, once a second (peak RSS also
 * counts garbage that V8 has not collected yet, which grows with the work done, not with
 * what is kept). Reports the time, what it did, the peak RSS and the most heap kept.
 * argv[2]: {"partnerId":"…","file":"…"}
 */
async function main() {
  const { partnerId, file } = JSON.parse(process.argv[2]) as { partnerId: string; file: string };
  const collect = (globalThis as { gc?: () => void }).gc;
  let retainedMb = 0;
  const sample = () => {
    collect?.();
    retainedMb = Math.max(retainedMb, process.memoryUsage().heapUsed / 2 ** 20);
  };
  const answer = await withAppContext(benchConfig(), async (app) => {
    sample();
    const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
    const bootRetainedMb = retainedMb;
    const sampler = collect ? setInterval(sample, 1000) : undefined;
    const started = performance.now();
    const r = await app.get(AccountsImportService).importFile(partnerId, file);
    const ms = performance.now() - started;
    clearInterval(sampler);
    sample();
    return { ms, rssBeforeMb, bootRetainedMb, records: r.records, invalid: r.invalid, created: r.created, written: r.written };
  });
  process.send!({ ...answer, retainedMb, maxRssMb: maxRssMb() }, () => process.exit(0));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
