/** Data only, the same SQL on both databases: one class, written in the SQLite folder. */
export { Migration20261130140000 } from '../sqlite/Migration20261130140000';
