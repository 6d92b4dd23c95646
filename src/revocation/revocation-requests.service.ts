import { EntityManager } from '@mikro-orm/core';
import { Injectable, NotFoundException } from '@nestjs/common';
import { WhatsappNumber } from '../accounts/entities/whatsapp-number.entity';
import { NumberSummaries } from '../accounts/number-summaries.service';
import { actorOf, AuditService, nameWithAddress, type AuditActor } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { localDate } from '../common/dates';
import { UNSAFE_NOTE } from '../common/unsafe-text';
import type { CurrentMember, RequestOrigin } from '../common/http';
import type { ContractTerms } from '../partners/entities/contract-terms.embeddable';
import { Partner } from '../partners/entities/partner.entity';
import { User } from '../auth/entities/user.entity';
import { billingChange } from './billing-change';
import { Revocation } from './entities/revocation.entity';
import { RevocationErrors } from './revocation.errors';
import { RevocationNotices } from './revocation-notices.service';
import { countdown, revocationSchedule, type Countdown, type RevocationSchedule } from './termination-date';
import { compactPhone } from '../accounts';

export const MAX_REASON_LENGTH = 500;

/**
 * A revocation's reason as it is kept: trimmed, empty as none; too long, or holding a control,
 * text-direction or invisible character (a reason that reads otherwise in Activity than it
 * is), it is the form's field error. A dry run checks it as the request would.
 */
export function revocationReason(input: string | undefined): string | null {
  const reason = input?.trim() || null;
  if (reason && reason.length > MAX_REASON_LENGTH) throw RevocationErrors.reasonTooLong();
  if (reason && UNSAFE_NOTE.test(reason)) throw RevocationErrors.reasonUnsafe();
  return reason;
}

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

/** A number of the member's partner, with its client and its open revocation, if any. */
interface NumberWithRevocation {
  number: WhatsappNumber;
  revocation: Revocation | null;
}

/** Who acts: an owner on the pages, or a partner's API key, which is no person. */
export interface RevocationActor {
  partnerId: string;
  /** The person recorded as having requested or withdrawn it; null for an API key. */
  userId: string | null;
  /** Whom Activity names. */
  actor: AuditActor;
}

export interface RevocationChange {
  revocation: Revocation;
  number: WhatsappNumber;
  clientEmailed: boolean;
  /** When it was made (the request's or the withdrawal's time). */
  at: Date;
}

/**
 * An owner requests payment revocation of a number and may withdraw it until the termination
 * date. The number's billing state moves by a conditional update whose affected rows decide
 * who made the change, so a double submit, two owners at once, or a withdrawal racing the job
 * change it exactly once; the history, audit event and email go in the same transaction.
 */
