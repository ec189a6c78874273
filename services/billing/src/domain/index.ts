export * from './plan';
export * from './rules';
export * from './idempotency';
export * from './mutation';
export * from './seed';
