/**
 * The secret that `npm run token`, `npm start` and an unconfigured local service use for account tokens
 * and CDN URLs alike; never use it anywhere else. It is public, so with NODE_ENV=production (the image)
 * a service refuses to start with it (@streamplane/platform's withSecrets).
 */
export const LOCAL_DEVELOPMENT_SECRET = 'streamplane-local-development-only';
