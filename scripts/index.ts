export * from './free-port';
export * from './platform';
export * from './ports';
export * from './service-command';
export * from './supervisor';
