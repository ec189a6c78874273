export * from './authorization';
export * from './cdn-urls';
export * from './renditions';
export * from './sessions';
