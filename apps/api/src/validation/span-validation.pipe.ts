import { Inject, Injectable, type PipeTransform, type Type } from '@nestjs/common';
import type { YearSpan } from '@hotline/core';
import { APP_CONFIG, type AppConfig } from '@hotline/platform';
import type { z } from 'zod';
import { ZodValidationPipe } from './zod-validation.pipe';

/**
 * A ZodValidationPipe whose schema depends on the configured span of years (API_YEAR_MIN–MAX):
 * used as a class (`@Query(spanPipe(monthlyQuery, 'query'))`), Nest builds it with the config and
 * the schema is built once.
 */
export function spanPipe<S extends z.ZodType>(
  schemaFor: (span: YearSpan) => S,
  what: string,
): Type<PipeTransform<unknown, z.output<S>>> {
  @Injectable()
  class SpanValidationPipe implements PipeTransform<unknown, z.output<S>> {
    private readonly pipe: ZodValidationPipe<S>;

    constructor(@Inject(APP_CONFIG) config: AppConfig) {
      this.pipe = new ZodValidationPipe(schemaFor(config.api.yearSpan), what);
    }

    transform(value: unknown): z.output<S> {
      return this.pipe.transform(value);
    }
  }
  return SpanValidationPipe;
}
