/** What other modules use of accounts beyond its services and entities. */
export {
  FILTER_FAMILIES,
  keysetSql,
  numberWhere,
  parseNumberFilter,
  sortKeyOf,
  sortKeySql,
  type NumberFilter,
  type SqlCondition,
  type Sort,
} from './number-filter';
export { searchTextFor } from './search-text';
export { attentionWhere } from './number-filter';
export { attentionReasons } from './status-view';
export type { NumberRow } from './number-row';
export { compactPhone, countryName, E164, phoneCountry, phoneView } from './phone';
export { metaTimezoneName } from './timezones';
export { AccountsImportService, type ImportResult } from './import/accounts-import.service';
