// The recording functions of a shared project (migrations pg4, pg5): one statement a decision.

extension PostgresSchema {
    /// Recording a decision as one statement, and the progress counts taken at commit.
    ///
    /// A decision was seven round trips (BEGIN, the item and task checks, the log entry, the decision, the
    /// routed item's pending flag, COMMIT), and the progress row of its task, dataset and kind, locked by the
    /// count trigger at the decision, stayed locked across the rest of them: with 8 people labeling, every
    /// commit queued on that one row for several round trips. Now:
    /// - `duet_append(entry…)` checks one entry (its task and item exist, a revocation names its target, one
    ///   source annotation per item and annotator; errors with SQLSTATE class DU, worded as SQLite's) and
    ///   appends it to the log, returning its id;
    /// - `duet_apply(ids)` makes the entries' effects on the decisions in item order (SQLite's record loop:
    ///   upsert a decision, settle a revocation, a routed item's pending flag), reading them from the log;
    /// - `duet_settle_decision`, `duet_lower_cursor` and `duet_queue_lock` are SQLite's `settleDecision`, the
    ///   cursor lowering under the exclusive queue lock, and the queue lock itself (one key for both modes).
    /// A single decision is `SELECT duet_apply(ARRAY[duet_append(…)])`: one statement in its transaction.
    /// The count trigger becomes a deferred constraint trigger: the counts move at COMMIT, in the order the
    /// decisions were written (item order), so the shared progress row is held for the commit only.
    static let recording = [
        """
        CREATE FUNCTION duet_queue_lock(p_task bigint, p_exclusive boolean) RETURNS boolean LANGUAGE plpgsql AS $$
        DECLARE
            -- The task id's low 32 bits as a signed int (ids 2^32 apart share a lock: coarser, never wrong).
            key_ integer := ((p_task & 4294967295) - CASE WHEN (p_task & 2147483648) <> 0 THEN 4294967296 ELSE 0 END)::integer;
        BEGIN
            -- 1148539985 = 0x44755451, "DuTQ": the class of the queue locks.
            IF p_exclusive THEN
                PERFORM pg_advisory_xact_lock(1148539985, key_);
            ELSE
                PERFORM pg_advisory_xact_lock_shared(1148539985, key_);
            END IF;
            RETURN true;
        END
        $$
        """,
        """
        CREATE FUNCTION duet_lower_cursor(p_task bigint, p_item bigint) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM duet_queue_lock(p_task, true);
            UPDATE queue_cursor SET after_item = p_item - 1 WHERE task_id = p_task AND after_item >= p_item;
            UPDATE queue_cursor_person SET after_item = p_item - 1 WHERE task_id = p_task AND after_item >= p_item;
        END
        $$
        """,
        """
        CREATE FUNCTION duet_settle_decision(p_task bigint, p_annotator text, p_item bigint, p_revoking bigint, p_as_of bigint)
        RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            e annotations;
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM decisions WHERE task_id = p_task AND annotator = p_annotator AND item_id = p_item
                                                     AND annotation_id = p_revoking) THEN
                RETURN;
            END IF;
            SELECT a.* INTO e FROM annotations a
            WHERE a.item_id = p_item AND a.task_id = p_task AND a.annotator = p_annotator AND a.status IN ('submitted', 'skipped')
              AND a.id <= p_as_of
              AND NOT EXISTS (SELECT 1 FROM annotations r WHERE r.item_id = a.item_id AND r.revokes = a.id AND r.status = 'revoked'
                                                          AND r.id <= p_as_of)
            ORDER BY a.created_at DESC, a.id DESC LIMIT 1;
            IF FOUND THEN
                INSERT INTO decisions (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged, seconds, decided_at)
                VALUES (p_task, p_annotator, p_item, e.id, e.annotator_kind, e.status, e.flagged, e.seconds, e.created_at)
                ON CONFLICT (task_id, annotator, item_id) DO UPDATE SET
                    annotation_id = excluded.annotation_id, annotator_kind = excluded.annotator_kind, status = excluded.status,
                    flagged = excluded.flagged, seconds = excluded.seconds, decided_at = excluded.decided_at;
            ELSE
                DELETE FROM decisions WHERE task_id = p_task AND annotator = p_annotator AND item_id = p_item;
                PERFORM duet_lower_cursor(p_task, p_item);
            END IF;
        END
        $$
        """,
        """
        CREATE FUNCTION duet_append(p_item bigint, p_task text, p_kind text, p_annotator text, p_value text, p_confidence double precision,
                                    p_votes text, p_entropy double precision, p_status text, p_flagged boolean, p_note text,
                                    p_created double precision, p_seconds double precision, p_display text, p_revokes bigint)
        RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE
            task_ bigint;
            id_ bigint;
        BEGIN
            IF p_task IS NOT NULL THEN
                SELECT id INTO task_ FROM tasks WHERE name = p_task;
                IF NOT FOUND THEN
                    RAISE EXCEPTION USING ERRCODE = 'DU001', MESSAGE = format('unknown task ''%s'' (is it declared in duet.toml?)', p_task);
                END IF;
            ELSIF p_kind <> 'source' THEN
                RAISE EXCEPTION USING ERRCODE = 'DU001',
                    MESSAGE = format('a %s annotation (by ''%s'') needs a task; only source annotations may have none', p_kind, p_annotator);
            END IF;
            IF NOT EXISTS (SELECT 1 FROM items WHERE id = p_item) THEN
                RAISE EXCEPTION USING ERRCODE = 'DU001', MESSAGE = format('no item with row id %s in the store', p_item);
            END IF;
            IF p_status = 'revoked' AND p_revokes IS NULL THEN
                RAISE EXCEPTION USING ERRCODE = 'DU001',
                    MESSAGE = format('a revoked entry (by ''%s'') must name the annotation it revokes', p_annotator);
            END IF;
            -- A concurrent duplicate fails on the unique index `annotations_source`.
            IF p_kind = 'source' AND EXISTS (SELECT 1 FROM annotations WHERE item_id = p_item AND annotator = p_annotator
                                                                         AND annotator_kind = 'source') THEN
                RAISE EXCEPTION USING ERRCODE = 'DU001',
                    MESSAGE = format('item %s already has a source annotation by ''%s''', p_item, p_annotator);
            END IF;
            INSERT INTO annotations (item_id, task_id, annotator_kind, annotator, value, confidence, votes, entropy, status, flagged,
                                     note, created_at, seconds, display, revokes)
            VALUES (p_item, task_, p_kind, p_annotator, p_value, p_confidence, p_votes, p_entropy, p_status, p_flagged,
                    p_note, p_created, p_seconds, p_display, p_revokes)
            RETURNING id INTO id_;
            RETURN id_;
        END
        $$
        """,
        """
        CREATE FUNCTION duet_apply(p_ids bigint[]) RETURNS bigint[] LANGUAGE plpgsql AS $$
        DECLARE
            e annotations;
        BEGIN
            -- Item order (stable: one item's entries keep their order), so concurrent writers lock rows in one order.
            FOR e IN SELECT a.* FROM unnest(p_ids) WITH ORDINALITY AS u(id, n) JOIN annotations a ON a.id = u.id
                     WHERE a.task_id IS NOT NULL ORDER BY a.item_id, u.n LOOP
                IF e.status IN ('submitted', 'skipped') THEN
                    INSERT INTO decisions (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged, seconds, decided_at)
                    VALUES (e.task_id, e.annotator, e.item_id, e.id, e.annotator_kind, e.status, e.flagged, e.seconds, e.created_at)
                    ON CONFLICT (task_id, annotator, item_id) DO UPDATE SET
                        annotation_id = excluded.annotation_id, annotator_kind = excluded.annotator_kind, status = excluded.status,
                        flagged = excluded.flagged, seconds = excluded.seconds, decided_at = excluded.decided_at;
                ELSIF e.revokes IS NOT NULL THEN
                    PERFORM duet_settle_decision(e.task_id, e.annotator, e.item_id, e.revokes, e.id);
                END IF;
                IF e.annotator_kind = 'human' THEN
                    -- A routed item stays pending for people until `overlap` of them decided it.
                    UPDATE routes SET pending = (route <> 'machine') AND (
                        SELECT COUNT(*) FROM decisions d
                        WHERE d.task_id = routes.task_id AND d.item_id = routes.item_id AND d.annotator_kind = 'human'
                    ) < (SELECT overlap FROM tasks WHERE id = routes.task_id)
                    WHERE task_id = e.task_id AND item_id = e.item_id;
                END IF;
            END LOOP;
            RETURN p_ids;
        END
        $$
        """,
        "DROP TRIGGER decisions_counted ON decisions",
        """
        CREATE CONSTRAINT TRIGGER decisions_counted AFTER INSERT OR UPDATE OR DELETE ON decisions
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION duet_decisions_counted()
        """,
    ]

