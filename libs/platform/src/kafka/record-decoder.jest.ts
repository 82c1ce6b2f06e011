/**
 * The worker's record decoder in the shape of kafkajs's module (the function itself), for jest:
 * jest's module registry ignores installRecordDecoder's write to Node's module cache, so
 * jest.config.js maps kafkajs's batch decoder's request for its record decoder here instead, and
 * the tests that consume in-process decode records as the worker does.
 */
import { decodeRecord } from './record-decoder';

export = decodeRecord;
