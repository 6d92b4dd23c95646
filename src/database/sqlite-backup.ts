import { linkSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

/** Copy every page in one backup step (see backupSqlite). */
const ALL_PAGES = 0x7fffffff;

interface SqliteDatabase {
  pragma(sql: string): unknown;
  backup(file: string, options: { progress(): number }): Promise<{ totalPages: number }>;
  close(): void;
}

/**
 * A consistent copy of a live SQLite database, through SQLite's online backup API
 * (better-sqlite3's `db.backup`). The pages are copied in one step, inside one read
 * transaction: in WAL mode the app's writers go on meanwhile, and the copy is the database as
 * it was when the step began. (Copied in small steps, a write by another process restarts the
 * backup, which then may never end while the app is busy.) The copy is written beside
 * `target` and linked into place, so `target` is never a half-written file, and an existing
 * `target` is never replaced (the link fails).
 */
export async function backupSqlite(source: string, target: string, busyTimeoutMs: number): Promise<{ pages: number }> {
  const Database = createRequire(__filename)('better-sqlite3') as new (file: string, opts: object) => SqliteDatabase;
  const partial = join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    const { totalPages } = await db.backup(partial, { progress: () => ALL_PAGES });
    linkSync(partial, target);
    return { pages: totalPages };
  } finally {
    db.close();
    rmSync(partial, { force: true });
  }
}
