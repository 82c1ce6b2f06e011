/**
 * The first page's data asked for while the page starts (main.tsx), handed to the page that wants
 * it once: the request runs while React renders instead of after.
 */
import { getJson } from './api';

const pending = new Map<string, Promise<unknown>>();

export function prefetch(path: string): void {
  const request = getJson(path);
  request.catch(() => undefined); // the page that takes it sees the failure
  pending.set(path, request);
}

export function takePrefetched<T>(path: string): Promise<T> | undefined {
  const request = pending.get(path) as Promise<T> | undefined;
  pending.delete(path);
  return request;
}
