/**
 * The secret that `npm run token`, `npm start` and an unconfigured local service use for account tokens
 * and CDN URLs alike; never use it anywhere else.
 */
export const LOCAL_DEVELOPMENT_SECRET = 'streamplane-local-development-only';
