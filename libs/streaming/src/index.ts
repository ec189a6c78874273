export * from './account-token';
export * from './cdn-urls';
export * from './language-tags';
export * from './local-development';
export * from './regions';
export * from './seeded-random';
