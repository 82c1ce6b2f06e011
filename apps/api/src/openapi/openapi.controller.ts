import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/public.decorator';
import { buildOpenApiDocument } from './openapi-document';

/** Serves the OpenAPI document; public, as it describes the contract and holds no data. */
@Controller()
export class OpenApiController {
  private readonly document = buildOpenApiDocument();

  @Public()
  @Get('openapi.json')
  openApi() {
    return this.document;
  }
}
