export * from './config';
export * from './kafka';
export * from './logging';
export * from './metrics';
export * from './platform.module';
export * from './auth';
export * from './clock';
