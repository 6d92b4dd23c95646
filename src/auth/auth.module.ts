import { Module } from '@nestjs/common';
import { ThrottleModule } from '../throttle/throttle.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { PasswordsController } from './passwords.controller';
import { PasswordsService } from './passwords.service';
import { ProfileController } from './profile.controller';
import { TokensService } from './tokens.service';

@Module({
  imports: [ThrottleModule],
  controllers: [AuthController, PasswordsController, ProfileController],
  providers: [AuthService, TokensService, PasswordsService],
  exports: [AuthService, TokensService, PasswordsService],
})
export class AuthModule {}
