import { Migration } from '@mikro-orm/migrations';

/** The Partner API's Idempotency-Keys: one per API key and key (the unique index is the claim), with the answer kept 24 hours. */
export class Migration20261130170000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table `api_idempotency_key` (`id` text not null, `created_at` datetime not null, `updated_at` datetime not null, `api_key_id` text not null, `idempotency_key` text not null, `fingerprint` text not null, `response_status` integer null, `response_body` text null, `expires_at` datetime not null, constraint `api_idempotency_key_api_key_id_foreign` foreign key(`api_key_id`) references `api_key`(`id`) on delete cascade on update cascade, primary key (`id`));',
    );
    this.addSql('create index `api_idempotency_key_api_key_id_index` on `api_idempotency_key` (`api_key_id`);');
    this.addSql(
      'create unique index `api_idempotency_key_api_key_id_idempotency_key_unique` on `api_idempotency_key` (`api_key_id`, `idempotency_key`);',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `api_idempotency_key`;');
  }
}
