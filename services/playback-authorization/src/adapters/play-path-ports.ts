import type { ServiceDefinitions } from '@streamplane/contracts';
import type { ServiceClients } from '@streamplane/platform';
import type { PlayPathPorts } from '../application/play-path';
import type { SessionStore } from '../application/ports';
import { BillingAdapter } from './billing.adapter';
import { CatalogAdapter } from './catalog.adapter';
import { ProfilesAdapter } from './profiles.adapter';
import { SteeringAdapter } from './steering.adapter';
import { SubtitlesAdapter } from './subtitles.adapter';

/** The play path's ports, each an adapter over the declared dependency's resilient client. */
export function playPathPorts(clients: ServiceClients<ServiceDefinitions>, sessions: SessionStore): PlayPathPorts {
  const catalog = new CatalogAdapter(clients.get('catalog'));
  return {
    profiles: new ProfilesAdapter(clients.get('profiles')),
    titles: catalog,
    entitlements: new BillingAdapter(clients.get('billing')),
    encodingLadders: catalog,
    steering: new SteeringAdapter(clients.get('steering')),
    subtitles: new SubtitlesAdapter(clients.get('subtitles')),
    sessions,
  };
}
