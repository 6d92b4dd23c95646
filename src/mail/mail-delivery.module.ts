import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import { LOGGER } from '../common/logger';
import { APP_CONFIG } from '../config/config';
import { DatabaseModule } from '../database/database.module';
import { MailWorker } from './mail-worker.service';
import { createMailTransport, MAIL_TRANSPORT } from './mail-transport';
import { MailScheduler } from './mail.scheduler';
import { MAIL_LINK_ISSUER } from './outbox.service';

/**
 * Sends the outbox: the worker, its schedule and the transport. Registered once, by the
 * composition root, with the module whose provider issues the links in emails (MailLinkIssuer):
 * mail itself knows no token table.
 */
@Module({})
export class MailDeliveryModule {
  static forRoot(links: { imports: NonNullable<DynamicModule['imports']>; issuer: InjectionToken }): DynamicModule {
    return {
      module: MailDeliveryModule,
      imports: [DatabaseModule, ...links.imports],
      providers: [
        MailWorker,
        MailScheduler,
        { provide: MAIL_TRANSPORT, useFactory: createMailTransport, inject: [APP_CONFIG, LOGGER] },
        { provide: MAIL_LINK_ISSUER, useExisting: links.issuer },
      ],
      exports: [MailWorker],
    };
  }
}
