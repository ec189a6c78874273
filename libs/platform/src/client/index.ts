export * from './backoff';
export * from './breakers';
export * from './client-stats';
export * from './dependency-policy';
export * from './method-types';
export * from './resilient-client';
export * from './retry-budget';
export * from './service-clients';
