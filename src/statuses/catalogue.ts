/**
 * The one catalogue of status vocabulary. Badges, filters, the CSV, the import validator and
 * the Account statuses page all read it, so they never drift. Values are spelled as the
 * provider's Partner API spells them.
 */
export type Colour = 'green' | 'blue' | 'amber' | 'red' | 'grey';

export interface StatusDef {
  value: string;
  label: string;
  colour: Colour;
  meaning: string;
  next: string;
  /** A number in this status needs attention (the list's filter, its counts, the table's cell). */
  attention?: boolean;
  /**
   * A waiting state. In the number status family, a number waiting in one longer than
   * STUCK_AFTER_DAYS needs attention; the other families keep no time of their last change.
   */
  pending?: boolean;
}

export interface FamilyDef {
  key: FamilyKey;
  label: string;
  /** The name on a badge and in a table header, where space is short: "WABA", "Verification". */
  short: string;
  description: string;
  statuses: readonly StatusDef[];
}

const s = (value: string, label: string, colour: Colour, meaning: string, next: string, extra: Partial<StatusDef> = {}): StatusDef => ({
  value,
  label,
  colour,
  meaning,
  next,
  ...extra,
});

export const FAMILIES = {
  lifecycle: {
    key: 'lifecycle',
    label: 'Number status',
    short: 'Status',
    description: 'Where the number is in its setup and operation on the WhatsApp Business API.',
    statuses: [
      s(
        'created',
        'Created',
        'grey',
        'The number was added but its setup has not been submitted yet.',
        'Ask the client to finish the embedded signup.',
        { pending: true },
      ),
      s(
        'submitted',
        'Submitted',
        'blue',
        'The setup was submitted and is being processed by the provider and Meta.',
        'Nothing to do: processing usually takes minutes to a few hours.',
        { pending: true },
      ),
      s('ready', 'Ready', 'blue', 'The number is set up and ready to be started.', 'Start the number or ask the provider to start it.', {
        pending: true,
      }),
      s('running', 'Running', 'green', 'The number is active and can send and receive messages.', 'Nothing to do.'),
      s('live', 'Live', 'green', 'The number is in production use with an approved business.', 'Nothing to do.'),
      s(
        'error',
        'Error',
        'red',
        'The setup or operation failed.',
        'Open the details, check the other statuses and contact provider support.',
        { attention: true },
      ),
      s(
        'suspended',
        'Suspended',
        'red',
        'The number was suspended and cannot send messages.',
        'Check the WABA account status and quality rating; contact provider support.',
        { attention: true },
      ),
      s(
        'inactive',
        'Inactive',
        'grey',
        'The number was stopped and does not send or receive messages.',
        'Restart it through the provider if the client still needs it.',
      ),
    ],
  },
  waba: {
    key: 'waba',
    label: 'WABA account',
    short: 'WABA',
    description: 'The state of the WhatsApp Business Account the number belongs to.',
    statuses: [
      s('created', 'Created', 'grey', 'The WhatsApp Business Account was created.', 'Wait for the client to grant consent.', {
        pending: true,
      }),
      s(
        'consents_pending',
        'Consents pending',
        'amber',
        'The client has not yet granted the consents the provider needs.',
        'Ask the client to grant consent in the signup flow.',
        { pending: true },
      ),
      s(
        'unverified',
        'Unverified',
        'amber',
        'The account works with limits until the business is verified by Meta.',
        'Ask the client to complete Meta business verification.',
        { pending: true },
      ),
      s('approved', 'Approved', 'green', 'The account is approved and fully usable.', 'Nothing to do.'),
      s(
        'account_violation',
        'Account violation',
        'red',
        'Meta found a policy violation on the account.',
        'Ask the client to review the violation in Meta Business Manager and appeal if wrong.',
        { attention: true },
      ),
      s(
        'account_restriction',
        'Account restricted',
        'red',
        'Meta restricted what the account may send.',
        'Ask the client to review the restriction in Meta Business Manager.',
        { attention: true },
      ),
      s(
        'account_banned',
        'Account banned',
        'red',
        'Meta banned the account; its numbers cannot send messages.',
        'The client can appeal in Meta Business Manager; contact provider support.',
        { attention: true },
      ),
      s(
        'bsp_removed',
        'Removed from provider',
        'red',
        'The account was removed from the provider (the BSP).',
        'Contact provider support if this was not intended.',
        { attention: true },
      ),
    ],
  },
  verification: {
    key: 'verification',
    label: 'Facebook business verification',
    short: 'Verification',
    description: "Meta's verification of the client's business.",
    statuses: [
      s('verified', 'Verified', 'green', 'Meta verified the business.', 'Nothing to do.'),
      s(
        'not_verified',
        'Not verified',
        'amber',
        'The business has not been verified by Meta.',
        'Ask the client to start business verification in Meta Business Manager.',
      ),
      s(
        'pending_submission',
        'Pending submission',
        'amber',
        'Verification was started but the documents are not submitted yet.',
        'Ask the client to submit the verification documents.',
        { pending: true },
      ),
      s('pending', 'Pending', 'blue', 'Meta is reviewing the verification.', 'Nothing to do: Meta usually answers within days.', {
        pending: true,
      }),
      s(
        'pending_need_more_info',
        'More information needed',
        'amber',
        'Meta needs more information to verify the business.',
        'Ask the client to answer Meta in Business Manager.',
        { pending: true },
      ),
      s('rejected', 'Rejected', 'red', 'Meta rejected the verification.', 'Ask the client to review the reasons and resubmit.', {
        attention: true,
      }),
      s('failed', 'Failed', 'red', 'The verification could not be completed.', 'Ask the client to start verification again.', {
        attention: true,
      }),
    ],
  },
  onBehalf: {
    key: 'onBehalf',
    label: 'Message on behalf',
    short: 'On behalf',
    description: 'Whether the client approved messages being sent on behalf of its business.',
    statuses: [
      s(
        'unset',
        'Not requested',
        'grey',
        'No message-on-behalf request exists.',
        'Request it if the number sends on behalf of the client.',
      ),
      s(
        'submitted',
        'Submitted',
        'blue',
        'The request was sent to the client for approval.',
        'Ask the client to approve the request in Meta Business Manager.',
        { pending: true },
      ),
      s('approved', 'Approved', 'green', 'The client approved messaging on its behalf.', 'Nothing to do.'),
      s('rejected', 'Rejected', 'red', 'The client rejected the request.', 'Talk to the client and send a new request.', {
        attention: true,
      }),
      s('denied', 'Denied', 'red', 'Meta denied the request.', 'Contact provider support.', { attention: true }),
    ],
  },
  registration: {
    key: 'registration',
    label: 'Number registration',
    short: 'Registration',
    description: 'Whether the phone number is registered on the WhatsApp Business API.',
    statuses: [
      s(
        'not_registered',
        'Not registered',
        'grey',
        'The phone number is not registered yet.',
        'Ask the client to verify the number by SMS or voice call.',
        { pending: true },
      ),
      s('pending', 'Pending', 'blue', 'Registration is in progress.', 'Nothing to do: it usually completes within minutes.', {
        pending: true,
      }),
      s('registered', 'Registered', 'green', 'The phone number is registered.', 'Nothing to do.'),
      s(
        'failed',
        'Failed',
        'red',
        'Registration failed.',
        'Check the registration method (SMS or voice, IVR) and ask the client to try again.',
        { attention: true },
      ),
    ],
  },
  consent: {
    key: 'consent',
    label: 'Consent status',
    short: 'Consent',
    description: "The client's consent to the provider managing its WhatsApp Business Account.",
    statuses: [
      s('pending', 'Pending', 'amber', 'The client has not granted consent yet.', 'Ask the client to grant consent.', { pending: true }),
      s('granted', 'Granted', 'green', 'The client granted consent.', 'Nothing to do.'),
      s(
        'withdrawn',
        'Withdrawn',
        'red',
        'The client withdrew its consent.',
        'Talk to the client; the numbers stop working without consent.',
        { attention: true },
      ),
    ],
  },
  billing: {
    key: 'billing',
    label: 'Billing',
    short: 'Billing',
    description: 'Who pays for the number, and where a payment revocation stands.',
    statuses: [
      s(
        'partner_paid',
        'Partner pays',
        // Neutral: who pays is a fact of the contract, neither good news nor a warning.
        'grey',
        'You (the partner) are billed for this number, as your contract with the provider agrees.',
        'Nothing to do.',
      ),
      s(
        'revocation_requested',
        'Revocation requested',
        'amber',
        'You asked to stop paying; billing to you ends after the termination date.',
        'Withdraw the request before the termination date if it was a mistake.',
      ),
      s(
        'partner_billing_ended',
        'Partner billing ended',
        'grey',
        'You are no longer billed; the client must pay or terminate the number.',
        'Nothing to do: the number leaves the hub after the grace period.',
      ),
      s('removed', 'Removed', 'grey', 'The number left the hub after the grace period.', 'Nothing to do.'),
    ],
  },
  quality: {
    key: 'quality',
    label: 'Quality rating',
    short: 'Quality',
    description: "Meta's rating of the messages the number sent recently.",
    statuses: [
      s('green', 'High', 'green', 'Recipients rate the messages well.', 'Nothing to do.'),
      s(
        'yellow',
        'Medium',
        'amber',
        'Recipients have started blocking or reporting messages.',
        'Ask the client to review its templates and opt-ins.',
      ),
      s(
        'red',
        'Low',
        'red',
        'Many recipients block or report messages; the tier may drop.',
        'Ask the client to review its messaging at once.',
        { attention: true },
      ),
      s('unknown', 'Unknown', 'grey', 'Meta has not rated the number yet.', 'Nothing to do.'),
    ],
  },
  tier: {
    key: 'tier',
    label: 'Messaging limit',
    short: 'Limit',
    description: 'How many business-initiated conversations the number may start in 24 hours.',
    statuses: [
      s(
        'tier_250',
        '250 / day',
        'grey',
        'Up to 250 business-initiated conversations in 24 hours.',
        'Verify the business to raise the limit.',
      ),
      s('tier_1k', '1,000 / day', 'blue', 'Up to 1,000 business-initiated conversations in 24 hours.', 'Nothing to do.'),
      s('tier_10k', '10,000 / day', 'blue', 'Up to 10,000 business-initiated conversations in 24 hours.', 'Nothing to do.'),
      s('tier_100k', '100,000 / day', 'green', 'Up to 100,000 business-initiated conversations in 24 hours.', 'Nothing to do.'),
      s('unlimited', 'Unlimited', 'green', 'No limit on business-initiated conversations.', 'Nothing to do.'),
    ],
  },
} as const satisfies Record<string, Omit<FamilyDef, 'key'> & { key: string }>;