    /// `duet_apply` as pg4 made it, but for the pending flag: counted in a statement that begins after the
    /// item's route row is locked. With overlap 2, two people deciding one item at once each counted the
    /// item's people in a snapshot without the other's decision, and the item stayed pending though decided
    /// (`twoPeopleDecidingOneItemAtOnceLeaveItDecided`). The whole function is restated, as a migration must:
    /// pg4's text is what servers already ran and is never edited.
    static let pendingCountedUnderLock = [
        """
        CREATE OR REPLACE FUNCTION duet_apply(p_ids bigint[]) RETURNS bigint[] LANGUAGE plpgsql AS $$
        DECLARE
            e annotations;
        BEGIN
            -- Item order (stable: one item's entries keep their order), so concurrent writers lock rows in one order.
            FOR e IN SELECT a.* FROM unnest(p_ids) WITH ORDINALITY AS u(id, n) JOIN annotations a ON a.id = u.id
                     WHERE a.task_id IS NOT NULL ORDER BY a.item_id, u.n LOOP
                IF e.status IN ('submitted', 'skipped') THEN
                    INSERT INTO decisions (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged, seconds, decided_at)
                    VALUES (e.task_id, e.annotator, e.item_id, e.id, e.annotator_kind, e.status, e.flagged, e.seconds, e.created_at)
                    ON CONFLICT (task_id, annotator, item_id) DO UPDATE SET
                        annotation_id = excluded.annotation_id, annotator_kind = excluded.annotator_kind, status = excluded.status,
                        flagged = excluded.flagged, seconds = excluded.seconds, decided_at = excluded.decided_at;
                ELSIF e.revokes IS NOT NULL THEN
                    PERFORM duet_settle_decision(e.task_id, e.annotator, e.item_id, e.revokes, e.id);
                END IF;
                IF e.annotator_kind = 'human' THEN
                    -- A routed item stays pending for people until `overlap` of them decided it. The row is locked
                    -- first and counted in a statement of its own: a statement sees what was committed when it
                    -- began, and one that waited for another person's transaction on this row began before their
                    -- decision was committed.
                    PERFORM 1 FROM routes WHERE task_id = e.task_id AND item_id = e.item_id FOR UPDATE;
                    UPDATE routes SET pending = (route <> 'machine') AND (
                        SELECT COUNT(*) FROM decisions d
                        WHERE d.task_id = routes.task_id AND d.item_id = routes.item_id AND d.annotator_kind = 'human'
                    ) < (SELECT overlap FROM tasks WHERE id = routes.task_id)
                    WHERE task_id = e.task_id AND item_id = e.item_id;
                END IF;
            END LOOP;
            RETURN p_ids;
        END
        $$
        """,
    ]

