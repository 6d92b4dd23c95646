import type { JobRun } from '../common/schedule';
import { sqlNullableDate, sqlNumber, type Sql } from '../database/sql';

// One statement per run: parallel instances finishing the same job each leave a whole row.
const RECORD_SQL = `insert into job_status (name, last_success_at, last_failure_at, last_duration_ms) values (?, ?, ?, ?)
  on conflict (name) do update set
    last_success_at = coalesce(excluded.last_success_at, job_status.last_success_at),
    last_failure_at = coalesce(excluded.last_failure_at, job_status.last_failure_at),
    last_duration_ms = excluded.last_duration_ms`;

/** Records a finished run of a scheduled job (the table JobStatus). */
export async function recordJobRun(sql: Sql, run: JobRun): Promise<void> {
  await sql.run(RECORD_SQL, [run.name, run.ok ? run.endedAt : null, run.ok ? null : run.endedAt, Math.round(run.durationMs)]);
}

/** Every job's last run, as recorded by any process. */
export async function readJobStatuses(sql: Sql): Promise<{ name: string; lastSuccessAt: Date | null; lastDurationMs: number }[]> {
  const rows = await sql.all<Record<string, unknown>>('select name, last_success_at, last_duration_ms from job_status');
  return rows.map((r) => ({
    name: r.name as string,
    lastSuccessAt: sqlNullableDate(r.last_success_at),
    lastDurationMs: sqlNumber(r.last_duration_ms),
  }));
}
