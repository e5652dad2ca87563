import GRDB
import DuetCore
import DuetStoreAPI

/// The store's schema, as a list of named, additive migrations.
///
/// Never edit a migration that has shipped: append a new one instead.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        let migrations = [("v1-items-tasks-log", v1), ("v2-queue-cursor", v2), ("v3-votes-routes-cache", v3),
                          ("v4-overlap", v4), ("v5-leases", v5), ("v6-progress-counters", v6),
                          ("v7-timed-decisions", v7), ("v8-open-audits", openAudits), ("v9-item-content-hash", itemContentHash)]
        for (name, sql) in migrations {
            migrator.registerMigration(name) { db in try db.execute(sql: sql) }
        }
        migrator.registerMigration("v10-machine-decisions-shaped", migrate: machineDecisionsShaped)
        migrator.registerMigration("v11-votes-no-vote") { db in try db.execute(sql: noVotes) }
        migrator.registerMigration("v12-task-spec") { db in try db.execute(sql: taskSpec) }
        migrator.registerMigration("v13-audit-probability") { db in try db.execute(sql: auditProbability) }
        migrator.registerMigration("v14-honeypot-gold-items") { db in try db.execute(sql: honeypotGoldItems) }
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

    /// `tasks.spec`: the whole task as duet.toml defines it (`TaskSpec.storedJSON`), so the store holds
    /// its tasks whole (a shared store's tasks are the team's). NULL for tasks stored before: read
    /// from the other columns.
    static let taskSpec = "ALTER TABLE tasks ADD COLUMN spec TEXT;"

    /// `routes.audit_probability`: a blind audit's inclusion probability (`RouteEntry.auditProbability`),
    /// NULL for other routes and for audits routed before it was recorded.
    static let auditProbability = "ALTER TABLE routes ADD COLUMN audit_probability REAL;"

    /// `votes.no_vote` = 1: a False / No answer (`MachineVote.noVote`), kept for its raw text and tokens;
    /// every read of votes that counts them takes only `SQLiteStore.countedVotes`.
    static let noVotes = "ALTER TABLE votes ADD COLUMN no_vote INTEGER NOT NULL DEFAULT 0;"

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

    /// Progress kept by the store: per (task, item) counts of its current
    /// decisions, and per (task, dataset, kind) the counts `taskProgress`
    /// reports, kept by triggers on every write to `decisions` (and on a
    /// change of a task's overlap). A task's progress is then a sum over a
    /// few rows instead of a pass over its decisions (about 1 s at 10^6
    /// decisions, which tasks with overlap paid after every decision).
    /// Existing decisions are counted once here; the triggers come after.
    /// (Rows are added with NOT EXISTS, not INSERT OR IGNORE: inside a
    /// trigger, the firing statement's conflict policy overrides the body's.)
    /// The statements that add (`+`) or take away (`-`) the decision `row` (NEW or OLD) from its item's counts.
    /// With `timed` (v7 on), also the person's decisions that measured their time (`seconds` set).
    private static func count(_ row: String, _ sign: String, timed: Bool = false) -> String {
        let human = "\(row).status = 'submitted' AND \(row).annotator_kind = 'human'"
        let timedCount = timed ? ",\n        timed = timed \(sign) (\(human) AND \(row).seconds IS NOT NULL)" : ""
        return """
            INSERT INTO item_progress (task_id, item_id) SELECT \(row).task_id, \(row).item_id
                WHERE NOT EXISTS (SELECT 1 FROM item_progress WHERE task_id = \(row).task_id AND item_id = \(row).item_id);
            UPDATE item_progress SET
                submitted = submitted \(sign) (\(row).status = 'submitted'),
                human = human \(sign) (\(human)),
                machine = machine \(sign) (\(row).status = 'submitted' AND \(row).annotator_kind = 'machine'),
                skipped = skipped \(sign) (\(row).status = 'skipped'),
                flagged = flagged \(sign) (\(row).flagged <> 0),
                human_seconds = human_seconds \(sign) CASE WHEN \(human) THEN COALESCE(\(row).seconds, 0) ELSE 0 END\(timedCount)
            WHERE task_id = \(row).task_id AND item_id = \(row).item_id;
            """
    }

    /// The hash of each item's content as imported (`ImportBatch.contentHash`), so a
    /// re-imported id with other content is told from a duplicate without
    /// reading the stored row. NULL for items stored before: computed when needed.
    static let itemContentHash = """
        ALTER TABLE items ADD COLUMN content_hash INTEGER;
        """

    static let v6 = """
        CREATE TABLE item_progress (
            task_id INTEGER NOT NULL,
            item_id INTEGER NOT NULL,
            submitted INTEGER NOT NULL DEFAULT 0,  -- submitted decisions, any annotator
            human INTEGER NOT NULL DEFAULT 0,      -- submitted by people
            machine INTEGER NOT NULL DEFAULT 0,    -- submitted by machines
            skipped INTEGER NOT NULL DEFAULT 0,
            flagged INTEGER NOT NULL DEFAULT 0,
            human_seconds REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (task_id, item_id)
        ) WITHOUT ROWID;

        -- Items (of the task, dataset and kind) that have: a person's submitted decision, only a
        -- machine's, only skips, any submitted one, a flag; people's seconds; at least `overlap` people.
        CREATE TABLE progress (
            task_id INTEGER NOT NULL,
            dataset TEXT NOT NULL,
            kind TEXT NOT NULL,
            human INTEGER NOT NULL DEFAULT 0,
            machine_only INTEGER NOT NULL DEFAULT 0,
            skipped_only INTEGER NOT NULL DEFAULT 0,
            submitted INTEGER NOT NULL DEFAULT 0,
            flagged INTEGER NOT NULL DEFAULT 0,
            human_seconds REAL NOT NULL DEFAULT 0,
            complete INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (task_id, dataset, kind)
        ) WITHOUT ROWID;

        INSERT INTO item_progress (task_id, item_id, submitted, human, machine, skipped, flagged, human_seconds)
        SELECT task_id, item_id, SUM(status = 'submitted'), SUM(status = 'submitted' AND annotator_kind = 'human'),
               SUM(status = 'submitted' AND annotator_kind = 'machine'), SUM(status = 'skipped'), SUM(flagged <> 0),
               TOTAL(CASE WHEN status = 'submitted' AND annotator_kind = 'human' THEN seconds END)
        FROM decisions GROUP BY task_id, item_id;

        INSERT INTO progress (task_id, dataset, kind, human, machine_only, skipped_only, submitted, flagged, human_seconds, complete)
        SELECT p.task_id, i.dataset, i.kind, SUM(p.human > 0), SUM(p.machine > 0 AND p.human = 0),
               SUM(p.skipped > 0 AND p.submitted = 0), SUM(p.submitted > 0), SUM(p.flagged > 0), TOTAL(p.human_seconds),
               SUM(p.human >= t.overlap)
        FROM item_progress p JOIN items i ON i.id = p.item_id JOIN tasks t ON t.id = p.task_id
        GROUP BY p.task_id, i.dataset, i.kind;

        \(progressTriggers(timed: false))

        CREATE TRIGGER overlap_recounted AFTER UPDATE OF overlap ON tasks BEGIN
            UPDATE progress SET complete = (
                SELECT COUNT(*) FROM item_progress p JOIN items i ON i.id = p.item_id
                WHERE p.task_id = NEW.id AND i.dataset = progress.dataset AND i.kind = progress.kind AND p.human >= NEW.overlap)
            WHERE task_id = NEW.id;
        END;
        """

    /// The triggers that keep `item_progress` and `progress` in step with `decisions`
    /// (`timed`: with the v7 counts of decisions that measured their time).
    private static func progressTriggers(timed: Bool) -> String {
        """
        CREATE TRIGGER decisions_counted AFTER INSERT ON decisions BEGIN
        \(count("NEW", "+", timed: timed))
        END;

        CREATE TRIGGER decisions_uncounted AFTER DELETE ON decisions BEGIN
        \(count("OLD", "-", timed: timed))
        END;

        CREATE TRIGGER decisions_recounted AFTER UPDATE ON decisions BEGIN
        \(count("OLD", "-", timed: timed))
        \(count("NEW", "+", timed: timed))
        END;

        CREATE TRIGGER item_progress_counted AFTER UPDATE ON item_progress BEGIN
            INSERT INTO progress (task_id, dataset, kind)
                SELECT NEW.task_id, i.dataset, i.kind FROM items i WHERE i.id = NEW.item_id
                AND NOT EXISTS (SELECT 1 FROM progress p WHERE p.task_id = NEW.task_id AND p.dataset = i.dataset AND p.kind = i.kind);
            UPDATE progress SET
                human = human + ((NEW.human > 0) - (OLD.human > 0)),
                machine_only = machine_only + ((NEW.machine > 0 AND NEW.human = 0) - (OLD.machine > 0 AND OLD.human = 0)),
                skipped_only = skipped_only + ((NEW.skipped > 0 AND NEW.submitted = 0) - (OLD.skipped > 0 AND OLD.submitted = 0)),
                submitted = submitted + ((NEW.submitted > 0) - (OLD.submitted > 0)),
                flagged = flagged + ((NEW.flagged > 0) - (OLD.flagged > 0)),
                human_seconds = human_seconds + (NEW.human_seconds - OLD.human_seconds),\(timed ? "\n        timed = timed + (NEW.timed - OLD.timed)," : "")
                complete = complete + ((NEW.human >= (SELECT overlap FROM tasks WHERE id = NEW.task_id))
                                       - (OLD.human >= (SELECT overlap FROM tasks WHERE id = NEW.task_id)))
            WHERE task_id = NEW.task_id AND (dataset, kind) = (SELECT dataset, kind FROM items WHERE id = NEW.item_id);
        END;
        """
    }

    /// Decisions that measured a person's time, counted beside the seconds: pace
    /// (items per hour, seconds per item) is seconds over *these* decisions only;
    /// bulk accepts and adjudications carry no seconds and are no labeling time.
    static let v7 = """
        DROP TRIGGER decisions_counted;
        DROP TRIGGER decisions_uncounted;
        DROP TRIGGER decisions_recounted;
        DROP TRIGGER item_progress_counted;
        ALTER TABLE item_progress ADD COLUMN timed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE progress ADD COLUMN timed INTEGER NOT NULL DEFAULT 0;
        UPDATE item_progress SET timed = (
            SELECT COUNT(*) FROM decisions d
            WHERE d.task_id = item_progress.task_id AND d.item_id = item_progress.item_id
              AND d.status = 'submitted' AND d.annotator_kind = 'human' AND d.seconds IS NOT NULL)
        WHERE human > 0;
        UPDATE progress SET timed = (
            SELECT COALESCE(SUM(p.timed), 0) FROM item_progress p JOIN items i ON i.id = p.item_id
            WHERE p.task_id = progress.task_id AND i.dataset = progress.dataset AND i.kind = progress.kind);
        \(progressTriggers(timed: true))
        """

    /// Blind audits still waiting for people, found without a pass over the task's routes: the
    /// progress counts leave them out of the machine's and in what people have left.
    static let openAudits = """
        CREATE INDEX routes_open_audits ON routes(task_id, item_id) WHERE route = 'audit' AND pending = 1;
        """

    /// Machine decisions used to be stored as their label text (`"0"`, `"tie"`) while people's take
    /// the task's value shape (`{"choice": 0, "strength": 1}`), so exports of the final decisions left
    /// the machine's pairs out. Rewrites the machine's stored values into the shape a person's has
    /// (`TaskKind.decisionValue(forLabel:)`); the current decisions point at these log rows.
    static func machineDecisionsShaped(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT a.id, a.value, t.kind FROM annotations a JOIN tasks t ON t.id = a.task_id
            WHERE a.annotator_kind = 'machine' AND a.value IS NOT NULL AND t.kind <> 'classify'
            """)
        let update = try db.makeStatement(sql: "UPDATE annotations SET value = ? WHERE id = ?")
        for row in rows {
            let id: Int64 = row[0]
            guard let text: String = row[1], let kind = TaskKind(rawValue: row[2]),
                  case .string(let label)? = try? JSONValue.parse(text),
                  let value = kind.decisionValue(forLabel: label) else { continue }
            try update.execute(arguments: [value.canonicalJSON, id])
        }
    }

    /// Honeypots (`Honeypots`): the queue looks for a person's next gold item among the items with gold only.
    static let honeypotGoldItems = "CREATE INDEX items_gold ON items(id) WHERE gold IS NOT NULL"
}
