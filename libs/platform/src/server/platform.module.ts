import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, systemClock } from '../clock';
import { ServiceClients } from '../client/service-clients';
import { Logger } from '../logging/logger';
import { Readiness } from './readiness';

/** Injection token for the validated configuration of the running service. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** Makes the platform's per-process objects injectable in every service module. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: unknown, logger: Logger, clients: ServiceClients, readiness: Readiness): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: Logger, useValue: logger },
        { provide: ServiceClients, useValue: clients },
        { provide: Readiness, useValue: readiness },
        { provide: CLOCK, useValue: systemClock },
      ],
      exports: [SERVICE_CONFIG, Logger, ServiceClients, Readiness, CLOCK],
    };
  }
}
