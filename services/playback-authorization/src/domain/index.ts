export * from './account-token';
export * from './authorization';
export * from './renditions';
export * from './sessions';