export type FamilyKey = keyof typeof FAMILIES;
type ValuesOf<F extends FamilyKey> = (typeof FAMILIES)[F]['statuses'][number]['value'];

export type LifecycleStatus = ValuesOf<'lifecycle'>;
export type WabaStatus = ValuesOf<'waba'>;
export type VerificationStatus = ValuesOf<'verification'>;
export type OnBehalfStatus = ValuesOf<'onBehalf'>;
export type RegistrationStatus = ValuesOf<'registration'>;
export type ConsentStatus = ValuesOf<'consent'>;
export type BillingState = ValuesOf<'billing'>;
export type QualityRating = ValuesOf<'quality'>;
export type MessagingTier = ValuesOf<'tier'>;

export const FAMILY_KEYS = Object.keys(FAMILIES) as FamilyKey[];

export function familyValues<F extends FamilyKey>(family: F): ValuesOf<F>[] {
  return FAMILIES[family].statuses.map((st) => st.value) as ValuesOf<F>[];
}

/** A family's statuses in the catalogue's order, as plain definitions (their literal types widened). */
export function familyStatuses(family: FamilyKey): readonly StatusDef[] {
  return FAMILIES[family].statuses;
}

export function statusDef(family: FamilyKey, value: string): StatusDef | undefined {
  return familyStatuses(family).find((st) => st.value === value);
}

export function isStatus(family: FamilyKey, value: unknown): boolean {
  return typeof value === 'string' && statusDef(family, value) !== undefined;
}

/** Anchor of a status on the Account statuses page: every badge links there. */
export function statusAnchor(family: FamilyKey, value: string): string {
  return `${family}-${value}`;
}
