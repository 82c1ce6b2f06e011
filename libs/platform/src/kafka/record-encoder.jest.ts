/**
 * The worker's record encoder in the shape of kafkajs's module (the function itself), for jest:
 * jest's module registry ignores installRecordEncoder's write to Node's module cache, so
 * jest.config.js maps kafkajs's produce request's request for its record encoder here instead, and
 * the tests that produce in-process encode records as the worker does.
 */
import { encodeRecord } from './record-encoder';

export = encodeRecord;
