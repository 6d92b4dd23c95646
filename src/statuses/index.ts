/** The status vocabulary every page, the CSV and the import share: the one catalogue. */
export * from './catalogue';
