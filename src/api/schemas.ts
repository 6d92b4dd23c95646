import { Type, type TSchema } from '@sinclair/typebox';
import { FAMILIES, FAMILY_KEYS, familyValues, type FamilyKey } from '../statuses';

/**
 * The Partner API's shared schemas. Field names are snake_case as in the provider's Partner
 * API; ids are the hub's opaque ids, and each object carries the provider's ids beside them.
 */

/** A string that is one of these values (an enum, checked by TypeBox and Ajv alike). */
export const OneOf = <T extends string>(values: readonly T[], options: { description?: string; examples?: unknown[] } = {}) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  );

export const Id = Type.String({
  pattern: '^[A-Za-z0-9_-]{22}$',
  description: "The hub's opaque id.",
  examples: ['3kqPz0m1Xy8bQe4RtU7vWg'],
});
const DateTime = (description: string) => Type.String({ format: 'date-time', description });
/** A calendar date of the contract's billing time zone. */
export const LocalDate = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description, examples: ['2026-12-31'] });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The API's names of the status families: the catalogue's keys in snake_case. */
export const apiFamily = (family: FamilyKey) => (family === 'onBehalf' ? 'on_behalf' : family);

export const Status = (family: FamilyKey) =>
  Type.Object(
    { code: OneOf(familyValues(family)), label: Type.String({ description: 'What the pages call it.' }) },
    { additionalProperties: false, description: `${FAMILIES[family].label}: ${FAMILIES[family].description}` },
  );

const StatusesOf = (families: FamilyKey[]) =>
  Type.Object(Object.fromEntries(families.map((f) => [apiFamily(f), Status(f)])), { additionalProperties: false });

export const ClientRef = Type.Object(
  { id: Id, provider_id: Type.String(), name: Type.String() },
  { additionalProperties: false, description: 'The client the number belongs to.' },
);

export const WabaAccount = Type.Object(
  {
    id: Id,
    provider_id: Type.String(),
    external_id: Type.String({ description: "Meta's WABA id." }),
    namespace: Nullable(Type.String()),
    timezone_id: Nullable(Type.Integer({ description: "Meta's time zone id of the account." })),
    timezone: Nullable(
      Type.String({
        description: "The IANA zone of `timezone_id`, as the number page names it; null when none is set or Meta's id is not known.",
        examples: ['Europe/Berlin'],
      }),
    ),
    statuses: StatusesOf(['waba', 'verification', 'onBehalf']),
  },
  { additionalProperties: false },
);

export const NumberSchema = Type.Object(
  {
    id: Id,
    provider_id: Type.String({ description: "The provider's channel id." }),
    external_id: Type.String({ description: 'The WABA channel external id.' }),
    phone_number: Type.String({ description: 'E.164.', examples: ['+4915112345678'] }),
    display_name: Nullable(Type.String()),
    account_mode: Nullable(Type.String()),
    registration_method: Nullable(OneOf(['sms', 'voice'])),
    ivr: Type.Boolean(),
    statuses: StatusesOf(['lifecycle', 'registration', 'billing', 'quality', 'tier', 'consent']),
    status_changed_at: DateTime('When the number status last changed.'),
    created_at: DateTime('When the provider created the number.'),
    needs_attention: Type.Boolean(),
    attention_reasons: Type.Array(Type.String(), { description: 'Why it needs attention, as the pages say it.' }),
    client: ClientRef,
    waba_account: WabaAccount,
  },
  { additionalProperties: false, title: 'Number' },
);

export const Revocation = Type.Object(
  {
    requested_at: DateTime('When the owner requested it.'),
    termination_date: LocalDate('The local date (billing time zone) at whose end billing to the partner ends.'),
    billing_time_zone: Type.String(),
    billing_ends_at: DateTime('The end of the termination date.'),
    remove_at: DateTime('When the number leaves the hub.'),
    removal_date: LocalDate('The local date (billing time zone) on which the number leaves the hub.'),
    reason: Nullable(Type.String()),
  },
  { additionalProperties: false, description: 'The open payment revocation of the number.' },
);

