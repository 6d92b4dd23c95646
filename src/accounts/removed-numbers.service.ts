import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { NumberExtensions, type NumberRemoval } from './number-extensions.service';
import { phoneView, type PhoneView } from './phone';
import { readRemovedNumber, type RemovedNumberRow } from './removed-number.query';

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
}
