import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { NumberExtensions, type NumberRemoval } from './number-extensions.service';
import { searchTerm } from './search-text';
import { nationalNumber, phoneView, type PhoneView } from './phone';
import { readRemovedNumber, removedNumberCandidates, type RemovedNumberRow } from './removed-number.query';

/** A removed number a search named: its phone, when it left, and its page (410) that says why. */
export interface RemovedMatch {
  phone: PhoneView;
  removedAt: Date | null;
  href: string;
}

/** How many removed numbers a search that found nothing names at most. */
const MAX_MATCHES = 5;
/** Fewer digits than this are part of many numbers: a search names a removed number by its full phone only. */
const MIN_PHONE_DIGITS = 6;

/** The locals of the page of a removed number (views/accounts/removed.hbs). */
export interface RemovedNumberPage {
  title: string;
  number: RemovedNumberRow;
  phone: PhoneView;
  /** When it left the hub, as the module that removed it says, else as its history says; null when neither knows. */
  removedAt: Date | null;
  /** Why, when a module explains it. */
  removal: NumberRemoval | null;
}

/**
 * Numbers a partner had in the hub and that were removed: their own partner learns when and
 * why (410); to anyone else they stay unknown.
 */
@Injectable()
export class RemovedNumbers {
  constructor(
    private readonly sql: Sql,
    private readonly extensions: NumberExtensions,
  ) {}

  /** The page of this partner's removed number, or null when the partner never had it or it is still in the hub. */
  async page(partnerId: string, id: string): Promise<RemovedNumberPage | null> {
    const number = await readRemovedNumber(this.sql, partnerId, id);
    if (!number) return null;
    const removal = await this.extensions.removal(partnerId, number.id);
    const phone = phoneView(number.phoneNumber);
    return { title: `${phone.formatted} was removed`, number, phone, removedAt: removal?.removedAt ?? number.removedAt, removal };
  }

  /**
   * This partner's removed numbers that a search names exactly, as WhatsApp Accounts does to go
   * straight to a number: the full phone in any format (international or national), or one of
   * its ids (on a client's page, that client's only). For a search that found nothing in the hub,
   * so that the page can say where it went.
   */
  async named(partnerId: string, q: string, clientId?: string): Promise<RemovedMatch[]> {
    const term = searchTerm(q);
    const digits = /^\d+$/.test(term) && term.length >= MIN_PHONE_DIGITS ? term : undefined;
    const id = q.trim().toLowerCase();
    const candidates = await removedNumberCandidates(this.sql, partnerId, { digits, id, clientId }, MAX_MATCHES * 4);
    const named = candidates.filter(
      (c) => c.ids.includes(id) || (!!digits && (c.phoneNumber.slice(1) === digits || nationalNumber(c.phoneNumber) === digits)),
    );
    const pages = await Promise.all(named.slice(0, MAX_MATCHES).map((c) => this.page(partnerId, c.id)));
    return pages
      .filter((p): p is RemovedNumberPage => p !== null)
      .map((p) => ({ phone: p.phone, removedAt: p.removedAt, href: `/accounts/${p.number.id}` }));
  }
}
