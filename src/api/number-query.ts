import { Type, type Static } from '@sinclair/typebox';
import { FILTER_FAMILIES, parseNumberFilter, type NumberFilter } from '../accounts';
import { familyStatuses, familyValues } from '../statuses';
import { apiFamily, Id, OneOf } from './schemas';

/** A filter a partner would send: the family's statuses that need attention (or its first one). */
const exampleValues = (family: (typeof FILTER_FAMILIES)[number]) => {
  const attention = familyStatuses(family)
    .filter((s) => s.attention)
    .map((s) => s.value);
  return attention.length ? attention : familyValues(family).slice(0, 1);
};

/** The list's filter families under their API names, each with the values one may ask for (never `removed`: those left the hub). */
const FAMILY_PARAMS = Object.fromEntries(
  FILTER_FAMILIES.map((f) => [
    apiFamily(f),
    Type.Optional(
      Type.Array(OneOf(familyValues(f).filter((v) => v !== 'removed')), {
        maxItems: 50,
        description: `Any of these ${f} statuses; repeat the parameter for several.`,
        examples: [exampleValues(f)],
      }),
    ),
  ]),
);
const SORTS = ['created', 'phone', 'client', 'display', ...FILTER_FAMILIES.map(apiFamily)];

/** Provider channel ids one request may look up. */
const MAX_PROVIDER_IDS = 100;

/**
 * The search, filters and sort of the WhatsApp Accounts page, as the list and the download
 * take them, and the lookup by the provider's channel ids that integrations need.
 */
export const NUMBER_FILTER_PARAMS = {
  q: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Search: phone number in any format, names, ids, email. Every word must appear, in any order (up to 8 words: of a longer search, its 8 longest); case and accents do not matter.',
      examples: ['cafe lumiere'],
    }),
  ),
  provider_id: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: MAX_PROVIDER_IDS,
      description: `Only the numbers with these provider channel ids (exact: the \`id\` of the provider's partner_channels), as your own records name them. Repeat the parameter for several, up to ${MAX_PROVIDER_IDS}. An id no number of yours has matches nothing.`,
      examples: [['CH00081234', 'CH00081235']],
    }),
  ),
  ...FAMILY_PARAMS,
  // Only true: `attention=false` would read as "those that do not", and is refused rather than ignored.
  attention: Type.Optional(
    Type.Literal(true, { description: 'true: only the numbers that need attention. Leave it out for every number.', examples: [true] }),
  ),
  client_id: Type.Optional(Id),
  sort: Type.Optional(OneOf(SORTS, { description: 'Default: created.', examples: ['phone'] })),
  dir: Type.Optional(OneOf(['asc', 'desc'], { description: 'Default: desc for created, asc otherwise.', examples: ['asc'] })),
};

const FilterQuery = Type.Object(NUMBER_FILTER_PARAMS);

/** The API's query in the pages' terms, read by the pages' own parser. */
export function toFilter(query: Static<typeof FilterQuery>): NumberFilter {
  const q: Record<string, unknown> = {};
  if (query.q !== undefined) q.q = query.q;
  for (const family of FILTER_FAMILIES) {
    const values = (query as Record<string, unknown>)[apiFamily(family)];
    if (values !== undefined) q[family] = values;
  }
  if (query.attention) q.attention = '1';
  if (query.client_id) q.client = query.client_id;
  if (query.sort) q.sort = query.sort === 'on_behalf' ? 'onBehalf' : query.sort;
  if (query.dir) q.dir = query.dir;
  const filter = parseNumberFilter(q);
  // Sorted, each once: one order of the same ids is one query.
  return query.provider_id ? { ...filter, providerIds: [...new Set(query.provider_id)].sort() } : filter;
}
