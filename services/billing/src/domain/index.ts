export * from './plan';
export * from './rules';
export * from './store';
export * from './billing';
export * from './seed';
