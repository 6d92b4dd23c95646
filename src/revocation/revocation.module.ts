import { Module } from '@nestjs/common';
import { RevocationController } from './revocation.controller';
import { RevocationJob } from './revocation.job';
import { RevocationService } from './revocation.service';

@Module({ controllers: [RevocationController], providers: [RevocationService, RevocationJob], exports: [RevocationService] })
export class RevocationModule {}
