export * from './local-postgres';
export * from './postgres-connection';
export * from './explain-postgres-failure';
