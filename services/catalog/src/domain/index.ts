export * from './title';
export * from './encoding-ladder';
export * from './seed';
export * from './catalog';
