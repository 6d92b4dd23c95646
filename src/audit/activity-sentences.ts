import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { longDate } from '../common/dates';
import { formatCount } from '../common/view-helpers';

/**
 * One event of the audit trail as a sentence an owner reads: "Olive Owner requested payment
 * revocation for +49 1500 000020 (Rev Client 008 SE), terminating 31 December 2026".
 *
 * Everything comes from the event itself: what was recorded when it happened (names, phone,
 * client, dates). The audit trail is core and may not ask a feature for today's names; and a
 * trail that re-read them would rewrite history when a client is renamed or a person leaves.
 * A field an older event lacks leaves its words out, never "undefined".
 */

/** A piece of a sentence: text, linked when it names a person or a number. Escaped by the view. */
export interface SentencePart {
  text: string;
  href?: string;
}

/** What a sentence reads of an event (the entity's fields, without the ORM). */
export interface LoggedEvent {
  action: string;
  actorId?: string | null;
  actorLabel: string;
  subjectType?: string | null;
  subjectId?: string | null;
  data?: Record<string, unknown> | null;
  ip?: string | null;
}

type Data = Record<string, unknown>;

/** People link to the team page, where owners act on them. */
const TEAM_PAGE = '/users';
/** Where an API key that acted is listed (the Partner API names its keys `API key “name”`). */
const KEYS_PAGE = '/settings/api-keys';
const KEY_ACTOR = /^API key “/;

const SENTENCES: Record<string, (e: LoggedEvent, d: Data) => SentencePart[]> = {
  'auth.signed_in': (e) => [actor(e), t(' signed in'), ...fromIp(e)],
  'auth.signed_out': (e) => [actor(e), t(' signed out')],
  'auth.password_changed': (e) => [actor(e), t(' changed their password')],
  'auth.password_reset': (e) => [actor(e), t(' reset their password with a link sent by email')],
  'auth.time_zone_changed': (e, d) => [actor(e), t(` now reads times in ${zone(d.to)} (was ${zone(d.from)})`)],
  'auth.sign_in_failed': (e, d) => [t('Someone tried to sign in as '), person(d), t(' with a wrong password'), ...fromIp(e)],
  'auth.sign_in_locked': (e, d) => [
    t('Signing in as '),
    person(d),
    // Pauses recorded before browsers were known paused every browser.
    t(d.newBrowsersOnly === true ? ' from new browsers' : ''),
    t(typeof d.minutes === 'number' ? ` was paused for ${d.minutes} minutes` : ' was paused'),
    t(' after repeated wrong passwords'),
    ...fromIp(e),
  ],
  'partner.created': (_e, d) => [t(`Your provider set up ${str(d, 'name') ?? 'this partner'} on Partner Hub`)],
  'partner.terms_changed': (_e, d) => [t(termsSentence(d))],
  'team.invited': (e, d) => [actor(e, 'Your provider'), t(' invited '), person(d), t(asRole(d.role))],
  'team.invitation_resent': (e, d) => [actor(e), t(' sent '), person(d), t(' a new invitation')],
  'team.invitation_revoked': (e, d) => [actor(e), t(' withdrew the invitation of '), person(d)],
  'team.joined': (e, d) => [actor(e), t(' joined the team'), t(asRole(d.role))],
  'team.role_changed': (e, d) =>
    role(d.to)
      ? [actor(e), t(' made '), person(d), t(` ${role(d.to)}`), t(role(d.from) ? ` (was ${role(d.from)})` : '')]
      : [actor(e), t(' changed the role of '), person(d)],
  'team.removed': (e, d) => [actor(e), t(' removed '), person(d), t(' from the team')],
  'api_key.created': (e, d) => [
    actor(e),
    t(` created the API key${apiKey(d)}`),
    t(d.scope === 'read_write' ? ' to read and change' : d.scope === 'read' ? ' to read' : ''),
  ],
  'api_key.revoked': (e, d) => [actor(e), t(` revoked the API key${apiKey(d)}`)],
  'api_key.first_used': (e, d) => [t(`The API key${apiKey(d)} was used for the first time`), ...fromIp(e)],
  'accounts.exported': (e, d) => [actor(e), t(` downloaded ${exportSentence(d)}`)],
  'revocation.requested': (e, d) => [actor(e), t(' requested payment revocation for '), ...numberOf(e, d), t(onDate(d, ', terminating '))],
  'revocation.withdrawn': (e, d) => [
    actor(e),
    t(' withdrew the payment revocation for '),
    ...numberOf(e, d),
    t(onDate(d, ', which was to terminate on ')),
  ],
  'revocation.billing_ended': (e, d) => [t('Billing for '), ...numberOf(e, d), t(' ended'), t(onDate(d, ' after '))],
  'revocation.number_removed': (e, d) => [...numberOf(e, d), t(' was removed from the hub after its payment revocation')],
};

/** The sentence of an event; an action with no sentence yet names itself after its actor. */
export function sentenceOf(e: LoggedEvent): SentencePart[] {
  const build = SENTENCES[e.action];
  const parts = build ? build(e, e.data ?? {}) : [actor(e), t(`: ${e.action}`)];
  return parts.filter((p) => p.text !== '');
}

