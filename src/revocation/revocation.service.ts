import { setImmediate as nextTick } from 'node:timers/promises';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { NumberStatusChange, type ChangeSource } from '../accounts/entities/number-status-change.entity';
import { WhatsappNumber } from '../accounts/entities/whatsapp-number.entity';
import { actorOf, AuditService, type AuditInput } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { originOf, type CurrentMember, type HubRequest } from '../common/http';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { dialectOf } from '../database/orm.config';
import { OutboxService, type OutgoingEmail } from '../mail/outbox.service';
import type { ContractTerms } from '../partners/entities/contract-terms.embeddable';
import { Partner } from '../partners/entities/partner.entity';
import { isTimeZone } from '../partners/partners.service';
import type { BillingState } from '../statuses/catalogue';
import { User } from '../users/entities/user.entity';
import { Revocation } from './entities/revocation.entity';
import { REVOCATION_BATCH_SIZE } from './job-batch';
import { RevocationErrors } from './revocation.errors';
import { countdown, localDate, longDate, revocationSchedule, type Countdown, type RevocationSchedule } from './termination-date';

export const MAX_REASON_LENGTH = 500;

/** What the request page shows before the owner confirms. */
export interface RevocationPreview {
  number: WhatsappNumber;
  partnerName: string;
  clientName: string;
  contactEmail: string | null;
  terms: ContractTerms;
  schedule: RevocationSchedule;
  /** The local date on which the number is no longer in the hub. */
  removalDate: string;
}

export interface RunDueResult {
  billingEnded: number;
  removed: number;
}

/** One revocation claimed by this run, with what its side effects need. */
interface ClaimedRow {
  id: string;
  number_id: string;
  partner_id: string;
  termination_date: string;
  billing_ends_at: Date | number | string;
  remove_at: Date | number | string;
  billing_time_zone: string;
  phone_number: string;
  display_name: string | null;
  client_name: string;
  contact_email: string | null;
  partner_name: string;
}

type Transition = 'billing_end' | 'removal';

type ClientEmailInput = { partnerId: string; contactEmail?: string | null } & Record<string, unknown>;

/**
 * Payment revocation: an owner requests it, may withdraw it until the termination date, and
 * the scheduled job ends the partner's billing and later removes the number. Every state
 * change is a conditional UPDATE whose affected rows decide who made it, so each transition
 * happens exactly once however many requests or instances race for it; its history, audit
 * event and email are written in the same transaction.
 */
