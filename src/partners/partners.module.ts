import { Global, Module } from '@nestjs/common';
import { PartnersService } from './partners.service';

@Global()
@Module({ providers: [PartnersService], exports: [PartnersService] })
export class PartnersModule {}
