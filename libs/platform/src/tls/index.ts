export * from './classify-tls-failure';
