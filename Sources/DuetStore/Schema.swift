import GRDB

/// The store's schema, as a list of named, additive migrations.
///
/// Never edit a migration that has shipped: append a new one instead.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-items-tasks-log") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2-queue-cursor") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3-votes-routes-cache") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4-overlap") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("v5-leases") { db in
            try db.execute(sql: v5)
        }
        return migrator
    }

    // CHECK constraints spell out `a = x OR a = y` rather than `a IN (x, y, z)`:
    // SQLite builds an ephemeral table for a 3+ element IN list on every
    // insert, which made source-annotation imports several times slower.
    static let v1 = """
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            dataset TEXT NOT NULL,
            imported_at REAL NOT NULL
        );

        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL,
            dataset TEXT NOT NULL,
            kind TEXT NOT NULL,
            fields TEXT NOT NULL,
            gold TEXT,
            meta TEXT,
            import_id INTEGER REFERENCES imports(id),
            source_line INTEGER
        );
        CREATE UNIQUE INDEX items_uid ON items(dataset, uid);
        CREATE INDEX items_dataset ON items(dataset);

        CREATE TABLE dataset_counts (
            dataset TEXT NOT NULL,
            kind TEXT NOT NULL,
            items INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (dataset, kind)
        ) WITHOUT ROWID;

        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            dataset TEXT,
            labels TEXT NOT NULL,
            created_at REAL NOT NULL
        );

        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            item_id INTEGER NOT NULL REFERENCES items(id),
            task_id INTEGER REFERENCES tasks(id),
            annotator_kind TEXT NOT NULL
                CHECK (annotator_kind = 'human' OR annotator_kind = 'machine' OR annotator_kind = 'source'),
            annotator TEXT NOT NULL,
            value TEXT,
            confidence REAL,
            votes TEXT,
            entropy REAL,
            status TEXT NOT NULL CHECK (status = 'submitted' OR status = 'skipped' OR status = 'revoked'),
            flagged INTEGER NOT NULL DEFAULT 0,
            note TEXT,
            created_at REAL NOT NULL,
            seconds REAL,
            display TEXT CHECK (display = 'AB' OR display = 'BA'),
            revokes INTEGER REFERENCES annotations(id)
        );
        CREATE INDEX annotations_item ON annotations(item_id);
        CREATE UNIQUE INDEX annotations_source ON annotations(item_id, annotator)
            WHERE annotator_kind = 'source';

        CREATE TABLE decisions (
            task_id INTEGER NOT NULL REFERENCES tasks(id),
            annotator TEXT NOT NULL,
            item_id INTEGER NOT NULL REFERENCES items(id),
            annotation_id INTEGER NOT NULL REFERENCES annotations(id),
            annotator_kind TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status = 'submitted' OR status = 'skipped'),
            flagged INTEGER NOT NULL,
            seconds REAL,
            decided_at REAL NOT NULL,
            PRIMARY KEY (task_id, annotator, item_id)
        ) WITHOUT ROWID;
        -- (task_id, item_id) first; the rest makes it cover taskProgress.
        CREATE INDEX decisions_task_item
            ON decisions(task_id, item_id, status, annotator_kind, flagged, seconds);
        CREATE INDEX decisions_task_status ON decisions(task_id, status, item_id);
        CREATE INDEX decisions_latest ON decisions(task_id, annotator, decided_at, annotation_id);
        """

    /// `queue_cursor` remembers, per task and item filter, a row id below
    /// which every covered item already has a decision, so `nextItem` does not
    /// rescan the decided prefix. Invariant: every item matching `filter` with
    /// `id <= after_item` has at least one `decisions` row for `task_id`.
    /// Adding decisions keeps it, and so does adding items (items are never
    /// deleted, so new row ids are always above every existing one); removing
    /// a decision lowers it. A feature that deletes items must reset it.
    static let v2 = """
        CREATE TABLE queue_cursor (
            task_id INTEGER PRIMARY KEY REFERENCES tasks(id),
            filter TEXT NOT NULL,
            after_item INTEGER NOT NULL
        );
        """

    /// Machine votes, routing decisions and the LLM response cache.
    static let v3 = """
        CREATE TABLE votes (
            id INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL REFERENCES tasks(id),
            item_id INTEGER NOT NULL REFERENCES items(id),
            annotator TEXT NOT NULL,
            variant TEXT NOT NULL,
            label TEXT,
            confidence REAL,
            raw TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            created_at REAL NOT NULL
        );
        CREATE UNIQUE INDEX votes_key ON votes(task_id, item_id, annotator, variant);

        -- Where each routed item went. `pending` is 1 while a person still has
        -- to label a human/audit item, so the queue is an index walk.
        CREATE TABLE routes (
            task_id INTEGER NOT NULL REFERENCES tasks(id),
            item_id INTEGER NOT NULL REFERENCES items(id),
            route TEXT NOT NULL CHECK (route = 'machine' OR route = 'human' OR route = 'audit'),
            score REAL NOT NULL,
            machine_label TEXT,
            annotator TEXT NOT NULL,
            pending INTEGER NOT NULL,
            routed_at REAL NOT NULL,
            PRIMARY KEY (task_id, item_id)
        ) WITHOUT ROWID;
        CREATE INDEX routes_queue ON routes(task_id, pending, score DESC, item_id);

        CREATE TABLE llm_cache (
            key TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            logprobs TEXT,
            created_at REAL NOT NULL
        ) WITHOUT ROWID;
        """

    /// Overlap: how many people label each item of a task, and a queue
    /// cursor per person for tasks with overlap above 1. Invariant: every
    /// item matching `filter` with `id <= after_item` is closed for
    /// `annotator` — they decided it, a machine decided it, or `overlap`
    /// people did. Removing any decision of the task lowers every cursor of
    /// the task; a different filter or overlap resets it.
    static let v4 = """
        ALTER TABLE tasks ADD COLUMN overlap INTEGER NOT NULL DEFAULT 1;

        CREATE TABLE queue_cursor_person (
            task_id INTEGER NOT NULL REFERENCES tasks(id),
            annotator TEXT NOT NULL,
            filter TEXT NOT NULL,
            after_item INTEGER NOT NULL,
            PRIMARY KEY (task_id, annotator)
        ) WITHOUT ROWID;
        """

    /// Leases: the item a person has open. `nextItem` gives an item to one
    /// person at a time (with overlap k, to at most k minus those who
    /// decided it), until they decide it, ask for the next one, quit, or the
    /// lease expires (a killed session's items come back after a while).
    static let v5 = """
        CREATE TABLE leases (
            task_id INTEGER NOT NULL REFERENCES tasks(id),
            item_id INTEGER NOT NULL REFERENCES items(id),
            annotator TEXT NOT NULL,
            expires_at REAL NOT NULL,
            PRIMARY KEY (task_id, item_id, annotator)
        ) WITHOUT ROWID;
        CREATE INDEX leases_annotator ON leases(task_id, annotator);
        """
}
