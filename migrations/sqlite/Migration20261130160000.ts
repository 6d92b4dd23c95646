import { Migration } from '@mikro-orm/migrations';

/** Partner API keys: the public key id (unique, the lookup) and the hash of the secret. */
export class Migration20261130160000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `api_key` (`id` text not null, `created_at` datetime not null, `updated_at` datetime not null, `partner_id` text not null, `name` text not null, `scope` text check (`scope` in ('read', 'read_write')) not null, `key_id` text not null, `secret_hash` text not null, `created_by` text not null, `expires_at` datetime null, `revoked_at` datetime null, `last_used_at` datetime null, `last_used_ip` text null, constraint `api_key_partner_id_foreign` foreign key(`partner_id`) references `partner`(`id`) on delete cascade on update cascade, primary key (`id`));",
    );
    this.addSql('create index `api_key_partner_id_index` on `api_key` (`partner_id`);');
    this.addSql('create unique index `api_key_key_id_unique` on `api_key` (`key_id`);');
    this.addSql('create index `api_key_partner_id_created_at_index` on `api_key` (`partner_id`, `created_at`);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `api_key`;');
  }
}
