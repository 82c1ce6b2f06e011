import { Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/** Work-order ids as the hotline issues them: letters, digits, `-` and `_`, at most 64. */
export const WORK_ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

@Injectable()
export class WorkOrderIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!WORK_ORDER_ID.test(value)) {
      throw new ApiError(
        'invalid_request',
        'work order id must be 1–64 letters, digits, "-" or "_"',
      );
    }
    return value;
  }
}
