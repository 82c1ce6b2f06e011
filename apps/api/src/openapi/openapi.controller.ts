import { Controller, Get, Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/platform';
import { Public } from '../auth/public.decorator';
import { buildOpenApiDocument } from './openapi-document';

/** Serves the OpenAPI document; public, as it describes the contract and holds no data. */
@Controller()
export class OpenApiController {
  private readonly document: ReturnType<typeof buildOpenApiDocument>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.document = buildOpenApiDocument(config.api.yearSpan);
  }

  @Public()
  @Get('openapi.json')
  openApi() {
    return this.document;
  }
}
