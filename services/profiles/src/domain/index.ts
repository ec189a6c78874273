export * from './profile';
export * from './language';
export * from './store';
export * from './in-memory-store';
export * from './profiles';
export * from './seed';
