export * from './title';
export * from './popularity';
export * from './catalog-snapshot';
export * from './trending';
export * from './demand';
export * from './home-rows';
