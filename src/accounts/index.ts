/** What other modules use of accounts beyond its services and entities. */
export {
  FILTER_FAMILIES,
  keysetSql,
  numberWhere,
  parseNumberFilter,
  type NumberFilter,
  type SqlCondition,
  type Sort,
} from './number-filter';
export { searchTextFor } from './search-text';