/** The actor's name as recorded ("Name <email>"): a label without the address keeps its text. */
export function actorName(label: string): string {
  const m = /^(.*) <[^<>]*>$/.exec(label);
  return m?.[1] || label;
}

function t(text: string): SentencePart {
  return { text };
}

function str(d: Data, key: string): string | undefined {
  const v = d[key];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** Whoever acted: a person links to the team, an API key to the keys; the system or the operator is named as such. */
function actor(e: LoggedEvent, nobody = 'Partner Hub'): SentencePart {
  if (e.actorId) return { text: actorName(e.actorLabel), href: KEY_ACTOR.test(e.actorLabel) ? KEYS_PAGE : TEAM_PAGE };
  return { text: e.actorLabel === 'System' ? nobody : e.actorLabel };
}

/** The person an event is about, by the name recorded, else the address. */
function person(d: Data): SentencePart {
  const name = str(d, 'name') ?? str(d, 'email');
  return name ? { text: name, href: TEAM_PAGE } : { text: 'someone' };
}

function role(value: unknown): string | undefined {
  if (value === 'owner') return 'an owner';
  if (value === 'member') return 'a member';
  return undefined;
}

function asRole(value: unknown): string {
  const r = role(value);
  return r ? ` as ${r}` : '';
}

function fromIp(e: LoggedEvent): SentencePart[] {
  return e.ip ? [t(` from ${e.ip}`)] : [];
}

/** A time zone as chosen in Profile: none chosen is the partner's. */
function zone(value: unknown): string {
  return typeof value === 'string' && value ? value : 'the partner’s billing time zone';
}

/** ' “Deploy bot” (phk_live_ab12…)': the name given, and the prefix that tells keys apart. */
function apiKey(d: Data): string {
  const name = str(d, 'name');
  const prefix = str(d, 'prefix');
  return [name && ` “${name}”`, prefix && ` (${prefix}…)`].filter(Boolean).join('');
}

/** The number, formatted and linked to its page, and the client it belonged to when recorded. */
function numberOf(e: LoggedEvent, d: Data): SentencePart[] {
  const e164 = str(d, 'phoneNumber');
  const text = e164 ? (parsePhoneNumberFromString(e164)?.formatInternational() ?? e164) : 'a number';
  const href = e.subjectType === 'number' && e.subjectId ? `/accounts/${e.subjectId}` : undefined;
  const client = str(d, 'clientName');
  return [{ text, href }, t(client ? ` (${client})` : '')];
}

/** A recorded calendar date (the contract's termination date) in words, after a lead-in. */
function onDate(d: Data, lead: string): string {
  const date = str(d, 'terminationDate');
  return date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${lead}${longDate(date)}` : '';
}

/** "120 numbers matching “acme” that need attention, as a CSV file (stopped before the end)". */
function exportSentence(d: Data): string {
  const rows = typeof d.rows === 'number' ? d.rows : undefined;
  const what = rows === undefined ? 'the list of numbers' : `${formatCount(rows)} ${rows === 1 ? 'number' : 'numbers'}`;
  const f = d.filters && typeof d.filters === 'object' ? (d.filters as Data) : {};
  const narrowed = [
    str(f, 'q') && `matching “${str(f, 'q')}”`,
    str(f, 'client') && 'of one client',
    str(f, 'provider_ids') && 'looked up by provider id',
    Object.keys(f).some((k) => !['q', 'client', 'provider_ids', 'attention', 'sort'].includes(k)) && 'with a status filter',
    f.attention === true && 'that need attention',
  ].filter(Boolean);
  const format = d.format === 'xlsx' ? 'an Excel file' : 'a CSV file';
  const stopped = d.completed === false ? ' (stopped before the end)' : '';
  return `${what}${narrowed.length ? ` ${narrowed.join(', ')}` : ''} as ${format}${stopped}`;
}

/** "Your provider changed the contract terms: notice period from 30 to 60 days". */
function termsSentence(d: Data): string {
  const before = (d.before && typeof d.before === 'object' ? d.before : {}) as Data;
  const after = (d.after && typeof d.after === 'object' ? d.after : {}) as Data;
  const changes: string[] = [];
  const changed = (key: string) => before[key] !== undefined && after[key] !== undefined && before[key] !== after[key];
  if (changed('noticeDays')) changes.push(`notice period from ${before.noticeDays} to ${after.noticeDays} days`);
  if (changed('alignment'))
    changes.push(after.alignment === 'end_of_month' ? 'billing now ends at the end of a month' : 'billing now ends when the notice does');
  if (changed('removalGraceDays'))
    changes.push(`numbers now leave the hub ${after.removalGraceDays} days after billing ends (was ${before.removalGraceDays})`);
  if (changed('billingTimeZone')) changes.push(`billing time zone from ${before.billingTimeZone} to ${after.billingTimeZone}`);
  return `Your provider changed the contract terms${changes.length ? `: ${changes.join('; ')}` : ''}`;
}
