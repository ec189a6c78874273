export * from './identity';
export * from './transport-security';
export * from './caller-authorization';
export * from './reloading-certificate';
