import { Global, Module } from '@nestjs/common';
import { MailWorker } from './mail-worker.service';
import { MailScheduler } from './mail.scheduler';
import { OutboxService } from './outbox.service';

@Global()
@Module({ providers: [OutboxService, MailWorker, MailScheduler], exports: [OutboxService, MailWorker] })
export class MailModule {}
