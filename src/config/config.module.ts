import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from './config';

/**
 * The validated configuration, the one clock and the one logger: the only global providers.
 * The clock counts as configuration: chosen once at start (tests pass their own), read by all.
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
      ],
      exports: [APP_CONFIG, Clock, LOGGER],
    };
  }
}
