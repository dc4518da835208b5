import { Controller, Get, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@authtrail/auth';

/** `/` leads to the console (its files are served by `registerConsole`, console-assets.ts). */
@ApiExcludeController()
@Controller()
export class ConsoleController {
  @Get()
  @Public()
  @Redirect('/console/', 302)
  root(): void {}
}
