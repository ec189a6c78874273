import type { Pool } from 'pg';
import { NotFoundError } from '@streamplane/platform/errors';
import { withTransaction, type Migration } from '@streamplane/platform/postgres';
import {
  checkKidsMaturity,
  DEFAULT_HISTORY_CAP,
  mergeProfileChanges,
  nameKey,
  profileLimitReached,
  profileNameTaken,
  requireHistoryWindow,
} from '../domain';
import type {
  MaturityLevel,
  Profile,
  ProfileChanges,
  ProfileDraft,
  ProfileLimits,
  ProfileStore,
  SeedAccount,
  ViewingHistoryEntry,
} from '../domain';

/** Profiles' tables live in this schema of the database DATABASE_URL names. */
export const PROFILES_SCHEMA = 'profiles';

export const PROFILES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts, profiles, viewing history',
    sql: `
      CREATE TABLE accounts (
        account_id text PRIMARY KEY,
        -- n of the next profile id <account>-p<n>; only grows, so a deleted profile's id is never reused.
        next_profile_number integer NOT NULL DEFAULT 1
      );
      CREATE TABLE profiles (
        profile_id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES accounts,
        profile_number integer NOT NULL,
        name text NOT NULL,
        name_key text NOT NULL,
        maturity_level smallint NOT NULL,
        kids boolean NOT NULL,
        language text NOT NULL,
        avatar text NOT NULL,
        create_time timestamptz NOT NULL,
        update_time timestamptz NOT NULL,
        CONSTRAINT profiles_unique_name UNIQUE (account_id, name_key),
        UNIQUE (account_id, profile_number),
        CONSTRAINT profiles_kids_maturity CHECK (NOT kids OR maturity_level <= 7)
      );
      -- Recording order over the whole table: a profile's newest entry has its highest number.
      CREATE SEQUENCE viewing_history_recording;
      CREATE TABLE viewing_history (
        profile_id text NOT NULL REFERENCES profiles ON DELETE CASCADE,
        title_id text NOT NULL,
        position_seconds integer NOT NULL,
        runtime_seconds integer NOT NULL,
        completed boolean NOT NULL,
        watched_at timestamptz NOT NULL,
        recorded bigint NOT NULL DEFAULT nextval('viewing_history_recording'),
        PRIMARY KEY (profile_id, title_id)
      );
      CREATE INDEX viewing_history_newest_first ON viewing_history (profile_id, recorded DESC);
    `,
  },
];

const PROFILE_COLUMNS =
  'profile_id, account_id, name, maturity_level, kids, language, avatar, create_time, update_time';
const ENTRY_COLUMNS = 'title_id, position_seconds, runtime_seconds, completed, watched_at';

interface ProfileRow {
  profile_id: string;
  account_id: string;
  name: string;
  maturity_level: number;
  kids: boolean;
  language: string;
  avatar: string;
  create_time: Date;
  update_time: Date;
}

interface EntryRow {
  title_id: string;
  position_seconds: number;
  runtime_seconds: number;
  completed: boolean;
  watched_at: Date;
}

/**
 * The ProfileStore on PostgreSQL (schema {@link PROFILES_SCHEMA}, migrated by {@link PROFILES_MIGRATIONS}).
 * Rules that span rows hold under concurrency: createProfile locks the account row, so creates for one
 * account count and number profiles one after the other; the unique (account_id, name_key) index decides
 * races between creates and renames; recordProgress locks the profile row while it trims the history.
 */
export class PostgresProfileStore implements ProfileStore {
  private readonly historyCap: number;

  constructor(
    private readonly pool: Pool,
    options: { historyCap?: number } = {},
  ) {
    const cap = options.historyCap ?? DEFAULT_HISTORY_CAP;
    if (!Number.isSafeInteger(cap) || cap < 1)
      throw new RangeError(`historyCap must be a positive integer, got ${cap}`);
    this.historyCap = cap;
  }

  async addAccount(accountId: string): Promise<void> {
    await this.pool.query('INSERT INTO accounts (account_id) VALUES ($1) ON CONFLICT DO NOTHING', [accountId]);
  }

  async accountExists(accountId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM accounts WHERE account_id = $1', [accountId]);
    return rowCount !== 0;
  }

  async getProfile(profileId: string): Promise<Profile> {
    const { rows } = await this.pool.query<ProfileRow>(
      `SELECT ${PROFILE_COLUMNS} FROM profiles WHERE profile_id = $1`,
      [profileId],
    );
    if (!rows[0]) throw new NotFoundError('profile', profileId);
    return toProfile(rows[0]);
  }

