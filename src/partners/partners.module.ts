import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ContractTerms } from './entities/contract-terms.embeddable';
import { Partner } from './entities/partner.entity';
import { PartnersService } from './partners.service';

export const PARTNERS_ENTITIES = [Partner, ContractTerms];

@Module({ imports: [MikroOrmModule.forFeature(PARTNERS_ENTITIES), AuditModule], providers: [PartnersService], exports: [PartnersService] })
export class PartnersModule {}
