import { Injectable } from '@nestjs/common';
import type { CurrentMember } from '../common/http';
import type { BillingState } from '../statuses';

/** What another module is told about a number: enough to decide whether it has something to add. */
export interface NumberRef {
  id: string;
  billingState: BillingState;
}

/** One line under a number's badges, on its card and at the top of its details page. */
export interface NumberNote {
  /** The class of the <p>, for the page's CSS. */
  className: string;
  text: string;
  /** The note where space is short (the table's cell, beside the status badge); `text` when none. */
  short?: string;
}

/** A section at the end of a number's details page: a partial and its locals. */
export interface NumberSection {
  /** A registered hbs partial, e.g. "revocation/_danger_zone". */
  partial: string;
  locals: Record<string, unknown>;
}

/** One line of what explains a removal: a text, or an instant shown as a UTC date-time. */
export interface RemovalFact {
  label: string;
  text?: string;
  at?: Date;
  /** The time zone `at` is shown in, when it is not the reader's (a contract's billing instant). */
  zone?: string;
}

/** Why a partner's number left the hub, told by the module that removed it. */
export interface NumberRemoval {
  removedAt: Date;
  /** Ends the sentence "It was removed from the hub because …", e.g. "your partner revoked its payment". */
  because: string;
  facts: RemovalFact[];
}

/**
 * What a module adds to the WhatsApp Accounts pages without accounts knowing the module.
 * `notes` is asked once per page for all its numbers, so it costs one query per page.
 * `removal` is asked about a number of the partner that was removed from the hub: the module
 * that removed it says when and why.
 */
export interface NumberExtension {
  notes?(partnerId: string, numbers: readonly NumberRef[], now: Date): Promise<Map<string, NumberNote[]>>;
  section?(member: CurrentMember, number: NumberRef, now: Date): Promise<NumberSection | null>;
  removal?(partnerId: string, numberId: string): Promise<NumberRemoval | null>;
  /** A line above the list's results for this person (exports: how many rows they may still download), or null. */
  listNotice?(member: CurrentMember): Promise<string | null>;
}

/**
 * The extension point of the accounts pages: other modules register what they add (at module
 * init); the accounts controller asks all of them, in the order they registered.
 */
@Injectable()
export class NumberExtensions {
  private readonly extensions: NumberExtension[] = [];

  register(extension: NumberExtension): void {
    this.extensions.push(extension);
  }

  /** Every module's notes per number id; numbers without any are left out. */
  async notes(partnerId: string, numbers: readonly NumberRef[], now: Date): Promise<Map<string, NumberNote[]>> {
    const all = new Map<string, NumberNote[]>();
    if (!numbers.length) return all;
    const each = await Promise.all(this.extensions.map((e) => e.notes?.(partnerId, numbers, now)));
    for (const notes of each) {
      for (const [id, lines] of notes ?? []) all.set(id, [...(all.get(id) ?? []), ...lines]);
    }
    return all;
  }

  async sections(member: CurrentMember, number: NumberRef, now: Date): Promise<NumberSection[]> {
    const sections = await Promise.all(this.extensions.map((e) => e.section?.(member, number, now) ?? null));
    return sections.filter((s): s is NumberSection => !!s);
  }

  /** Every module's line above the list's results for this person, in registration order. */
  async listNotices(member: CurrentMember): Promise<string[]> {
    const notices = await Promise.all(this.extensions.map((e) => e.listNotice?.(member) ?? null));
    return notices.filter((n): n is string => !!n);
  }

  /** Why a removed number of the partner left the hub: the first module, in registration order, that knows. */
  async removal(partnerId: string, numberId: string): Promise<NumberRemoval | null> {
    const removals = await Promise.all(this.extensions.map((e) => e.removal?.(partnerId, numberId) ?? null));
    return removals.find((r) => !!r) ?? null;
  }
}