    /// `duet_apply` as pg5 made it, with the exclusive queue lock of a batch that revokes taken before any row.
    /// An undo took it inside `duet_settle_decision`, after the rows of the entries before it and just before its
    /// own route row; a routing that revoked machine decisions took it last, after every route row it wrote: a
    /// person's undo and a routing each held what the other waited for (40P01, seen in the 8-labeler run; the
    /// routing's error was lost before statements' results were read to their end). pg5's text with the lock added.
    static let queueLockFirst = [
        pendingCountedUnderLock[0].replacingOccurrences(of: itemOrderLoop, with: """
                -- A revocation may lower the queue cursors, under the task's exclusive queue lock (duet_lower_cursor). It
                -- is taken first, before any row: a routing takes it before it writes the routes' rows, so the two never
                -- wait for each other in opposite orders (the lock, then a route row; a route row, then the lock).
                PERFORM duet_queue_lock(s.task_id, true)
                FROM (SELECT DISTINCT a.task_id FROM unnest(p_ids) AS u(id) JOIN annotations a ON a.id = u.id
                      WHERE a.task_id IS NOT NULL AND a.revokes IS NOT NULL ORDER BY a.task_id) s;

            """ + itemOrderLoop),
    ]
    /// The line `queueLockFirst` puts the lock before (pg5's text, which never changes).
    static let itemOrderLoop = "    -- Item order (stable: one item's entries keep their order)"
}