@Injectable()
export class RevocationRequests {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly notices: RevocationNotices,
    private readonly summaries: NumberSummaries,
  ) {}

  /** The request page: what would happen if the owner confirmed now. */
  preview(member: CurrentMember, numberId: string): Promise<RevocationPreview> {
    return this.previewFor(member.partnerId, numberId);
  }

  /**
   * What a request for this number of the partner would do now (the API's dry run), refused
   * as the request would be, with the termination date it expects too (see requestAs).
   */
  async previewFor(partnerId: string, numberId: string, terminationDate?: string): Promise<RevocationPreview> {
    const em = this.em.fork();
    const found = await this.findNumber(em, partnerId, numberId);
    assertRequestable(found);
    const partner = await em.findOneOrFail(Partner, partnerId);
    const schedule = revocationSchedule(this.clock.now(), partner.terms);
    assertTerminationDate(schedule, terminationDate);
    return {
      number: found.number,
      partnerName: partner.name,
      clientName: found.number.client.name,
      contactEmail: found.number.client.contactEmail ?? null,
      terms: partner.terms,
      schedule,
      removalDate: localDate(schedule.removeAt, partner.terms.billingTimeZone),
    };
  }

  /** The withdrawal page: the open revocation of the number, and the days left to withdraw it. */
  async openRevocation(
    member: CurrentMember,
    numberId: string,
  ): Promise<{ number: WhatsappNumber; revocation: Revocation; countdown: Countdown }> {
    const now = this.clock.now();
    const found = await this.findNumber(this.em.fork(), member.partnerId, numberId);
    const revocation = assertWithdrawable(found, now);
    return { number: found.number, revocation, countdown: countdown(revocation.terminationDate, now, revocation.billingTimeZone) };
  }

  /**
   * A number of the partner as it stands now, with its open revocation and the last one
   * withdrawn: what a page says when a request or withdrawal changed nothing.
   */
  async standing(
    partnerId: string,
    numberId: string,
  ): Promise<{ number: WhatsappNumber; open: Revocation | null; lastWithdrawn: Revocation | null }> {
    const em = this.em.fork();
    const { number, revocation } = await this.findNumber(em, partnerId, numberId);
    const lastWithdrawn = await em.findOne(
      Revocation,
      { number: number.id, partner: partnerId, withdrawnAt: { $ne: null } },
      { orderBy: { withdrawnAt: 'desc' } },
    );
    return { number, open: revocation, lastWithdrawn };
  }

  /** The open (not withdrawn) revocation of a number of the partner, or null. */
  openFor(partnerId: string, numberId: string): Promise<Revocation | null> {
    return this.em.fork().findOne(Revocation, { number: numberId, partner: partnerId, withdrawnAt: null });
  }

  /**
   * Requests revocation: only of a number the partner still pays for, confirmed by typing its
   * phone number. The number is claimed first, so the loser of a race changes nothing.
   */
  request(
    member: CurrentMember,
    numberId: string,
    input: { confirmation: string; reason?: string },
    origin: RequestOrigin | null = null,
  ): Promise<RevocationChange> {
    return this.requestAs(actorOfMember(member), numberId, input, origin);
  }

  /**
   * The request of an owner or of an API key. A `confirmation` (the page's typed phone number)
   * must match the number; a `terminationDate` (the API's, from a dry run) must be the date the
   * contract gives now, or nothing is done: the caller confirmed other terms.
   */
  async requestAs(
    by: RevocationActor,
    numberId: string,
    input: { confirmation?: string; reason?: string; terminationDate?: string },
    origin: RequestOrigin | null = null,
  ): Promise<RevocationChange> {
    const now = this.clock.now();
    return this.em.fork().transactional(async (tx) => {
      const found = await this.findNumber(tx, by.partnerId, numberId);
      assertRequestable(found);
      const { number } = found;
      if (input.confirmation !== undefined && !confirms(input.confirmation, number.phoneNumber)) {
        throw RevocationErrors.wrongConfirmation();
      }
      const reason = revocationReason(input.reason);

      const partner = await tx.findOneOrFail(Partner, by.partnerId);
      const terms = partner.terms;
      const schedule = revocationSchedule(now, terms);
      assertTerminationDate(schedule, input.terminationDate);
      const claimed = await tx.nativeUpdate(
        WhatsappNumber,
        { id: number.id, partner: by.partnerId, billingState: 'partner_paid' },
        { billingState: 'revocation_requested', updatedAt: now },
      );
      // Someone else got there first: nothing was written.
      if (claimed !== 1)
        throw RevocationErrors.alreadyRequested({ terminationDate: schedule.terminationDate, billingTimeZone: terms.billingTimeZone });

      const revocation = new Revocation({
        partner,
        number,
        requestedBy: by.userId ? tx.getReference(User, by.userId) : null,
        requestedByLabel: nameWithAddress(by.actor),
        requestedAt: now,
        reason,
        ...schedule,
        // The terms in force now: a later change applies to later requests only.
        noticeDays: terms.noticeDays,
        alignment: terms.alignment,
        removalGraceDays: terms.removalGraceDays,
        billingTimeZone: terms.billingTimeZone,
      });
      tx.persist([revocation, billingChange(tx, by.partnerId, number.id, 'partner_paid', 'revocation_requested', 'revocation', now)]);
      this.audit.record(tx, {
        action: 'revocation.requested',
        partnerId: by.partnerId,
        actor: by.actor,
        subjectType: 'number',
        subjectId: number.id,
        data: {
          revocationId: revocation.id,
          phoneNumber: number.phoneNumber,
          clientName: number.clientName,
          terminationDate: schedule.terminationDate,
          billingEndsAt: schedule.billingEndsAt.toISOString(),
          removeAt: schedule.removeAt.toISOString(),
          reason,
        },
        origin,
      });
      const clientEmailed = this.notices.requested(tx, {
        ...noticeSubject(partner, number),
        terminationDate: schedule.terminationDate,
        removalDate: localDate(schedule.removeAt, terms.billingTimeZone),
        timeZone: terms.billingTimeZone,
      });
      // The billing state changed: filtered counts of the list are due again.
      await this.summaries.markChanged(tx, [by.partnerId]);
      return { revocation, number, clientEmailed, at: now };
    });
  }

  /**
   * Withdraws the open request until the termination date ends. The mirror condition of the
   * job's (not withdrawn, billing not ended) makes exactly one of the two win.
   */
  withdraw(member: CurrentMember, numberId: string, origin: RequestOrigin | null = null): Promise<RevocationChange> {
    return this.withdrawAs(actorOfMember(member), numberId, origin);
  }

  /** The withdrawal of an owner or of an API key. */
  async withdrawAs(by: RevocationActor, numberId: string, origin: RequestOrigin | null = null): Promise<RevocationChange> {
    const now = this.clock.now();
    return this.em.fork().transactional(async (tx) => {
      const found = await this.findNumber(tx, by.partnerId, numberId);
      const revocation = assertWithdrawable(found, now);
      const { number } = found;
      const claimed = await tx.nativeUpdate(
        Revocation,
        { id: revocation.id, withdrawnAt: null, billingEndedAt: null, billingEndsAt: { $gt: now } },
        { withdrawnAt: now, withdrawnBy: by.userId, updatedAt: now },
      );
      if (claimed !== 1) throw RevocationErrors.tooLateToWithdraw(revocation);
      await tx.nativeUpdate(
        WhatsappNumber,
        { id: number.id, billingState: 'revocation_requested' },
        { billingState: 'partner_paid', updatedAt: now },
      );
      tx.persist(billingChange(tx, by.partnerId, number.id, 'revocation_requested', 'partner_paid', 'revocation', now));
      this.audit.record(tx, {
        action: 'revocation.withdrawn',
        partnerId: by.partnerId,
        actor: by.actor,
        subjectType: 'number',
        subjectId: number.id,
        data: {
          revocationId: revocation.id,
          phoneNumber: number.phoneNumber,
          clientName: number.clientName,
          terminationDate: revocation.terminationDate,
        },
        origin,
      });
      const partner = await tx.findOneOrFail(Partner, by.partnerId);
      const clientEmailed = this.notices.withdrawn(tx, {
        ...noticeSubject(partner, number),
        terminationDate: revocation.terminationDate,
        timeZone: revocation.billingTimeZone,
      });
      await this.summaries.markChanged(tx, [by.partnerId]);
      return { revocation, number, clientEmailed, at: now };
    });
  }

  /** The number of the partner, with its client and open revocation; 404 otherwise. */
  private async findNumber(em: EntityManager, partnerId: string, numberId: string): Promise<NumberWithRevocation> {
    const number = await em.findOne(WhatsappNumber, { id: numberId, partner: partnerId }, { populate: ['client'] });
    if (!number) throw new NotFoundException();
    // A number the partner pays for has none open (a withdrawal reopens payment).
    const revocation =
      number.billingState === 'partner_paid' ? null : await em.findOne(Revocation, { number: number.id, withdrawnAt: null });
    return { number, revocation };
  }
}

