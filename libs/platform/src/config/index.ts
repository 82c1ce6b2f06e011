export * from './app-config';
export * from './load-handling-rules';
export * from './load-organisation';
export * from './load-statistics-formula';
export * from './secret';
export * from './connection-security';
export * from './load-notifications';
