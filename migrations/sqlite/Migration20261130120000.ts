import { Migration } from '@mikro-orm/migrations';

/** The summary counts of each partner's numbers, kept current instead of counted per page view. */
export class Migration20261130120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table `number_summary` (`id` text not null, `created_at` datetime not null, `updated_at` datetime not null, `partner_id` text not null, `by_status` text not null, `total` integer not null, `attention` integer not null, `changes` integer not null, `recount_at` datetime null, constraint `number_summary_partner_id_foreign` foreign key(`partner_id`) references `partner`(`id`) on delete cascade on update cascade, primary key (`id`));',
    );
    this.addSql('create index `number_summary_partner_id_index` on `number_summary` (`partner_id`);');
    this.addSql('create unique index `number_summary_partner_id_unique` on `number_summary` (`partner_id`);');
    this.addSql('create index `number_summary_recount_at_index` on `number_summary` (`recount_at`);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `number_summary`;');
  }
}
