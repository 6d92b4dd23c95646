import { FAMILIES, statusAnchor, statusDef, type Colour, type FamilyKey } from '../statuses';
import { STUCK_AFTER_DAYS } from './number-filter';
import { ATTENTION_FAMILIES } from './number-sql';
import type { CardRow } from './number-row';

/**
 * A status as the templates show it, so that templates only print: every status comes with
 * its label, colour, meaning and next step from the one catalogue.
 */
export interface StatusView {
  family: FamilyKey;
  familyName: string;
  /** The family's short name, written on the badge: "WABA", "Verification". */
  familyShort: string;
  value: string;
  label: string;
  colour: Colour;
  meaning: string;
  next: string;
  /** Where the badge links on the Account statuses page, and its tooltip. */
  anchor: string;
  title: string;
}

export function familyValue(n: CardRow, family: FamilyKey): string {
  switch (family) {
    case 'lifecycle':
      return n.status;
    case 'waba':
      return n.waba.status;
    case 'verification':
      return n.waba.businessVerificationStatus;
    case 'onBehalf':
      return n.waba.messageOnBehalfStatus;
    case 'registration':
      return n.registrationStatus;
    case 'consent':
      return n.client.consentStatus;
    case 'billing':
      return n.billingState;
    case 'quality':
      return n.qualityRating;
    case 'tier':
      return n.messagingTier;
  }
}

// The catalogue is constant: each status's view is built once and shared by every card.
const statusViews = new Map<string, StatusView>();

export function statusView(family: FamilyKey, value: string): StatusView {
  const key = `${family}:${value}`;
  let view = statusViews.get(key);
  if (!view) {
    const def = statusDef(family, value);
    const familyName = FAMILIES[family].label;
    const meaning = def?.meaning ?? '';
    view = {
      family,
      familyName,
      familyShort: FAMILIES[family].short,
      value,
      label: def?.label ?? value,
      colour: def?.colour ?? 'grey',
      meaning,
      next: def?.next ?? '',
      anchor: statusAnchor(family, value),
      title: `${familyName}: ${meaning}`,
    };
    // Unknown values (none pass the import) are not cached, so the map stays bounded.
    if (def) statusViews.set(key, view);
  }
  return view;
}

/**
 * The views of one number's statuses in the given families: the same array for every number
 * with the same values, which lets the card template render each set once (`memo` helper).
 * Bounded: past MAX_STATUS_SETS distinct sets the map starts again.
 */
const statusSets = new Map<string, readonly StatusView[]>();
const MAX_STATUS_SETS = 5_000;

export function statusSet(families: readonly FamilyKey[], n: CardRow): readonly StatusView[] {
  const values = families.map((family) => familyValue(n, family));
  const key = `${families.join(',')}=${values.join('|')}`;
  let set = statusSets.get(key);
  if (!set) {
    set = Object.freeze(families.map((family, i) => statusView(family, values[i])));
    if (statusSets.size >= MAX_STATUS_SETS) statusSets.clear();
    statusSets.set(key, set);
  }
  return set;
}

/** A reason a number needs attention: the family at fault, by its full and its short name. */
export interface AttentionReason {
  label: string;
  short: string;
}

const FAMILY_REASONS = new Map(ATTENTION_FAMILIES.map((f) => [f, { label: FAMILIES[f].label, short: FAMILIES[f].short }]));
const STUCK_REASON: AttentionReason = {
  label: `${FAMILIES.lifecycle.label} pending over ${STUCK_AFTER_DAYS} days`,
  short: `${FAMILIES.lifecycle.short} pending over ${STUCK_AFTER_DAYS} days`,
};

/** Whether the number has waited in a pending lifecycle status for more than STUCK_AFTER_DAYS. */
export function pendingTooLong(n: Pick<CardRow, 'status' | 'statusChangedAt'>, now: Date): boolean {
  const stuck = now.getTime() - n.statusChangedAt.getTime() > STUCK_AFTER_DAYS * 86_400_000;
  return stuck && !!statusDef('lifecycle', n.status)?.pending;
}

/** Why a number shows up under "needs attention" (the same rule as attentionWhere); empty when it does not. */
export function attentionFaults(n: CardRow, now: Date): AttentionReason[] {
  const reasons: AttentionReason[] = [];
  for (const f of ATTENTION_FAMILIES) if (statusDef(f, familyValue(n, f))?.attention) reasons.push(FAMILY_REASONS.get(f)!);
  if (pendingTooLong(n, now)) reasons.push(STUCK_REASON);
  return reasons;
}

/** The families at fault by their full or short name ("WABA account" or "WABA"). */
export function attentionReasons(n: CardRow, now: Date, name: 'label' | 'short' = 'label'): string[] {
  return attentionFaults(n, now).map((r) => r[name]);
}
