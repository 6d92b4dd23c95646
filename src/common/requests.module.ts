import { Module } from '@nestjs/common';
import { AfterResponse } from './after-response';
import { RequestsInFlight } from './requests-in-flight';

/** The requests this process serves now, and the work that runs after their answers. */
@Module({ providers: [RequestsInFlight, AfterResponse], exports: [RequestsInFlight, AfterResponse] })
export class RequestsModule {}
