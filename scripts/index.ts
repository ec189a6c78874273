export * from './free-port';
export * from './platform';
export * from './service-command';
