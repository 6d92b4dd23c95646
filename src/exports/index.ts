/** What other modules use of exports beyond its services: the CSV download's columns and cells (the Partner API's examples). */
export { CSV_FORMAT, CSV_HEADERS, csvRecord, type ExportRow } from './csv-columns';