@Injectable()
export class RevocationService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The number of the member's partner, with its client and open revocation; 404 otherwise. */
  private async findNumber(em: EntityManager, member: CurrentMember, numberId: string): Promise<WhatsappNumber> {
    const number = await em.findOne(WhatsappNumber, { id: numberId, partner: member.partnerId }, { populate: ['client', 'revocation'] });
    if (!number) throw new NotFoundException();
    return number;
  }

  private assertRequestable(number: WhatsappNumber): void {
    switch (number.billingState) {
      case 'partner_paid':
        return;
      case 'revocation_requested':
        throw RevocationErrors.alreadyRequested(number.revocation?.terminationDate ?? 'unknown');
      case 'partner_billing_ended':
        throw RevocationErrors.billingEnded();
      case 'removed':
        throw RevocationErrors.removed();
    }
  }

  /** The request page: what would happen if the owner confirmed now. */
  async preview(member: CurrentMember, numberId: string): Promise<RevocationPreview> {
    const em = this.em.fork();
    const number = await this.findNumber(em, member, numberId);
    this.assertRequestable(number);
    const partner = await em.findOneOrFail(Partner, member.partnerId);
    const schedule = revocationSchedule(this.clock.now(), partner.terms);
    return {
      number,
      partnerName: partner.name,
      clientName: number.client.name,
      contactEmail: number.client.contactEmail ?? null,
      terms: partner.terms,
      schedule,
      removalDate: localDate(schedule.removeAt, partner.terms.billingTimeZone),
    };
  }

  /** The withdrawal confirmation page: the open revocation of the number. */
  async openRevocation(
    member: CurrentMember,
    numberId: string,
  ): Promise<{ number: WhatsappNumber; revocation: Revocation; countdown: Countdown }> {
    const number = await this.findNumber(this.em.fork(), member, numberId);
    const revocation = this.assertWithdrawable(number, this.clock.now());
    return { number, revocation, countdown: this.countdownOf(revocation) };
  }

  private assertWithdrawable(number: WhatsappNumber, now: Date): Revocation {
    if (number.billingState === 'removed') throw RevocationErrors.removed();
    if (number.billingState === 'partner_billing_ended') throw RevocationErrors.billingEnded();
    const revocation = number.revocation;
    if (number.billingState !== 'revocation_requested' || !revocation) throw RevocationErrors.notRequested();
    if (revocation.billingEndsAt.getTime() <= now.getTime()) throw RevocationErrors.tooLateToWithdraw(revocation.terminationDate);
    return revocation;
  }

  /** Days left until the revocation's termination date, by the one clock. */
  countdownOf(revocation: Pick<Revocation, 'terminationDate' | 'billingTimeZone'>, now = this.clock.now()): Countdown {
    return countdown(revocation.terminationDate, now, revocation.billingTimeZone);
  }

  /**
   * Requests revocation: only a number the partner still pays for, confirmed by typing its
   * phone number. The number's billing state moves by a conditional update, so a double
   * submit or two owners at once make exactly one revocation.
   */
  async request(
    member: CurrentMember,
    numberId: string,
    input: { confirmation: string; reason?: string },
    req?: HubRequest,
  ): Promise<{ revocation: Revocation; number: WhatsappNumber; clientEmailed: boolean }> {
    const now = this.clock.now();
    return this.em.fork().transactional(async (tx) => {
      const number = await this.findNumber(tx, member, numberId);
      this.assertRequestable(number);
      if (input.confirmation.replace(/\s+/g, '') !== number.phoneNumber) throw RevocationErrors.wrongConfirmation();
      const reason = input.reason?.trim() || null;
      if (reason && reason.length > MAX_REASON_LENGTH) throw RevocationErrors.reasonTooLong();

      const partner = await tx.findOneOrFail(Partner, member.partnerId);
      const terms = partner.terms;
      const schedule = revocationSchedule(now, terms);
      const revocation = new Revocation({
        partner,
        number,
        requestedBy: tx.getReference(User, member.userId),
        requestedAt: now,
        reason,
        ...schedule,
        // The terms in force now: a later change applies to later requests only.
        noticeDays: terms.noticeDays,
        alignment: terms.alignment,
        removalGraceDays: terms.removalGraceDays,
        billingTimeZone: terms.billingTimeZone,
      });
      revocation.createdAt = revocation.updatedAt = now;
      await tx.persist(revocation).flush();

      const claimed = await tx.nativeUpdate(
        WhatsappNumber,
        { id: number.id, partner: member.partnerId, billingState: 'partner_paid' },
        { billingState: 'revocation_requested', revocation: revocation.id, updatedAt: now },
      );
      // Someone else got there first: roll back, this revocation never existed.
      if (claimed !== 1) throw RevocationErrors.alreadyRequested(schedule.terminationDate);

      tx.persist(this.statusChange(tx, member.partnerId, number.id, 'partner_paid', 'revocation_requested', 'revocation', now));
      this.audit.record(tx, {
        action: 'revocation.requested',
        partnerId: member.partnerId,
        actor: actorOf(member),
        subjectType: 'number',
        subjectId: number.id,
        data: {
          revocationId: revocation.id,
          phoneNumber: number.phoneNumber,
          terminationDate: schedule.terminationDate,
          billingEndsAt: schedule.billingEndsAt.toISOString(),
          removeAt: schedule.removeAt.toISOString(),
          reason,
        },
        origin: req ? originOf(req) : null,
      });
      const clientEmailed = this.emailClient(
        tx,
        'revocation_requested',
        `Action needed: ${partner.name} stops paying for ${number.phoneNumber}`,
        {
          partnerId: partner.id,
          partnerName: partner.name,
          contactEmail: number.client.contactEmail,
          clientName: number.client.name,
          phoneNumber: number.phoneNumber,
          displayName: number.displayName,
          terminationDate: schedule.terminationDate,
          removalDate: localDate(schedule.removeAt, terms.billingTimeZone),
          timeZone: terms.billingTimeZone,
        },
      );
      return { revocation, number, clientEmailed };
    });
  }

  /**
   * Withdraws the open request until the termination date ends. The mirror condition of the
   * job's (not withdrawn, billing not ended) makes exactly one of the two win.
   */
  async withdraw(
    member: CurrentMember,
    numberId: string,
    req?: HubRequest,
  ): Promise<{ revocation: Revocation; number: WhatsappNumber; clientEmailed: boolean }> {
    const now = this.clock.now();
    return this.em.fork().transactional(async (tx) => {
      const number = await this.findNumber(tx, member, numberId);
      const revocation = this.assertWithdrawable(number, now);
      const claimed = await tx.nativeUpdate(
        Revocation,
        { id: revocation.id, withdrawnAt: null, billingEndedAt: null, billingEndsAt: { $gt: now } },
        { withdrawnAt: now, withdrawnBy: member.userId, updatedAt: now },
      );
      if (claimed !== 1) throw RevocationErrors.tooLateToWithdraw(revocation.terminationDate);
      await tx.nativeUpdate(
        WhatsappNumber,
        { id: number.id, revocation: revocation.id, billingState: 'revocation_requested' },
        { billingState: 'partner_paid', revocation: null, updatedAt: now },
      );
      tx.persist(this.statusChange(tx, member.partnerId, number.id, 'revocation_requested', 'partner_paid', 'revocation', now));
      this.audit.record(tx, {
        action: 'revocation.withdrawn',
        partnerId: member.partnerId,
        actor: actorOf(member),
        subjectType: 'number',
        subjectId: number.id,
        data: { revocationId: revocation.id, phoneNumber: number.phoneNumber, terminationDate: revocation.terminationDate },
        origin: req ? originOf(req) : null,
      });
      const partner = await tx.findOneOrFail(Partner, member.partnerId);
      const clientEmailed = this.emailClient(tx, 'revocation_withdrawn', `${partner.name} keeps paying for ${number.phoneNumber}`, {
        partnerId: partner.id,
        partnerName: partner.name,
        contactEmail: number.client.contactEmail,
        clientName: number.client.name,
        phoneNumber: number.phoneNumber,
        displayName: number.displayName,
        terminationDate: revocation.terminationDate,
        timeZone: revocation.billingTimeZone,
      });
      return { revocation, number, clientEmailed };
    });
  }

  /**
   * The scheduled job: ends billing of every revocation whose termination date has passed,
   * then removes the numbers whose grace period has passed. A missed run catches up (both
   * transitions, in order); several instances share the work; a crash rolls back a batch
   * whole, so the next run does it.
   */
  async runDue(now: Date, options: { batchSize?: number } = {}): Promise<RunDueResult> {
    const batchSize = options.batchSize ?? REVOCATION_BATCH_SIZE;
    const result: RunDueResult = { billingEnded: 0, removed: 0 };
    for (const transition of ['billing_end', 'removal'] as const) {
      for (;;) {
        const { candidates, claimed } = await this.runBatch(transition, now, batchSize);
        if (transition === 'billing_end') result.billingEnded += claimed;
        else result.removed += claimed;
        // Fewer than a batch: nothing more is due (or another instance holds the rest).
        if (candidates < batchSize || claimed === 0) break;
        // Let the requests that arrived meanwhile in before the next batch (SQLite blocks).
        await nextTick();
      }
    }
    if (result.billingEnded || result.removed) {
      this.logger.info({ event: 'revocations.finalized', ...result }, 'revocations finalized');
    }
    return result;
  }

  /**
   * One batch in one transaction: pick due ids (PostgreSQL skips rows another instance holds),
   * claim them with a conditional UPDATE … RETURNING, and write the side effects of exactly
   * the rows this transaction claimed.
   */
  private async runBatch(transition: Transition, now: Date, limit: number): Promise<{ candidates: number; claimed: number }> {
    const postgres = dialectOf(this.config) === 'postgresql';
    return this.em.fork().transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      const at = tx.getPlatform().processDateProperty(now);
      const [due, order, column] =
        transition === 'billing_end'
          ? ['billing_ended_at is null and withdrawn_at is null and billing_ends_at <= ?', 'billing_ends_at', 'billing_ended_at']
          : ['removed_at is null and billing_ended_at is not null and withdrawn_at is null and remove_at <= ?', 'remove_at', 'removed_at'];
      const candidates: { id: string }[] = await conn.execute(
        `select id from revocation where ${due} order by ${order}, id limit ${Number(limit)}${postgres ? ' for update skip locked' : ''}`,
        [at],
        'all',
        ctx,
      );
      if (!candidates.length) return { candidates: 0, claimed: 0 };
      const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
      const claimed: { id: string }[] = await conn.execute(
        `update revocation set ${column} = ?, updated_at = ? where id in (${marks(candidates.length)}) and ${due} returning id`,
        [at, at, ...candidates.map((r) => r.id), at],
        'all',
        ctx,
      );
      const claimedIds = claimed.map((r) => r.id);
      if (!claimedIds.length) return { candidates: candidates.length, claimed: 0 };

      const rows: ClaimedRow[] = await conn.execute(
        `select r.id, r.number_id, r.partner_id, r.termination_date, r.billing_ends_at, r.remove_at, r.billing_time_zone,
                n.phone_number, n.display_name, c.name as client_name, c.contact_email, p.name as partner_name
           from revocation r
           join whatsapp_number n on n.id = r.number_id
           join client c on c.id = n.client_id
           join partner p on p.id = r.partner_id
          where r.id in (${marks(claimedIds.length)})`,
        claimedIds,
        'all',
        ctx,
      );
      const [from, to]: [BillingState, BillingState] =
        transition === 'billing_end' ? ['revocation_requested', 'partner_billing_ended'] : ['partner_billing_ended', 'removed'];
      await conn.execute(
        `update whatsapp_number set billing_state = ?, updated_at = ? where revocation_id in (${marks(claimedIds.length)}) and billing_state = ?`,
        [to, at, ...claimedIds, from],
        'run',
        ctx,
      );
      // The side effects of a whole batch go in with one multi-row INSERT per table.
      const history: NumberStatusChange[] = [];
      const audit: AuditInput[] = [];
      const emails: OutgoingEmail[] = [];
      const action = transition === 'billing_end' ? 'revocation.billing_ended' : 'revocation.number_removed';
      // Revocations requested the same day share their dates: work each out once per batch.
      const removalDates = new Map<string, string>();
      const removalDate = (row: ClaimedRow) => {
        const key = `${new Date(row.remove_at).getTime()}|${row.billing_time_zone}`;
        let date = removalDates.get(key);
        if (date === undefined) removalDates.set(key, (date = localDate(new Date(row.remove_at), row.billing_time_zone)));
        return date;
      };
      for (const row of rows) {
        // The history records when the change took effect by the contract, so a run that
        // catches up keeps the two transitions in order.
        const effective = new Date(transition === 'billing_end' ? row.billing_ends_at : row.remove_at);
        history.push(this.statusChange(tx, row.partner_id, row.number_id, from, to, 'job', now, effective));
        audit.push({
          action,
          partnerId: row.partner_id,
          subjectType: 'number',
          subjectId: row.number_id,
          data: { revocationId: row.id, phoneNumber: row.phone_number, terminationDate: row.termination_date },
        });
        if (transition !== 'billing_end') continue;
        const email = this.clientEmail('revocation_billing_ended', `${row.partner_name} no longer pays for ${row.phone_number}`, {
          partnerId: row.partner_id,
          partnerName: row.partner_name,
          contactEmail: row.contact_email,
          clientName: row.client_name,
          phoneNumber: row.phone_number,
          displayName: row.display_name,
          terminationDate: row.termination_date,
          removalDate: removalDate(row),
          timeZone: row.billing_time_zone,
        });
        if (email) emails.push(email);
      }
      await tx.insertMany(history);
      await this.audit.recordMany(tx, audit, now);
      await this.outbox.enqueueMany(tx, emails, now);
      return { candidates: candidates.length, claimed: claimedIds.length };
    });
  }

  /**
   * Sets a partner's contract terms (operator command). Revocations already requested keep
   * the copy of the terms they were made with.
   */
  async setTerms(partnerIdOrSlug: string, change: Partial<ContractTerms>): Promise<Partner | null> {
    if (change.billingTimeZone !== undefined && !isTimeZone(change.billingTimeZone)) {
      throw new RangeError(`Unknown time zone "${change.billingTimeZone}".`);
    }
    return this.em.fork().transactional(async (tx) => {
      const partner = await tx.findOne(Partner, { $or: [{ id: partnerIdOrSlug }, { slug: partnerIdOrSlug }] });
      if (!partner) return null;
      const before = { ...partner.terms };
      Object.assign(partner.terms, change);
      partner.updatedAt = this.clock.now();
      this.audit.record(tx, {
        action: 'partner.terms_changed',
        partnerId: partner.id,
        subjectType: 'partner',
        subjectId: partner.id,
        data: { before, after: { ...partner.terms } },
      });
      return partner;
    });
  }

  /** A billing change of a number's history, recorded at `now`, effective at `changedAt`. */
  private statusChange(
    em: EntityManager,
    partnerId: string,
    numberId: string,
    from: BillingState,
    to: BillingState,
    source: ChangeSource,
    now: Date,
    changedAt = now,
  ): NumberStatusChange {
    const change = new NumberStatusChange({
      partner: em.getReference(Partner, partnerId),
      number: em.getReference(WhatsappNumber, numberId),
      family: 'billing',
      fromValue: from,
      toValue: to,
      source,
      changedAt,
    });
    change.createdAt = change.updatedAt = now;
    return change;
  }

  /** Queues the email to the client's contact address; a client without one is not emailed. */
  private emailClient(em: EntityManager, template: string, subject: string, p: ClientEmailInput): boolean {
    const email = this.clientEmail(template, subject, p);
    if (email) this.outbox.enqueue(em, email);
    return !!email;
  }

  /** The email to the client's contact address, or null for a client without one (logged). */
  private clientEmail(template: string, subject: string, p: ClientEmailInput): OutgoingEmail | null {
    const { contactEmail, partnerId, ...payload } = p;
    if (!contactEmail) {
      this.logger.warn({ event: 'revocation.no_contact_email', template, partnerId }, 'client has no contact email: not emailed');
      return null;
    }
    // Dates are formatted here: the mail templates need no helpers.
    const dates: Record<string, string> = {};
    for (const key of ['terminationDate', 'removalDate']) {
      if (typeof payload[key] === 'string') dates[`${key}Text`] = longDate(payload[key]);
    }
    return { to: contactEmail, template, subject, partnerId, payload: { ...payload, ...dates, ...this.config.revocationLinks } };
  }
}
