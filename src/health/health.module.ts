import { Module } from '@nestjs/common';
import { Lifecycle } from '../common/lifecycle';
import { HealthController } from './health.controller';

/** The probes, and the shutdown state that readiness reports (set by the signal handler). */
@Module({ controllers: [HealthController], providers: [Lifecycle], exports: [Lifecycle] })
export class HealthModule {}
