// A routing's progress counts, taken by the routing itself (migration pg-route-1).

extension PostgresSchema {
    /// The count trigger (`decisions_counted`, deferred to COMMIT since pg4) counts one decision at a time,
    /// each call locking its item's counts and the task's shared `progress` row: a routing that changed the
    /// machine's decision on 10^5 items ran 2·10^5 calls in its COMMIT, every person's commit waiting on that
    /// row meanwhile. A transaction that says it counts its own decisions (`SET LOCAL
    /// duet.counts_by_writer = 'on'`: `RoutingWrite`) is skipped by the trigger and moves the counts in a few
    /// set-based statements at its end, with the same arithmetic (`duet_count_decision`'s, per item and then
    /// per dataset and kind).
    static let countedByTheWriter = [
        """
        CREATE OR REPLACE FUNCTION duet_decisions_counted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('duet.counts_by_writer', true) = 'on' THEN RETURN NULL; END IF;
            IF TG_OP <> 'INSERT' THEN PERFORM duet_count_decision(OLD, -1); END IF;
            IF TG_OP <> 'DELETE' THEN PERFORM duet_count_decision(NEW, 1); END IF;
            RETURN NULL;
        END
        $$
        """,
    ]
}
