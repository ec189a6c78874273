import { MIN_SECRET_BYTES } from '@streamplane/platform';
import { LOCAL_DEVELOPMENT_SECRET } from '@streamplane/streaming';
import { runUntilExit, startServiceProcess, type LogLine, type ServiceProcess } from '@streamplane/testkit';

const ofLocalSecrets = (line: LogLine) => String(line.msg).includes('local-development secret');

/** The built process, as the image runs it (NODE_ENV=production) and as `npm start` does (unset). */
describe('playback-authorization secrets', () => {
  const OWN = {
    STREAMPLANE_AUTH_SECRET: 'a'.repeat(MIN_SECRET_BYTES),
    STREAMPLANE_CDN_SECRET: 'c'.repeat(MIN_SECRET_BYTES),
  };
  let running: ServiceProcess | undefined;

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('refuses to start in production with the local-development secrets, exiting 78 and naming both', async () => {
    const { code, stderr } = await runUntilExit('playback-authorization', {
      NODE_ENV: 'production',
      STREAMPLANE_CDN_SECRET: LOCAL_DEVELOPMENT_SECRET,
    });
    expect(code).toBe(78);
    expect(stderr).toMatch(/STREAMPLANE_AUTH_SECRET: is the local-development secret.*\(it is not set\)/);
    expect(stderr).toMatch(/STREAMPLANE_CDN_SECRET: is the local-development secret/);
  });

  it('refuses a secret of 31 bytes in production', async () => {
    const { code, stderr } = await runUntilExit('playback-authorization', {
      NODE_ENV: 'production',
      ...OWN,
      STREAMPLANE_AUTH_SECRET: 'a'.repeat(MIN_SECRET_BYTES - 1),
    });
    expect(code).toBe(78);
    expect(stderr).toMatch(/STREAMPLANE_AUTH_SECRET: must be at least 32 bytes, not 31/);
    expect(stderr).not.toMatch(/STREAMPLANE_CDN_SECRET/);
  });

  it('serves in production with secrets of its own, warning of none', async () => {
    running = await startServiceProcess('playback-authorization', { NODE_ENV: 'production', ...OWN });
    expect(running.logs.filter(ofLocalSecrets)).toEqual([]);
  });

  it('serves locally with the local-development secrets, warning once and naming them', async () => {
    running = await startServiceProcess('playback-authorization');
    expect(running.logs.filter(ofLocalSecrets)).toEqual([
      expect.objectContaining({
        level: 'warn',
        service: 'playback-authorization',
        variables: ['STREAMPLANE_AUTH_SECRET', 'STREAMPLANE_CDN_SECRET'],
      }),
    ]);
  });
});
