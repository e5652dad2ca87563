// The labeling queue's hot path in the server (migration pg-lat-queue-in-server): one statement a call.

extension PostgresSchema {
    /// `nextItem` and a single decision as one statement each, in the server.
    ///
    /// `nextItem` was BEGIN, the task under its shared queue lock, the lease cleanup, two to six picks (each
    /// claim runs its query twice), a cursor move, the lease and COMMIT: up to twelve round trips, and every
    /// statement planned anew (0.3–0.6 ms each on a loaded machine, more than running it). `duet_next_item` is
    /// that same sequence of statements (PostgresStore+Labeling.swift says why each lock is taken), run by
    /// PL/pgSQL, which keeps each statement's plan for the session; called outside an explicit transaction, it
    /// is its own transaction: one round trip. Every statement of a VOLATILE function takes a new snapshot
    /// (READ COMMITTED), so a claim's second pick still sees every lease committed before its row lock was ours.
    /// - `duet_pick` is one pick: `gold` (a honeypot: the person's next gold item in their order `p_gold`, given
    ///   by the caller when `Honeypots.due` says one is due; PostgresStore+Honeypots.swift), `routed` (a routed
    ///   item with a seat open), `open` (the first undecided item
    ///   after the cursor nobody else has open) or `seat` (overlap: the first item after the person's cursor
    ///   with a seat open), each locking the item it returns (`FOR NO KEY UPDATE … SKIP LOCKED`);
    /// - `duet_claim` runs a pick until it returns the same item twice in a row (as `PostgresStore.claim`);
    /// - `duet_move_cursor` moves a queue cursor: forward only (`GREATEST`), the task's left alone while another
    ///   asker holds its row; `duet_open_for` is overlap's test of an item open for a person.
    /// `p_lock_ms` (nil: the server's) is the call's `lock_timeout`, as `write`'s `SET LOCAL` sets it.
    /// `duet_record_one` is one decision (`duet_apply(ARRAY[duet_append(…)])`) under that lock timeout, its counts
    /// taken at its end (`SET CONSTRAINTS … IMMEDIATE`) rather than at the COMMIT: called outside a transaction, its
    /// COMMIT is the protocol's Sync, and postgres-nio does not report an error there once the statement answered
    /// (a count that failed on a lock timeout rolled the decision back while the call returned its id).
    static let queueInServer = [
        // With overlap: the item is open for the person (they have not decided it, no machine decided it, fewer
        // than `overlap` people did). A one-expression SQL function: the planner inlines it into the query.
        """
        CREATE FUNCTION duet_open_for(p_task bigint, p_annotator text, p_item bigint, p_overlap integer)
        RETURNS boolean LANGUAGE sql STABLE AS $$
            SELECT NOT EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = p_task AND d.annotator = p_annotator AND d.item_id = p_item)
               AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = p_task AND d.item_id = p_item
                                                          AND d.annotator_kind = 'machine' AND d.status = 'submitted')
               AND (SELECT COUNT(*) FROM decisions h WHERE h.task_id = p_task AND h.item_id = p_item
                                                      AND h.annotator_kind = 'human') < p_overlap
        $$
        """,
        """
        CREATE FUNCTION duet_pick(p_mode text, p_task bigint, p_dataset text, p_kinds text[], p_annotator text,
                                  p_now double precision, p_after bigint, p_overlap integer, p_gold bigint[])
        RETURNS items LANGUAGE plpgsql AS $$
        DECLARE
            r items;
        BEGIN
            IF p_mode = 'gold' THEN
                -- A honeypot: the person's next gold item in their order, one they have no entry on.
                SELECT items.* INTO r FROM items
                WHERE items.gold IS NOT NULL AND (p_dataset IS NULL OR items.dataset = p_dataset) AND items.kind = ANY(p_kinds)
                  AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.item_id = items.id AND a.task_id = p_task
                                                               AND a.annotator = p_annotator)
                  AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.task_id = p_task AND l.item_id = items.id
                                                          AND l.annotator <> p_annotator AND l.expires_at > p_now)
                ORDER BY (items.id * p_gold[1] + p_gold[2]) % p_gold[3], items.id LIMIT 1 FOR NO KEY UPDATE OF items SKIP LOCKED;
            ELSIF p_mode = 'routed' THEN
                SELECT items.* INTO r FROM routes rt JOIN items ON items.id = rt.item_id
                WHERE rt.task_id = p_task AND rt.pending
                  AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = rt.task_id AND d.annotator = p_annotator
                                                             AND d.item_id = rt.item_id)
                  AND (SELECT COUNT(*) FROM decisions h WHERE h.task_id = rt.task_id AND h.item_id = rt.item_id
                                                         AND h.annotator_kind = 'human')
                    + (SELECT COUNT(*) FROM leases l WHERE l.task_id = rt.task_id AND l.item_id = rt.item_id
                                                      AND l.annotator <> p_annotator AND l.expires_at > p_now)
                    < (SELECT overlap FROM tasks WHERE id = rt.task_id)
                ORDER BY rt.score DESC, rt.item_id LIMIT 1 FOR NO KEY UPDATE OF items SKIP LOCKED;
            ELSIF p_mode = 'open' THEN
                SELECT items.* INTO r FROM items
                WHERE items.id > p_after AND (p_dataset IS NULL OR items.dataset = p_dataset) AND items.kind = ANY(p_kinds)
                  AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = p_task AND d.item_id = items.id)
                  AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.task_id = p_task AND l.item_id = items.id
                                                          AND l.annotator <> p_annotator AND l.expires_at > p_now)
                ORDER BY items.id LIMIT 1 FOR NO KEY UPDATE OF items SKIP LOCKED;
            ELSE
                SELECT items.* INTO r FROM items
                WHERE items.id > p_after AND (p_dataset IS NULL OR items.dataset = p_dataset) AND items.kind = ANY(p_kinds)
                  AND duet_open_for(p_task, p_annotator, items.id, p_overlap)
                  AND (SELECT COUNT(*) FROM decisions h WHERE h.task_id = p_task AND h.item_id = items.id
                                                         AND h.annotator_kind = 'human')
                    + (SELECT COUNT(*) FROM leases l WHERE l.task_id = p_task AND l.item_id = items.id
                                                      AND l.annotator <> p_annotator AND l.expires_at > p_now)
                    < (SELECT overlap FROM tasks WHERE id = p_task)
                ORDER BY items.id LIMIT 1 FOR NO KEY UPDATE OF items SKIP LOCKED;
            END IF;
            RETURN r;
        END
        $$
        """,
        """
        CREATE FUNCTION duet_claim(p_mode text, p_task bigint, p_dataset text, p_kinds text[], p_annotator text,
                                   p_now double precision, p_after bigint, p_overlap integer, p_gold bigint[] DEFAULT NULL)
        RETURNS items LANGUAGE plpgsql AS $$
        DECLARE
            candidate items;
            again items;
        BEGIN
            candidate := duet_pick(p_mode, p_task, p_dataset, p_kinds, p_annotator, p_now, p_after, p_overlap, p_gold);
            FOR attempt IN 1..64 LOOP
                IF candidate.id IS NULL THEN
                    RETURN candidate;
                END IF;
                again := duet_pick(p_mode, p_task, p_dataset, p_kinds, p_annotator, p_now, p_after, p_overlap, p_gold);
                IF again.id IS NOT NULL AND again.id = candidate.id THEN
                    RETURN candidate;
                END IF;
                candidate := again;
            END LOOP;
            RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'the queue changed under every attempt';
        END
        $$
        """,
        """
        CREATE FUNCTION duet_move_cursor(p_task bigint, p_annotator text, p_filter text, p_value bigint)
        RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF p_annotator IS NOT NULL THEN
                INSERT INTO queue_cursor_person AS c (task_id, annotator, filter, after_item)
                VALUES (p_task, p_annotator, p_filter, p_value)
                ON CONFLICT (task_id, annotator) DO UPDATE SET
                    after_item = CASE WHEN c.filter = excluded.filter THEN GREATEST(c.after_item, excluded.after_item)
                                      ELSE excluded.after_item END,
                    filter = excluded.filter;
            ELSE
                -- The task's cursor is everyone's: left as it is while another asker holds its row (never waited for).
                WITH held AS (SELECT task_id FROM queue_cursor WHERE task_id = p_task FOR UPDATE SKIP LOCKED),
                     moved AS (UPDATE queue_cursor c
                               SET after_item = CASE WHEN c.filter = p_filter THEN GREATEST(c.after_item, p_value) ELSE p_value END,
                                   filter = p_filter
                               FROM held WHERE c.task_id = held.task_id)
                INSERT INTO queue_cursor (task_id, filter, after_item)
                SELECT p_task, p_filter, p_value WHERE NOT EXISTS (SELECT 1 FROM queue_cursor WHERE task_id = p_task)
                ON CONFLICT (task_id) DO NOTHING;
            END IF;
        END
        $$
        """,
        """
        CREATE FUNCTION duet_next_item(p_task text, p_dataset text, p_kinds text[], p_signature text, p_annotator text,
                                       p_now double precision, p_lease double precision, p_lock_ms integer, p_gold bigint[])
        RETURNS SETOF items LANGUAGE plpgsql AS $$
        DECLARE
            task_ bigint;
            overlap_ integer;
            cursor_ bigint;
            signature_ text;
            after_ bigint;
            first_ items;
            r items;
        BEGIN
            IF p_lock_ms IS NOT NULL THEN
                PERFORM set_config('lock_timeout', p_lock_ms::text, true);
            END IF;
            -- The task, its queue lock taken shared in the same statement.
            SELECT t.id, t.overlap INTO task_, overlap_ FROM tasks t WHERE t.name = p_task AND duet_queue_lock(t.id, false);
            IF NOT FOUND THEN
                -- No task row, so no decisions: the first covered item.
                RETURN QUERY SELECT items.* FROM items
                    WHERE (p_dataset IS NULL OR items.dataset = p_dataset) AND items.kind = ANY(p_kinds) ORDER BY items.id LIMIT 1;
                RETURN;
            END IF;
            -- The asker's leases, and others' expired ones nobody else is deleting right now.
            DELETE FROM leases WHERE (task_id = task_ AND annotator = p_annotator)
               OR ctid IN (SELECT ctid FROM leases WHERE expires_at <= p_now FOR UPDATE SKIP LOCKED);
            IF p_gold IS NOT NULL THEN
                -- A honeypot is due (the caller asked `Honeypots.due`): claimed as any item, outside the overlap.
                r := duet_claim('gold', task_, p_dataset, p_kinds, p_annotator, p_now, 0, overlap_, p_gold);
            END IF;
            IF r.id IS NULL THEN
                r := duet_claim('routed', task_, p_dataset, p_kinds, p_annotator, p_now, 0, overlap_);
            END IF;
            IF r.id IS NULL AND overlap_ > 1 THEN
                -- Overlap: the person's own cursor, moved past items closed for them only.
                signature_ := p_signature || '#' || overlap_;
                SELECT after_item INTO cursor_ FROM queue_cursor_person
                WHERE task_id = task_ AND annotator = p_annotator AND filter = signature_;
                cursor_ := COALESCE(cursor_, 0);
                SELECT items.* INTO first_ FROM items
                WHERE items.id > cursor_ AND (p_dataset IS NULL OR items.dataset = p_dataset) AND items.kind = ANY(p_kinds)
                  AND duet_open_for(task_, p_annotator, items.id, overlap_)
                ORDER BY items.id LIMIT 1;
                IF first_.id IS NULL THEN
                    SELECT COALESCE(MAX(id), 0) INTO after_ FROM items;
                ELSE
                    after_ := first_.id - 1;
                END IF;
                IF after_ <> cursor_ THEN
                    PERFORM duet_move_cursor(task_, p_annotator, signature_, after_);
                END IF;
                IF first_.id IS NOT NULL THEN
                    r := duet_claim('seat', task_, p_dataset, p_kinds, p_annotator, p_now, first_.id - 1, overlap_);
                END IF;
            ELSIF r.id IS NULL THEN
                -- The task's cursor stops at the first undecided item even when someone has it open; the person
                -- asking gets the first one nobody has.
                SELECT after_item INTO cursor_ FROM queue_cursor WHERE task_id = task_ AND filter = p_signature;
                cursor_ := COALESCE(cursor_, 0);
                SELECT items.* INTO first_ FROM items
                WHERE items.id > cursor_ AND (p_dataset IS NULL OR items.dataset = p_dataset) AND items.kind = ANY(p_kinds)
                  AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = task_ AND d.item_id = items.id)
                ORDER BY items.id LIMIT 1;
                IF first_.id IS NOT NULL THEN
                    IF first_.id - 1 <> cursor_ THEN
                        PERFORM duet_move_cursor(task_, NULL, p_signature, first_.id - 1);
                    END IF;
                    r := duet_claim('open', task_, p_dataset, p_kinds, p_annotator, p_now, first_.id - 1, overlap_);
                ELSE
                    -- Every covered item has a decision: the cursor parked at the end.
                    SELECT COALESCE(MAX(id), 0) INTO after_ FROM items;
                    IF after_ <> cursor_ THEN
                        PERFORM duet_move_cursor(task_, NULL, p_signature, after_);
                    END IF;
                END IF;
            END IF;
            IF r.id IS NULL THEN
                -- The person's skipped items nobody has submitted since, oldest skip first.
                SELECT items.* INTO r
                FROM decisions d JOIN items ON items.id = d.item_id
                WHERE d.task_id = task_ AND d.annotator = p_annotator AND d.status = 'skipped'
                  AND (p_dataset IS NULL OR items.dataset = p_dataset) AND items.kind = ANY(p_kinds)
                  AND NOT EXISTS (SELECT 1 FROM decisions s WHERE s.task_id = d.task_id AND s.item_id = d.item_id
                                                             AND s.status = 'submitted')
                ORDER BY d.decided_at, d.annotation_id LIMIT 1;
            END IF;
            IF r.id IS NOT NULL THEN
                INSERT INTO leases (task_id, item_id, annotator, expires_at) VALUES (task_, r.id, p_annotator, p_now + p_lease)
                ON CONFLICT (task_id, item_id, annotator) DO UPDATE SET expires_at = excluded.expires_at;
                RETURN NEXT r;
            END IF;
            RETURN;
        END
        $$
        """,
        """
        CREATE FUNCTION duet_record_one(p_lock_ms integer, p_item bigint, p_task text, p_kind text, p_annotator text, p_value text,
                                        p_confidence double precision, p_votes text, p_entropy double precision, p_status text,
                                        p_flagged boolean, p_note text, p_created double precision, p_seconds double precision,
                                        p_display text, p_revokes bigint)
        RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE
            id_ bigint;
        BEGIN
            IF p_lock_ms IS NOT NULL THEN
                PERFORM set_config('lock_timeout', p_lock_ms::text, true);
            END IF;
            id_ := (duet_apply(ARRAY[duet_append(p_item, p_task, p_kind, p_annotator, p_value, p_confidence, p_votes, p_entropy,
                                                 p_status, p_flagged, p_note, p_created, p_seconds, p_display, p_revokes)]))[1];
            -- The counts (deferred to COMMIT) taken here, in the statement: a failure of theirs is this statement's.
            SET CONSTRAINTS decisions_counted IMMEDIATE;
            RETURN id_;
        END
        $$
        """,
    ]
}
