export * from './fact-deltas';
export * from './counts-fold';
export * from './statistics-reads';
export * from './statistics-figures';
export * from './statistics-months';
export * from './statistics-report';
