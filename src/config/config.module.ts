import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AfterResponse } from '../common/after-response';
import { Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { RequestsInFlight } from '../common/requests-in-flight';
import { APP_CONFIG, type AppConfig } from './config';

/**
 * Provides the validated configuration, the one clock, the one logger, the count of requests in
 * flight and the work that runs after a response.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, clock: Clock, logger: Logger): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
        { provide: LOGGER, useValue: logger },
        RequestsInFlight,
        AfterResponse,
      ],
      exports: [APP_CONFIG, Clock, LOGGER, RequestsInFlight, AfterResponse],
    };
  }
}
