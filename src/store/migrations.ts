import type { SqlDatabase } from './sql.ts';

/**
 * Versioned schema migrations, applied in order and recorded in
 * `schema_migrations`; one statement list serves both backends (portable types:
 * TEXT, BIGINT epoch milliseconds, DOUBLE PRECISION, partial indexes). A migration,
 * once released, is never edited: a change is a new version.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'queue, grade record, report state, write budget',
    statements: [
      `CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        installation_id BIGINT NOT NULL,
        repo_id BIGINT NOT NULL,
        sha TEXT NOT NULL,
        lane TEXT,
        commit_key TEXT NOT NULL,
        delivered_at TEXT NOT NULL,
        request TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        run_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        created_at BIGINT NOT NULL,
        started_at BIGINT,
        finished_at BIGINT,
        outcome TEXT,
        last_error TEXT,
        superseded_by TEXT,
        check_run_id BIGINT,
        notice_until BIGINT
      )`,
      // One job per delivery: GitHub's redelivery (or a retried POST) is the same job.
      `CREATE UNIQUE INDEX jobs_delivery ON jobs (delivery_id, kind)`,
      // At most one waiting job per commit and week: a push and its pull request's event merge.
      `CREATE UNIQUE INDEX jobs_waiting_commit ON jobs (commit_key) WHERE state = 'queued'`,
      `CREATE INDEX jobs_ready ON jobs (state, run_at)`,
      `CREATE INDEX jobs_lane ON jobs (lane, state)`,
      `CREATE TABLE gradings (
        job_id TEXT PRIMARY KEY,
        installation_id BIGINT NOT NULL,
        org TEXT NOT NULL,
        repo_id BIGINT NOT NULL,
        repo TEXT NOT NULL,
        students TEXT NOT NULL,
        week INTEGER NOT NULL,
        sha TEXT NOT NULL,
        delivered_at TEXT NOT NULL,
        graded_at TEXT NOT NULL,
        trigger_kind TEXT NOT NULL,
        pull_request INTEGER,
        pack_name TEXT NOT NULL,
        pack_hash TEXT NOT NULL,
        image TEXT NOT NULL,
        image_id TEXT NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        max_score DOUBLE PRECISION NOT NULL,
        pending_points DOUBLE PRECISION NOT NULL,
        error_points DOUBLE PRECISION NOT NULL,
        criteria TEXT NOT NULL,
        late TEXT NOT NULL,
        penalty DOUBLE PRECISION NOT NULL,
        final_score DOUBLE PRECISION,
        check_run_id BIGINT,
        check_run_url TEXT,
        published_at TEXT,
        grade TEXT NOT NULL
      )`,
      `CREATE INDEX gradings_commit ON gradings (repo_id, sha, week)`,
      `CREATE INDEX gradings_org_week ON gradings (org, week)`,
      `CREATE TABLE check_runs (
        repo_id BIGINT NOT NULL,
        sha TEXT NOT NULL,
        week INTEGER NOT NULL,
        check_run_id BIGINT NOT NULL,
        url TEXT,
        PRIMARY KEY (repo_id, sha, week)
      )`,
      `CREATE TABLE comments (
        repo_id BIGINT NOT NULL,
        issue INTEGER NOT NULL,
        week INTEGER NOT NULL,
        comment_id BIGINT NOT NULL,
        PRIMARY KEY (repo_id, issue, week)
      )`,
      `CREATE TABLE extensions (
        org TEXT NOT NULL,
        repo_id BIGINT NOT NULL,
        week INTEGER NOT NULL,
        minutes INTEGER NOT NULL,
        granted_by TEXT NOT NULL,
        granted_at TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (repo_id, week)
      )`,
      // The last course settings seen for each organization: what an export needs offline.
      `CREATE TABLE courses (
        org TEXT PRIMARY KEY,
        weeks INTEGER NOT NULL,
        counts TEXT NOT NULL,
        config TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      // GitHub's write budget, one lane per installation, shared by every process.
      `CREATE TABLE write_budget (
        installation_id BIGINT PRIMARY KEY,
        next_write_at BIGINT NOT NULL,
        next_notify_at BIGINT NOT NULL,
        writes BIGINT NOT NULL DEFAULT 0
      )`,
    ],
  },
  {
    version: 2,
    name: 'TA overrides, commands and tampering',
    statements: [
      // Every TA change is an event; the current override of a criterion is its latest event.
      `CREATE TABLE overrides (
        id TEXT PRIMARY KEY,
        org TEXT NOT NULL,
        repo_id BIGINT NOT NULL,
        week INTEGER NOT NULL,
        criterion TEXT NOT NULL,
        action TEXT NOT NULL,
        points DOUBLE PRECISION,
        reason TEXT,
        by_login TEXT NOT NULL,
        at TEXT NOT NULL,
        seq BIGINT NOT NULL,
        automatic_points DOUBLE PRECISION,
        comment_id BIGINT
      )`,
      `CREATE INDEX overrides_week ON overrides (repo_id, week, criterion, seq)`,
      `CREATE INDEX overrides_org ON overrides (org)`,
      // The comment as it was when acted on: an edit or deletion later changes nothing.
      `CREATE TABLE ta_commands (
        comment_id BIGINT PRIMARY KEY,
        org TEXT NOT NULL,
        repo_id BIGINT NOT NULL,
        pull_request INTEGER NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        outcome TEXT NOT NULL,
        at TEXT NOT NULL
      )`,
      `CREATE TABLE tampering (
        id TEXT PRIMARY KEY,
        repo_id BIGINT NOT NULL,
        pull_request INTEGER NOT NULL,
        comment_id BIGINT NOT NULL,
        action TEXT NOT NULL,
        by_login TEXT NOT NULL,
        author TEXT NOT NULL,
        at TEXT NOT NULL
      )`,
      `CREATE INDEX tampering_pr ON tampering (repo_id, pull_request)`,
    ],
  },
  {
    version: 3,
    name: 'lease tokens',
    statements: [
      // A new token per claim: a worker that lost its lease (frozen, partitioned) cannot
      // write as the one that took the job over, even when both are the same process.
      `ALTER TABLE jobs ADD COLUMN lease_token TEXT`,
    ],
  },
  {
    version: 4,
    name: 'the outbox and the full write budget',
    statements: [
      // Everything Rubrica tells GitHub waits here until the installation's budget lets it out.
      `CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        installation_id BIGINT NOT NULL,
        kind TEXT NOT NULL,
        stale_key TEXT,
        job_id TEXT,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        position INTEGER NOT NULL,
        finished_at BIGINT,
        lease_owner TEXT,
        lease_token TEXT,
        lease_until BIGINT,
        result TEXT,
        last_error TEXT,
        stale_by TEXT
      )`,
      `CREATE INDEX outbox_ready ON outbox (state, installation_id, created_at, position)`,
      `CREATE INDEX outbox_stale ON outbox (stale_key, state)`,
      `CREATE INDEX outbox_job ON outbox (job_id)`,
      // The last hour of each installation's writes: the windows of GitHub's secondary limits.
      `CREATE TABLE write_log (
        installation_id BIGINT NOT NULL,
        at BIGINT NOT NULL,
        endpoint TEXT NOT NULL,
        creates INTEGER NOT NULL
      )`,
      `CREATE INDEX write_log_lane ON write_log (installation_id, at)`,
      // Set from GitHub's retry-after or x-ratelimit-reset: no write of the installation before it.
      `ALTER TABLE write_budget ADD COLUMN paused_until BIGINT NOT NULL DEFAULT 0`,
    ],
  },
  {
    version: 5,
    name: 'course roster',
    statements: [
      // The course's students as the LMS knows them; a re-import replaces an organization's rows.
      `CREATE TABLE roster (
        org TEXT NOT NULL,
        position INTEGER NOT NULL,
        login TEXT,
        login_key TEXT,
        identifier TEXT,
        name TEXT,
        email TEXT,
        section TEXT,
        github_id BIGINT,
        imported_at TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (org, position)
      )`,
      `CREATE INDEX roster_login ON roster (org, login_key)`,
    ],
  },
  {
    version: 6,
    name: 'review requests and held regrades',
    statements: [
      // A student's request that a TA look again at one criterion of one week; answered once.
      `CREATE TABLE review_requests (
        id TEXT PRIMARY KEY,
        org TEXT NOT NULL,
        installation_id BIGINT NOT NULL,
        repo_id BIGINT NOT NULL,
        repo TEXT NOT NULL,
        pull_request INTEGER NOT NULL,
        week INTEGER NOT NULL,
        criterion TEXT NOT NULL,
        reason TEXT NOT NULL,
        student TEXT NOT NULL,
        comment_id BIGINT NOT NULL,
        at TEXT NOT NULL,
        state TEXT NOT NULL,
        answered_by TEXT,
        answered_at TEXT,
        answered_how TEXT,
        answer TEXT
      )`,
      // At most one open request per criterion and week of a repository.
      `CREATE UNIQUE INDEX review_requests_open ON review_requests (repo_id, week, criterion) WHERE state = 'open'`,
      `CREATE UNIQUE INDEX review_requests_comment ON review_requests (comment_id, week, criterion)`,
      `CREATE INDEX review_requests_org ON review_requests (org, state)`,
      // A whole week graded again after a rubric fix: held until an instructor publishes or discards it.
      `CREATE TABLE regrades (
        id TEXT PRIMARY KEY,
        org TEXT NOT NULL,
        week INTEGER NOT NULL,
        state TEXT NOT NULL,
        requested_by TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT
      )`,
      // One student's counted grading rerun: its job, and what the job made, held back.
      `CREATE TABLE regrade_items (
        regrade_id TEXT NOT NULL,
        repo_id BIGINT NOT NULL,
        before_job_id TEXT NOT NULL,
        job_id TEXT NOT NULL,
        grading TEXT,
        publications TEXT,
        PRIMARY KEY (regrade_id, repo_id)
      )`,
      `CREATE UNIQUE INDEX regrade_items_job ON regrade_items (job_id)`,
      // A published regrade's grading replaces the commit's earlier gradings of the week in the count; both stay in the record.
      `ALTER TABLE gradings ADD COLUMN replaced_by TEXT`,
      // What the teaching team did in the dashboard, with who and when (the overrides and extensions keep theirs too).
      `CREATE TABLE dashboard_actions (
        id TEXT PRIMARY KEY,
        org TEXT NOT NULL,
        by_login TEXT NOT NULL,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
      )`,
      `CREATE INDEX dashboard_actions_org ON dashboard_actions (org, at)`,
    ],
  },
  {
    version: 7,
    name: 'several courses per organization; grading units (weeks, assignments, deliveries)',
    statements: [
      // Every record names its course (a single-course file's is `default`) and its unit
      // (`week-3`, `final`, `final/first`); `week` stays for the rows before (0 for an assignment).
      `ALTER TABLE gradings ADD COLUMN course TEXT NOT NULL DEFAULT 'default'`,
      `ALTER TABLE gradings ADD COLUMN unit TEXT NOT NULL DEFAULT ''`,
      `UPDATE gradings SET unit = 'week-' || week`,
      `CREATE INDEX gradings_unit ON gradings (repo_id, sha, unit)`,
      `CREATE INDEX gradings_course ON gradings (org, course)`,
      `ALTER TABLE overrides ADD COLUMN course TEXT NOT NULL DEFAULT 'default'`,
      `ALTER TABLE overrides ADD COLUMN unit TEXT NOT NULL DEFAULT ''`,
      `UPDATE overrides SET unit = 'week-' || week`,
      `CREATE INDEX overrides_unit ON overrides (repo_id, unit, criterion, seq)`,
      // Keyed by unit now: rebuilt (neither backend changes a primary key in place the same way).
      `CREATE TABLE extensions_v7 (
        org TEXT NOT NULL,
        course TEXT NOT NULL,
        repo_id BIGINT NOT NULL,
        unit TEXT NOT NULL,
        minutes INTEGER NOT NULL,
        granted_by TEXT NOT NULL,
        granted_at TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (repo_id, unit)
      )`,
      `INSERT INTO extensions_v7 (org, course, repo_id, unit, minutes, granted_by, granted_at, reason)
        SELECT org, 'default', repo_id, 'week-' || week, minutes, granted_by, granted_at, reason FROM extensions`,
      `DROP TABLE extensions`,
      `ALTER TABLE extensions_v7 RENAME TO extensions`,
      `CREATE TABLE check_runs_v7 (
        repo_id BIGINT NOT NULL,
        sha TEXT NOT NULL,
        unit TEXT NOT NULL,
        check_run_id BIGINT NOT NULL,
        url TEXT,
        PRIMARY KEY (repo_id, sha, unit)
      )`,
      `INSERT INTO check_runs_v7 (repo_id, sha, unit, check_run_id, url) SELECT repo_id, sha, 'week-' || week, check_run_id, url FROM check_runs`,
      `DROP TABLE check_runs`,
      `ALTER TABLE check_runs_v7 RENAME TO check_runs`,
      `CREATE TABLE comments_v7 (
        repo_id BIGINT NOT NULL,
        issue INTEGER NOT NULL,
        unit TEXT NOT NULL,
        comment_id BIGINT NOT NULL,
        PRIMARY KEY (repo_id, issue, unit)
      )`,
      `INSERT INTO comments_v7 (repo_id, issue, unit, comment_id) SELECT repo_id, issue, 'week-' || week, comment_id FROM comments`,
      `DROP TABLE comments`,
      `ALTER TABLE comments_v7 RENAME TO comments`,
      // One row per organization and course; `units` (JSON) are the gradebook's columns in order.
      `CREATE TABLE courses_v7 (
        org TEXT NOT NULL,
        course TEXT NOT NULL,
        weeks INTEGER NOT NULL,
        units TEXT NOT NULL,
        counts TEXT NOT NULL,
        config TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (org, course)
      )`,
      `INSERT INTO courses_v7 (org, course, weeks, units, counts, config, updated_at) SELECT org, 'default', weeks, '', counts, config, updated_at FROM courses`,
      `DROP TABLE courses`,
      `ALTER TABLE courses_v7 RENAME TO courses`,
    ],
  },
];

/**
 * Brings the schema up to date. Several instances may start at once on PostgreSQL:
 * an advisory lock makes them take turns; SQLite's BEGIN IMMEDIATE does the same.
 */
export async function migrate(db: SqlDatabase): Promise<number[]> {
  await db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  return db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7431001)');
    const done = new Set((await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const statement of m.statements) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      applied.push(m.version);
    }
    return applied;
  });
}
