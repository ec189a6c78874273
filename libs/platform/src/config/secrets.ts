import { z } from 'zod';
import { Logger, type LogLevel } from '../logging/logger';

/**
 * Secrets that refuse to be defaults. A secret variable left unset means the local-development secret, so
 * that `npm start` and the tests need no configuration; that secret is in the repository, so outside local
 * development (NODE_ENV=production, as the image sets) a service refuses to start with it.
 */

/** HMAC-SHA256 keys (account tokens, CDN URLs): shorter than the hash's 32 bytes weakens them. */
export const MIN_SECRET_BYTES = 32;

export interface SecretsOptions<Variable extends string> {
  /** The component whose configuration this is: the `service` of its warning. */
  component: string;
  variables: readonly Variable[];
  /**
   * What an unset variable stands for (@streamplane/streaming's LOCAL_DEVELOPMENT_SECRET, which the
   * platform cannot import): at least MIN_SECRET_BYTES long, so that local development passes the same rule.
   */
  localDevelopmentSecret: string;
}

type SecretsShape<Variable extends string> = { NODE_ENV: z.ZodOptional<z.ZodString> } & {
  [V in Variable]: z.ZodDefault<z.ZodString>;
};

const secret = (localDevelopmentSecret: string) =>
  z
    .string()
    .refine((value) => Buffer.byteLength(value, 'utf8') >= MIN_SECRET_BYTES, {
      // Everywhere, not only in production: a short key that works locally would fail on the first deploy.
      error: (issue) =>
        `must be at least ${MIN_SECRET_BYTES} bytes, not ${Buffer.byteLength(String(issue.input), 'utf8')}`,
    })
    .default(localDevelopmentSecret);

/**
 * `schema` with the secret `variables` and NODE_ENV added: each at least MIN_SECRET_BYTES (UTF-8) long,
 * and unset meaning `localDevelopmentSecret`. With NODE_ENV=production that value is refused, naming the
 * variable; otherwise the variables holding it are named in one warning, logged by the first parse only
 * (a service parses its schema once, so: once per process).
 */
export function withSecrets<Shape extends z.ZodRawShape & { LOG_LEVEL: z.ZodType<LogLevel> }, Variable extends string>(
  schema: z.ZodObject<Shape>,
  { component, variables, localDevelopmentSecret }: SecretsOptions<Variable>,
) {
  if (Buffer.byteLength(localDevelopmentSecret, 'utf8') < MIN_SECRET_BYTES) {
    throw new Error(`the local-development secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const shape = {
    /** `production` outside local development (the image sets it); anything else, or unset, is local. */
    NODE_ENV: z.string().optional(),
    ...Object.fromEntries(variables.map((variable) => [variable, secret(localDevelopmentSecret)])),
  } as SecretsShape<Variable>;
  let warned = false;
  return schema.extend(shape).superRefine(
    (config, context) => {
      const values = config as Record<string, unknown>;
      const local = variables.filter((variable) => values[variable] === localDevelopmentSecret);
      if (local.length === 0) return;
      if (values.NODE_ENV === 'production') {
        for (const variable of local) {
          context.addIssue({
            code: 'custom',
            path: [variable],
            message:
              'is the local-development secret, which is public: with NODE_ENV=production set a secret of ' +
              `its own, at least ${MIN_SECRET_BYTES} bytes`,
          });
        }
      } else if (!warned && context.issues.length === 0) {
        warned = true;
        new Logger(component, values.LOG_LEVEL as LogLevel).warn(
          'using the local-development secret: fine locally, refused with NODE_ENV=production',
          { variables: local },
        );
      }
    },
    // Also when another variable is bad, so that one start names every problem.
    { when: () => true },
  );
}
