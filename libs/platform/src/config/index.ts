export * from './app-config';
export * from './load-handling-rules';
