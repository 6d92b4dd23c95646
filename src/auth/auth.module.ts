import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordsController } from './passwords.controller';
import { PasswordsService } from './passwords.service';
import { ProfileController } from './profile.controller';
import { TokensService } from './tokens.service';

@Module({
  controllers: [AuthController, PasswordsController, ProfileController],
  providers: [AuthService, LoginThrottleService, TokensService, PasswordsService],
  exports: [AuthService, TokensService, PasswordsService],
})
export class AuthModule {}