  async listProfiles(accountId: string): Promise<Profile[]> {
    // One statement: no row at all means no account; a row without a profile, an account without profiles.
    const { rows } = await this.pool.query<ProfileRow | { profile_id: null }>(
      `SELECT ${qualified('p', PROFILE_COLUMNS)}
         FROM accounts a LEFT JOIN profiles p ON p.account_id = a.account_id
        WHERE a.account_id = $1
        ORDER BY p.profile_number`,
      [accountId],
    );
    if (rows.length === 0) throw new NotFoundError('account', accountId);
    return rows.filter((row): row is ProfileRow => row.profile_id !== null).map(toProfile);
  }

  async createProfile(draft: ProfileDraft, limits: ProfileLimits): Promise<Profile> {
    return withTransaction(this.pool, async (client) => {
      const account = await client.query<{ next_profile_number: number }>(
        'SELECT next_profile_number FROM accounts WHERE account_id = $1 FOR UPDATE',
        [draft.accountId],
      );
      if (!account.rows[0]) throw new NotFoundError('account', draft.accountId);
      const { count } = (
        await client.query<{ count: number }>('SELECT count(*)::int AS count FROM profiles WHERE account_id = $1', [
          draft.accountId,
        ])
      ).rows[0]!;
      if (count >= limits.maxPerAccount) throw profileLimitReached(draft.accountId, count, limits);
      checkKidsMaturity(draft.kids, draft.maturityLevel, 'maturity_level');

      const number = account.rows[0].next_profile_number;
      const created = await client
        .query<ProfileRow>(
          `INSERT INTO profiles (profile_id, account_id, profile_number, name, name_key, maturity_level, kids,
                                 language, avatar, create_time, update_time)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
           RETURNING ${PROFILE_COLUMNS}`,
          [
            `${draft.accountId}-p${number}`,
            draft.accountId,
            number,
            draft.name,
            nameKey(draft.name),
            draft.maturityLevel,
            draft.kids,
            draft.language,
            draft.avatar,
            draft.createTime,
          ],
        )
        .catch(nameTakenAs(draft.accountId, draft.name));
      await client.query('UPDATE accounts SET next_profile_number = $2 WHERE account_id = $1', [
        draft.accountId,
        number + 1,
      ]);
      return toProfile(created.rows[0]!);
    });
  }

