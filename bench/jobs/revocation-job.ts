import 'reflect-metadata';
import { newId } from '../../src/common/ids';
import { REVOCATION_BATCH_SIZE } from '../../src/revocation/job-batch';
import { localDate, longDate } from '../../src/common/dates';
import { benchConfig, dbFromEnv, maxRssMb } from '../lib/env';
import { openRaw, toDate, type RawDb } from '../lib/raw';

/**
 * One run of the revocation job over the revocations due at `now`, in a process of its own:
 * `app` calls RevocationFinalizer.runDue(now); `baseline` makes the same writes in hand-written
 * SQL on the bare driver (the same batches, one transaction each: claim, number state,
 * history, Activity entry, outbox email). Reports the time, the rows finalized and the
 * process's peak RSS. argv[2]: {"mode":"app"|"baseline","now":"<ISO>"}
 */
/** Loaded only in app mode, so that a baseline process does not carry the app's modules. */
function appModules() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    NestFactory: (require('@nestjs/core') as typeof import('@nestjs/core')).NestFactory,
    AppModule: (require('../../src/app.module') as typeof import('../../src/app.module')).AppModule,
    createLogger: (require('../../src/common/logger') as typeof import('../../src/common/logger')).createLogger,
    RevocationFinalizer: (
      require('../../src/revocation/revocation-finalizer.service') as typeof import('../../src/revocation/revocation-finalizer.service')
    ).RevocationFinalizer,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

async function viaApp(now: Date) {
  const { NestFactory, AppModule, createLogger, RevocationFinalizer } = appModules();
  const config = benchConfig();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, logger: createLogger('warn') }), {
    logger: ['error'],
  });
  const started = performance.now();
  const result = await app.get(RevocationFinalizer).runDue(now);
  const ms = performance.now() - started;
  await app.close();
  return { ms, finalized: result.billingEnded, removed: result.removed };
}

const BATCH = REVOCATION_BATCH_SIZE;
const DUE = 'billing_ended_at is null and withdrawn_at is null and billing_ends_at <= ?';

async function viaBaseline(now: Date) {
  const config = benchConfig();
  const db: RawDb = openRaw(dbFromEnv(), 1);
  const pg = db.dialect === 'postgresql';
  const links = config.revocationLinks;
  const started = performance.now();
  let finalized = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const at = tx.date(now);
      const due = await tx.all<{ id: string }>(
        `select id from revocation where ${DUE} order by billing_ends_at, id limit ${BATCH}${pg ? ' for update skip locked' : ''}`,
        [at],
      );
      if (!due.length) return 0;
      const marks = (k: number) => Array.from({ length: k }, () => '?').join(', ');
      const claimed = await tx.all<{ id: string }>(
        `update revocation set billing_ended_at = ?, updated_at = ? where id in (${marks(due.length)}) and ${DUE} returning id`,
        [at, at, ...due.map((r) => r.id), at],
      );
      const ids = claimed.map((r) => r.id);
      const rows = await tx.all<Record<string, unknown>>(
        `select r.id, r.number_id, r.partner_id, r.termination_date, r.billing_ends_at, r.remove_at, r.billing_time_zone,
                n.phone_number, n.display_name, c.name as client_name, c.contact_email, p.name as partner_name
           from revocation r join whatsapp_number n on n.id = r.number_id join client c on c.id = n.client_id
           join partner p on p.id = r.partner_id where r.id in (${marks(ids.length)})`,
        ids,
      );
      await tx.run(
        `update whatsapp_number set billing_state = 'partner_billing_ended', updated_at = ? where id in (${marks(rows.length)}) and billing_state = 'revocation_requested'`,
        [at, ...rows.map((r) => r.number_id)],
      );
      const history: unknown[] = [];
      const audit: unknown[] = [];
      const outbox: unknown[] = [];
      for (const r of rows) {
        const effective = tx.date(toDate(r.billing_ends_at));
        history.push(
          newId(),
          at,
          at,
          r.partner_id,
          r.number_id,
          'billing',
          'revocation_requested',
          'partner_billing_ended',
          'job',
          effective,
        );
        const data = JSON.stringify({ revocationId: r.id, phoneNumber: r.phone_number, terminationDate: r.termination_date });
        audit.push(newId(), at, at, r.partner_id, 'System', 'revocation.billing_ended', 'number', r.number_id, data);
        if (r.contact_email) {
          const removalDate = localDate(toDate(r.remove_at), String(r.billing_time_zone));
          const payload = JSON.stringify({
            partnerName: r.partner_name,
            clientName: r.client_name,
            phoneNumber: r.phone_number,
            displayName: r.display_name,
            terminationDate: r.termination_date,
            removalDate,
            timeZone: r.billing_time_zone,
            terminationDateText: longDate(String(r.termination_date)),
            removalDateText: longDate(removalDate),
            ...links,
            subject: `${r.partner_name} no longer pays for ${r.phone_number}`,
          });
          outbox.push(newId(), at, at, r.partner_id, r.contact_email, 'revocation_billing_ended', payload, 'pending', 0, at);
        }
      }
      const values = (cols: number, count: number) => Array.from({ length: count }, () => `(${marks(cols)})`).join(', ');
      await tx.run(
        `insert into number_status_change (id, created_at, updated_at, partner_id, number_id, family, from_value, to_value, source, changed_at) values ${values(10, rows.length)}`,
        history,
      );
      await tx.run(
        `insert into audit_event (id, created_at, updated_at, partner_id, actor_label, action, subject_type, subject_id, data) values ${values(9, rows.length)}`,
        audit,
      );
      if (outbox.length) {
        await tx.run(
          `insert into outbox_email (id, created_at, updated_at, partner_id, to_address, template, payload, status, attempts, next_attempt_at) values ${values(10, outbox.length / 10)}`,
          outbox,
        );
      }
      return ids.length;
    });
    finalized += n;
    if (n < BATCH) break;
  }
  const ms = performance.now() - started;
  await db.close();
  return { ms, finalized, removed: 0 };
}

async function main() {
  const { mode, now } = JSON.parse(process.argv[2]) as { mode: 'app' | 'baseline'; now: string };
  const r = mode === 'app' ? await viaApp(new Date(now)) : await viaBaseline(new Date(now));
  process.send!({ mode, ...r, maxRssMb: maxRssMb() }, () => process.exit(0));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
