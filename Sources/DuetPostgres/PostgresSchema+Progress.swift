// The task's progress counts without a row every writer shares (migration pg-lat-progress-shards).

extension PostgresSchema {
    /// How many count rows a task's dataset and kind has at most (`duet_progress_shard`).
    static let progressShards = 64

    /// Every decision of a task, dataset and kind moved the one `progress` row of the three, locked by the
    /// deferred count trigger at COMMIT and held through the commit: with 8 people labeling, their commits
    /// queued on that row (the tail of key → decision committed). Now the counts of a task, dataset and kind
    /// are spread over rows keyed by `shard` as well, each writer moving the row of its server process
    /// (`duet_progress_shard()`: the backend's pid modulo `progressShards`), and a reader sums them
    /// (`taskProgress` always summed the task's rows). Concurrent writers lock distinct rows unless their pids
    /// meet modulo 64. The arithmetic is `duet_count_decision`'s (pg2), moved to the writer's row; a change of
    /// overlap recounts `complete` into shard 0 and zeroes it elsewhere; the routing's set-based counts
    /// (`RoutingWrite.countProgress`) move the routing's row the same way. Existing counts become shard 0.
    /// `duet_count_decision` is restated whole (a migration's SQL is frozen once applied, so pg2's stays as it
    /// was): it differs from pg2's only by `shard_` and the `shard` of the progress row it inserts and updates.
    static let progressShardsMigration = [
        "ALTER TABLE progress ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0",
        "ALTER TABLE progress DROP CONSTRAINT progress_pkey",
        "ALTER TABLE progress ADD PRIMARY KEY (task_id, dataset, kind, shard)",
        """
        CREATE FUNCTION duet_progress_shard() RETURNS smallint LANGUAGE sql STABLE AS $$
            SELECT (pg_backend_pid() % \(progressShards))::smallint
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION duet_count_decision(d decisions, sign integer) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            before_ item_progress;
            after_ item_progress;
            by_person boolean := d.status = 'submitted' AND d.annotator_kind = 'human';
            need integer;
            shard_ smallint := duet_progress_shard();
        BEGIN
            INSERT INTO item_progress (task_id, item_id) VALUES (d.task_id, d.item_id) ON CONFLICT DO NOTHING;
            SELECT * INTO before_ FROM item_progress WHERE task_id = d.task_id AND item_id = d.item_id FOR UPDATE;
            UPDATE item_progress SET
                submitted = submitted + sign * (d.status = 'submitted')::int,
                human = human + sign * by_person::int,
                machine = machine + sign * (d.status = 'submitted' AND d.annotator_kind = 'machine')::int,
                skipped = skipped + sign * (d.status = 'skipped')::int,
                flagged = flagged + sign * d.flagged::int,
                human_seconds = human_seconds + sign * CASE WHEN by_person THEN COALESCE(d.seconds, 0) ELSE 0 END,
                timed = timed + sign * (by_person AND d.seconds IS NOT NULL)::int
            WHERE task_id = d.task_id AND item_id = d.item_id
            RETURNING * INTO after_;
            SELECT overlap INTO need FROM tasks WHERE id = d.task_id;
            INSERT INTO progress (task_id, dataset, kind, shard)
                SELECT d.task_id, i.dataset, i.kind, shard_ FROM items i WHERE i.id = d.item_id
                ON CONFLICT DO NOTHING;
            UPDATE progress p SET
                human = p.human + (after_.human > 0)::int - (before_.human > 0)::int,
                machine_only = p.machine_only + (after_.machine > 0 AND after_.human = 0)::int
                                              - (before_.machine > 0 AND before_.human = 0)::int,
                skipped_only = p.skipped_only + (after_.skipped > 0 AND after_.submitted = 0)::int
                                              - (before_.skipped > 0 AND before_.submitted = 0)::int,
                submitted = p.submitted + (after_.submitted > 0)::int - (before_.submitted > 0)::int,
                flagged = p.flagged + (after_.flagged > 0)::int - (before_.flagged > 0)::int,
                human_seconds = p.human_seconds + after_.human_seconds - before_.human_seconds,
                timed = p.timed + after_.timed - before_.timed,
                complete = p.complete + (after_.human >= need)::int - (before_.human >= need)::int
            FROM items i
            WHERE i.id = d.item_id AND p.task_id = d.task_id AND p.dataset = i.dataset AND p.kind = i.kind AND p.shard = shard_;
        END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION duet_overlap_recounted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO progress (task_id, dataset, kind, shard)
                SELECT DISTINCT task_id, dataset, kind, 0 FROM progress WHERE task_id = NEW.id
                ON CONFLICT DO NOTHING;
            UPDATE progress SET complete = CASE WHEN shard <> 0 THEN 0 ELSE (
                SELECT COUNT(*) FROM item_progress p JOIN items i ON i.id = p.item_id
                WHERE p.task_id = NEW.id AND i.dataset = progress.dataset AND i.kind = progress.kind
                  AND p.human >= NEW.overlap) END
            WHERE task_id = NEW.id;
            RETURN NULL;
        END
        $$
        """,
    ]
}