  async updateProfile(profileId: string, changes: ProfileChanges, updateTime: Date): Promise<Profile> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<ProfileRow>(
        `SELECT ${PROFILE_COLUMNS} FROM profiles WHERE profile_id = $1 FOR UPDATE`,
        [profileId],
      );
      if (!rows[0]) throw new NotFoundError('profile', profileId);
      const current = toProfile(rows[0]);
      const { next, changed } = mergeProfileChanges(current, changes, updateTime);
      if (!changed) return current;
      const updated = await client
        .query<ProfileRow>(
          `UPDATE profiles
              SET name = $2, name_key = $3, maturity_level = $4, kids = $5, language = $6, avatar = $7,
                  update_time = $8
            WHERE profile_id = $1
        RETURNING ${PROFILE_COLUMNS}`,
          [
            profileId,
            next.name,
            nameKey(next.name),
            next.maturityLevel,
            next.kids,
            next.language,
            next.avatar,
            next.updateTime,
          ],
        )
        .catch(nameTakenAs(current.accountId, next.name));
      return toProfile(updated.rows[0]!);
    });
  }

  async deleteProfile(profileId: string): Promise<void> {
    // The history goes with the profile: ON DELETE CASCADE.
    const { rowCount } = await this.pool.query('DELETE FROM profiles WHERE profile_id = $1', [profileId]);
    if (rowCount === 0) throw new NotFoundError('profile', profileId);
  }

  async recordProgress(profileId: string, entry: ViewingHistoryEntry): Promise<ViewingHistoryEntry> {
    return withTransaction(this.pool, async (client) => {
      const profile = await client.query('SELECT 1 FROM profiles WHERE profile_id = $1 FOR UPDATE', [profileId]);
      if (profile.rowCount === 0) throw new NotFoundError('profile', profileId);
      // A new recording number on insert and on replace alike: recording again makes the entry the newest.
      const stored = await client.query<EntryRow>(
        `INSERT INTO viewing_history (profile_id, ${ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (profile_id, title_id) DO UPDATE
           SET position_seconds = EXCLUDED.position_seconds, runtime_seconds = EXCLUDED.runtime_seconds,
               completed = EXCLUDED.completed, watched_at = EXCLUDED.watched_at, recorded = EXCLUDED.recorded
         RETURNING ${ENTRY_COLUMNS}`,
        [profileId, entry.titleId, entry.positionSeconds, entry.runtimeSeconds, entry.completed, entry.watchedAt],
      );
      await client.query(
        `DELETE FROM viewing_history
          WHERE profile_id = $1
            AND recorded <= (SELECT recorded FROM viewing_history WHERE profile_id = $1
                              ORDER BY recorded DESC OFFSET $2 LIMIT 1)`,
        [profileId, this.historyCap],
      );
      return toEntry(stored.rows[0]!);
    });
  }

  async history(profileId: string, offset: number, limit: number): Promise<ViewingHistoryEntry[]> {
    requireHistoryWindow(offset, limit);
    // One statement: no row means no profile; a row without a title, a page past the end.
    const { rows } = await this.pool.query<EntryRow | { title_id: null }>(
      `SELECT ${qualified('h', ENTRY_COLUMNS)}
         FROM profiles p
         LEFT JOIN LATERAL (SELECT * FROM viewing_history v WHERE v.profile_id = p.profile_id
                             ORDER BY v.recorded DESC OFFSET $2 LIMIT $3) h ON true
        WHERE p.profile_id = $1
        ORDER BY h.recorded DESC`,
      [profileId, offset, limit],
    );
    if (rows.length === 0) throw new NotFoundError('profile', profileId);
    return rows.filter((row): row is EntryRow => row.title_id !== null).map(toEntry);
  }

  /**
   * Writes the seed in one transaction when the store holds no account; returns whether it did. Replicas
   * starting together queue on a table lock, so one seeds and the others find it done. Ids are the ones
   * the seed names, which is what seedProfiles checks a store assigns.
   */
  async seedIfEmpty(accounts: readonly SeedAccount[]): Promise<boolean> {
    const profiles = accounts.flatMap((account) =>
      account.profiles.map(({ profile }, index) => {
        if (profile.profileId !== `${account.accountId}-p${index + 1}`) {
          throw new Error(`seed: profile "${profile.profileId}" is number ${index + 1} of "${account.accountId}"`);
        }
        return { ...profile, number: index + 1 };
      }),
    );
    // Oldest first, so the recording numbers 1, 2, 3, … put each profile's last entry on top.
    const entries = accounts.flatMap((account) =>
      account.profiles.flatMap(({ profile, history }) => history.map((entry) => ({ ...entry, profile }))),
    );
    return withTransaction(this.pool, async (client) => {
      await client.query('LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE');
      if ((await client.query('SELECT 1 FROM accounts LIMIT 1')).rowCount !== 0) return false;
      await client.query(
        'INSERT INTO accounts (account_id, next_profile_number) SELECT * FROM unnest($1::text[], $2::integer[])',
        [accounts.map((a) => a.accountId), accounts.map((a) => a.profiles.length + 1)],
      );
      await client.query(
        `INSERT INTO profiles (profile_id, account_id, profile_number, name, name_key, maturity_level, kids,
                               language, avatar, create_time, update_time)
         SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::smallint[],
                              $7::boolean[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[])`,
        [
          profiles.map((p) => p.profileId),
          profiles.map((p) => p.accountId),
          profiles.map((p) => p.number),
          profiles.map((p) => p.name),
          profiles.map((p) => nameKey(p.name)),
          profiles.map((p) => p.maturityLevel),
          profiles.map((p) => p.kids),
          profiles.map((p) => p.language),
          profiles.map((p) => p.avatar),
          profiles.map((p) => p.createTime),
          profiles.map((p) => p.updateTime),
        ],
      );
      if (entries.length > 0) {
        await client.query(
          `INSERT INTO viewing_history (profile_id, ${ENTRY_COLUMNS}, recorded)
           SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::boolean[],
                                $6::timestamptz[], $7::bigint[])`,
          [
            entries.map((e) => e.profile.profileId),
            entries.map((e) => e.titleId),
            entries.map((e) => e.positionSeconds),
            entries.map((e) => e.runtimeSeconds),
            entries.map((e) => e.completed),
            entries.map((e) => e.watchedAt),
            entries.map((_, i) => i + 1),
          ],
        );
        await client.query(`SELECT setval('viewing_history_recording', $1)`, [entries.length]);
      }
      return accounts.length > 0;
    });
  }
}

/** The unique name index, violated: the same AlreadyExistsError the in-memory store throws. */
function nameTakenAs(accountId: string, name: string): (error: unknown) => never {
  return (error) => {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint === 'profiles_unique_name') throw profileNameTaken(accountId, name);
    throw error;
  };
}

function qualified(alias: string, columns: string): string {
  return columns
    .split(', ')
    .map((column) => `${alias}.${column}`)
    .join(', ');
}

function toProfile(row: ProfileRow): Profile {
  return {
    profileId: row.profile_id,
    accountId: row.account_id,
    name: row.name,
    maturityLevel: row.maturity_level as MaturityLevel,
    kids: row.kids,
    language: row.language,
    avatar: row.avatar,
    createTime: row.create_time,
    updateTime: row.update_time,
  };
}

function toEntry(row: EntryRow): ViewingHistoryEntry {
  return {
    titleId: row.title_id,
    positionSeconds: row.position_seconds,
    runtimeSeconds: row.runtime_seconds,
    completed: row.completed,
    watchedAt: row.watched_at,
  };
}
