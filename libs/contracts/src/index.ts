export * from './dependencies';
export * from './service-definitions';
export * from './service-registry';
export * from './access-policy';
