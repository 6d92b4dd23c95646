import { Type, type Static } from '@sinclair/typebox';
import { FILTER_FAMILIES, parseNumberFilter, type NumberFilter } from '../accounts';
import { familyValues } from '../statuses';
import { apiFamily, Id, OneOf } from './schemas';

/** The list's filter families under their API names, each with the values one may ask for (never `removed`: those left the hub). */
const FAMILY_PARAMS = Object.fromEntries(
  FILTER_FAMILIES.map((f) => [
    apiFamily(f),
    Type.Optional(
      Type.Array(OneOf(familyValues(f).filter((v) => v !== 'removed')), {
        maxItems: 50,
        description: `Any of these ${f} statuses; repeat the parameter for several.`,
      }),
    ),
  ]),
);
const SORTS = ['created', 'phone', 'client', 'display', ...FILTER_FAMILIES.map(apiFamily)];

/** The search, filters and sort of the WhatsApp Accounts page, as the list and the download take them. */
export const NUMBER_FILTER_PARAMS = {
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Search: phone number in any format, names, ids, email.' })),
  ...FAMILY_PARAMS,
  attention: Type.Optional(Type.Boolean({ description: 'Only the numbers that need attention.' })),
  client_id: Type.Optional(Id),
  sort: Type.Optional(OneOf(SORTS, { description: 'Default: created.' })),
  dir: Type.Optional(OneOf(['asc', 'desc'], { description: 'Default: desc for created, asc otherwise.' })),
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
  return parseNumberFilter(q);
}
