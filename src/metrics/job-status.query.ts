import type { JobRun } from '../common/schedule';
import { sqlNullableDate, sqlNumber, type Sql } from '../database/sql';

// One statement per run: parallel instances finishing the same job each leave a whole row, and
// a run that reports late (a slow instance) never moves a time back.
const RECORD_SQL = `insert into job_status (name, last_success_at, last_failure_at, last_duration_ms) values (?, ?, ?, ?)
  on conflict (name) do update set
    last_success_at = ${latest('last_success_at')},
    last_failure_at = ${latest('last_failure_at')},
    last_duration_ms = excluded.last_duration_ms`;

function latest(column: string): string {
  return `case when job_status.${column} is null or excluded.${column} > job_status.${column} then excluded.${column} else job_status.${column} end`;
}

/** Records a finished run of a scheduled job (the table JobStatus). */
export async function recordJobRun(sql: Sql, run: JobRun): Promise<void> {
  await sql.run(RECORD_SQL, [run.name, run.ok ? run.endedAt : null, run.ok ? null : run.endedAt, Math.round(run.durationMs)]);
}

export interface JobStatusRow {
  name: string;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastDurationMs: number;
}

/** Every job's last run, as recorded by any process. */
export async function readJobStatuses(sql: Sql): Promise<JobStatusRow[]> {
  const rows = await sql.all<Record<string, unknown>>('select name, last_success_at, last_failure_at, last_duration_ms from job_status');
  return rows.map((r) => ({
    name: r.name as string,
    lastSuccessAt: sqlNullableDate(r.last_success_at),
    lastFailureAt: sqlNullableDate(r.last_failure_at),
    lastDurationMs: sqlNumber(r.last_duration_ms),
  }));
}
