import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The last run of each scheduled job, whichever process or instance ran it: what /metrics
 * reports as its last success and duration. Kept in the database so that a jobs process that
 * was restarted, or an instance that never ran the job, still reports it (job-status.query.ts).
 */
@Entity({ tableName: 'job_status' })
export class JobStatus {
  @PrimaryKey({ type: 'string', length: 64 })
  name: string;

  @Property({ type: 'datetime', nullable: true })
  lastSuccessAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  lastFailureAt?: Date | null;

  /** How long the last run took, whatever its outcome. */
  @Property({ type: 'integer' })
  lastDurationMs: number;

  constructor(name: string, lastDurationMs: number) {
    this.name = name;
    this.lastDurationMs = lastDurationMs;
  }
}
