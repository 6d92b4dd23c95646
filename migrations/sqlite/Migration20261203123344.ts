import { Migration } from '@mikro-orm/migrations';

/** Each scheduled job's last run, kept where every process and instance reads it (/metrics). */
export class Migration20261203123344 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table `job_status` (`name` text not null, `last_success_at` datetime null, `last_failure_at` datetime null, `last_duration_ms` integer not null, primary key (`name`));',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `job_status`;');
  }
}
