import { Migration } from '@mikro-orm/migrations';

/** Rate limits counted atomically (one upsert per claim) replace the failed-sign-in log. */
export class Migration20261130110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table `rate_limit` (`key` text not null, `points` integer not null, `resets_at` datetime not null, primary key (`key`));',
    );
    this.addSql('create index `rate_limit_resets_at_index` on `rate_limit` (`resets_at`);');
    this.addSql('drop table if exists `login_attempt`;');
  }

  override async down(): Promise<void> {
    this.addSql(
      'create table `login_attempt` (`id` text not null, `email` text not null, `ip` text not null, `created_at` datetime not null, primary key (`id`));',
    );
    this.addSql('create index `login_attempt_ip_created_at_index` on `login_attempt` (`ip`, `created_at`);');
    this.addSql('create index `login_attempt_email_ip_created_at_index` on `login_attempt` (`email`, `ip`, `created_at`);');
    this.addSql('drop table if exists `rate_limit`;');
  }
}
