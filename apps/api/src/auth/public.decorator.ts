import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'hotline:public';

/** A route that needs no bearer token (health, the OpenAPI document). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
