/** What other modules use of accounts beyond its services and entities. */
export { FILTER_FAMILIES, parseNumberFilter, type NumberFilter, type Sort } from './number-filter';
export { attentionWhere, keysetSql, numberWhere, sortKeyOf, sortKeySql, type SqlCondition } from './number-sql';
export { searchTextFor } from './search-text';
export { attentionReasons } from './status-view';
export type { NumberRow } from './number-row';
export { compactPhone, countryName, E164, phoneCountry, phoneView } from './phone';
export { metaTimezoneName } from './timezones';
export { wayBack, type WayBack } from './accounts.presenter';
export { AccountsImportService, type ImportResult } from './import/accounts-import.service';
