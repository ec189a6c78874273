import type { Meter } from '@opentelemetry/api';
import type { Logger } from '../logging/logger';
import type { TransportSecurity } from '../security/transport-security';
import { activeTelemetry } from './telemetry';

/**
 * The certificate a process presents, made visible: `streamplane_tls_certificate_expiry_timestamp_seconds
 * {identity}` (the TlsCertificateExpiringSoon alert's input: a renewal that never came shows weeks ahead),
 * and a log line at each renewal taken and each directory content refused. Nothing under plaintext, nor
 * for certificates given as buffers (no directory to renew them in).
 */
export function observeCertificate(
  security: TransportSecurity,
  logger: Logger,
  meter: Meter = activeTelemetry().meter,
): void {
  if (security.mode !== 'mutual-tls' || !security.reloading) return;
  const { reloading } = security;
  meter
    .createObservableGauge('streamplane.tls.certificate.expiry_timestamp_seconds', {
      description: 'When the certificate this process presents expires, in seconds since the epoch.',
    })
    .addCallback((result) => {
      const { identity, validTo } = reloading.certificate;
      result.observe(Math.floor(validTo.getTime() / 1000), { identity });
    });
  reloading.onReload((reload) => {
    if (reload.outcome === 'renewed') {
      logger.info('TLS certificate renewed: new connections present it', {
        identity: reload.identity,
        valid_to: reload.validTo.toISOString(),
      });
    } else {
      logger.warn('TLS certificate directory not taken: still presenting the last good certificate', {
        problem: reload.problem,
      });
    }
  });
}
