import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { OutboxEmail } from './entities/outbox-email.entity';
import { OutboxService } from './outbox.service';

export const MAIL_ENTITIES = [OutboxEmail];

/** The outbox: what a module imports to queue an email in its own transaction. */
@Module({ imports: [MikroOrmModule.forFeature(MAIL_ENTITIES), DatabaseModule], providers: [OutboxService], exports: [OutboxService] })
export class MailModule {}
