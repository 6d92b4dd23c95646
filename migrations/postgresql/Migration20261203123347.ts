import { Migration } from '@mikro-orm/migrations';

/** Each scheduled job's last run, kept where every process and instance reads it (/metrics). */
export class Migration20261203123347 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table "job_status" ("name" varchar(64) not null, "last_success_at" timestamptz null, "last_failure_at" timestamptz null, "last_duration_ms" int not null, constraint "job_status_pkey" primary key ("name"));',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "job_status" cascade;');
  }
}