/** The number a revocation answer is about, by both its ids. */
const NumberIds = {
  number_id: Id,
  number_provider_id: Type.String({ description: "The number's provider channel id." }),
};

export const RevocationRequested = Type.Object(
  {
    ...NumberIds,
    dry_run: Type.Boolean({ description: 'True: nothing was done; these are the dates a request made now gets.' }),
    revocation: Revocation,
    client_emailed: Type.Boolean({
      description: "Whether the client's contact was emailed (on a dry run: would be). False when the client has no contact email.",
    }),
  },
  { additionalProperties: false, title: 'RevocationRequested' },
);

export const RevocationWithdrawn = Type.Object(
  {
    ...NumberIds,
    withdrawn_at: DateTime('When it was withdrawn: the partner pays for the number again.'),
    termination_date: LocalDate('The termination date the withdrawn request had.'),
    client_emailed: Type.Boolean({ description: "Whether the client's contact was emailed that the revocation was withdrawn." }),
  },
  { additionalProperties: false, title: 'RevocationWithdrawn' },
);

export const NumberDetail = Type.Composite(
  [
    Type.Omit(NumberSchema, ['client']),
    Type.Object({
      client: Type.Object(
        { id: Id, provider_id: Type.String(), name: Type.String(), contact_email: Nullable(Type.String()) },
        { additionalProperties: false },
      ),
      revocation: Nullable(Revocation),
    }),
  ],
  { additionalProperties: false, title: 'NumberDetail' },
);

export const HistoryEntry = Type.Object(
  {
    family: OneOf(FAMILY_KEYS.map(apiFamily)),
    from: Nullable(Type.Object({ code: Type.String(), label: Type.String() }, { additionalProperties: false })),
    to: Type.Object({ code: Type.String(), label: Type.String() }, { additionalProperties: false }),
    source: Type.String({ description: 'What made the change: import, revocation, …' }),
    changed_at: DateTime('When it changed.'),
  },
  { additionalProperties: false },
);

export const Client = Type.Object(
  {
    id: Id,
    provider_id: Type.String(),
    name: Type.String(),
    contact_email: Nullable(Type.String()),
    consent: Status('consent'),
  },
  { additionalProperties: false, title: 'Client' },
);

export const ClientDetail = Type.Composite(
  [
    Client,
    Type.Object({
      waba_accounts: Type.Array(
        Type.Composite(
          [
            Type.Omit(WabaAccount, ['timezone_id', 'timezone']),
            Type.Object({ numbers: Type.Integer({ minimum: 0, description: 'Its numbers in the hub.' }) }),
          ],
          {
            additionalProperties: false,
          },
        ),
      ),
    }),
  ],
  { additionalProperties: false, title: 'ClientDetail' },
);

/** A page of a list: GitHub-like keyset paging with an opaque cursor. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object(
    {
      data: Type.Array(item),
      has_more: Type.Boolean(),
      next_cursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page.' })),
    },
    { additionalProperties: false },
  );

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI naming the kind of problem.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }, { additionalProperties: false }))),
    request_id: Type.String({ description: 'Quote it when you report a problem.' }),
  },
  { additionalProperties: false, title: 'Problem', description: 'RFC 9457 problem details.' },
);

/** Query parameters of paged lists. */
export const Limit = (max: number, def: number) =>
  Type.Integer({ minimum: 1, maximum: max, default: def, description: `How many (1–${max}, default ${def}).`, examples: [100] });
/** A `next_cursor` of the numbers' list, as the examples show it. */
export const EXAMPLE_CURSOR = 'WyJjcmVhdGVkIiwiZGVzYyIsIjIwMjYtMTEtMTJUMDk6MzA6MDAuMDAwWiIsIlB6N1JrMldtOVhxNExkMUh2Nk5jM3MiLDUwXQ';
export const Cursor = Type.String({
  maxLength: 1000,
  pattern: '^[A-Za-z0-9_-]+$',
  description: '`next_cursor` of the previous page.',
  examples: [EXAMPLE_CURSOR],
});
