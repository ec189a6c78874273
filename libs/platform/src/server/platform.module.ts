import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, systemClock } from '../clock';
import { ServiceClients } from '../client/service-clients';
import { Logger } from '../logging/logger';
import type { ServiceProtos } from '../proto/encoded-message';
import { Readiness } from './readiness';

/** Injection token for the validated configuration of the running service. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/**
 * Injection token for the service's loaded proto definition (a ServiceProtos): its messages' own
 * serializers, for answers a handler encodes itself (EncodedMessage).
 */
export const SERVICE_PROTOS = Symbol('SERVICE_PROTOS');

/** Makes the platform's per-process objects injectable in every service module. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(
    config: unknown,
    logger: Logger,
    clients: ServiceClients,
    readiness: Readiness,
    protos: ServiceProtos,
  ): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: Logger, useValue: logger },
        { provide: ServiceClients, useValue: clients },
        { provide: Readiness, useValue: readiness },
        { provide: CLOCK, useValue: systemClock },
        { provide: SERVICE_PROTOS, useValue: protos },
      ],
      exports: [SERVICE_CONFIG, Logger, ServiceClients, Readiness, CLOCK, SERVICE_PROTOS],
    };
  }
}
