import type { ChannelCredentials } from '@grpc/grpc-js';
import {
  channelCredentials,
  OPERATOR_IDENTITY,
  loadConfig,
  loadTransportSecurity,
  platformConfigSchema,
} from '@streamplane/platform';
import { DevelopmentCa, developmentCaDirectory } from './certificates';

/**
 * How the tools (npm run load, experiment, play, chaos) dial the platform: in plaintext, or, under
 * STREAMPLANE_TLS=enabled, with a client certificate: the one in STREAMPLANE_TLS_DIR when set, else an
 * `operator` certificate from the development CA (the one `STREAMPLANE_TLS=enabled npm start` uses),
 * issued once and kept beside it. Operator, because the tools set fault rules and read the fleet as well
 * as playing like an app. Made once per process: every channel of a tool dials as the same identity.
 */
let made: ChannelCredentials | undefined;

export function toolCredentials(env: NodeJS.ProcessEnv = process.env): ChannelCredentials {
  made ??= channelCredentials(loadTransportSecurity(toolTlsConfig(env)));
  return made;
}

function toolTlsConfig(env: NodeJS.ProcessEnv) {
  const config = loadConfig(platformConfigSchema.pick({ STREAMPLANE_TLS: true, STREAMPLANE_TLS_DIR: true }), env);
  if (config.STREAMPLANE_TLS !== 'enabled' || config.STREAMPLANE_TLS_DIR) return config;
  const dir = DevelopmentCa.open(developmentCaDirectory(env)).identityDir(OPERATOR_IDENTITY);
  return { ...config, STREAMPLANE_TLS_DIR: dir };
}
