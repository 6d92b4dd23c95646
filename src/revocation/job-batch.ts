/**
 * Revocations the job finalizes per transaction. Small, because the job runs in the web
 * process: on SQLite a batch holds the one connection (and the event loop) while it writes,
 * so the pages served beside it wait for some tens of milliseconds at most.
 */
export const REVOCATION_BATCH_SIZE = 100;
