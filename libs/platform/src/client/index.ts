export * from './backoff';
export * from './breakers';
export * from './client-stats';
export * from './resilient-client';
export * from './retry-budget';
export * from './service-clients';
export * from './service-definitions';