function assertRequestable({ number, revocation }: NumberWithRevocation): void {
  switch (number.billingState) {
    case 'partner_paid':
      return;
    case 'revocation_requested':
      throw RevocationErrors.alreadyRequested(revocation);
    case 'partner_billing_ended':
      throw RevocationErrors.billingEnded();
    case 'removed':
      throw RevocationErrors.removed();
  }
}

function assertWithdrawable({ number, revocation }: NumberWithRevocation, now: Date): Revocation {
  if (number.billingState === 'removed') throw RevocationErrors.removed();
  if (number.billingState === 'partner_billing_ended') throw RevocationErrors.billingEnded();
  if (number.billingState !== 'revocation_requested' || !revocation) throw RevocationErrors.notRequested();
  if (revocation.billingEndsAt.getTime() <= now.getTime()) throw RevocationErrors.tooLateToWithdraw(revocation);
  return revocation;
}

/** A request that expects another termination date than the contract gives now is refused: the caller confirmed other terms. */
function assertTerminationDate(schedule: RevocationSchedule, expected: string | undefined): void {
  if (expected !== undefined && expected !== schedule.terminationDate) {
    throw RevocationErrors.terminationDateMoved(schedule.terminationDate, expected);
  }
}

function actorOfMember(member: CurrentMember): RevocationActor {
  return { partnerId: member.partnerId, userId: member.userId, actor: actorOf(member) };
}

function noticeSubject(partner: Partner, number: WhatsappNumber) {
  return {
    partnerId: partner.id,
    partnerName: partner.name,
    contactEmail: number.client.contactEmail,
    clientName: number.client.name,
    phoneNumber: number.phoneNumber,
    displayName: number.displayName,
  };
}

/**
 * Whether the phone typed to confirm is the number's: its digits, with or without the leading
 * + (or 00), spaces, dashes, dots and brackets as the person likes.
 */
function confirms(typed: string, e164: string): boolean {
  return compactPhone(typed).replace(/^(\+|00)/, '') === e164.slice(1);
}
