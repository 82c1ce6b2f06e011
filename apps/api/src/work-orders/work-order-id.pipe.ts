import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

/** Work-order ids as the hotline issues them: letters, digits, `-` and `_`, at most 64. */
@Injectable()
export class WorkOrderIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
      throw new BadRequestException('work order id must be 1–64 letters, digits, "-" or "_"');
    }
    return value;
  }
}
