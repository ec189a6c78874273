export * from './adaptive-throttle';
export * from './call-priority';
export * from './concurrency-limiter';
export * from './gradient2-limit';
