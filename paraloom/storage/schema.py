"""The node database's schema, one migration per version, oldest first.

A migration's SQL is frozen once released: databases made by it exist, so a change is a new
migration. That is why the names of states, outcomes and votes are spelled out here rather
than taken from the Python constants of the stores, which describe the current code only.

Rules that the node's safety rests on are enforced by SQLite itself, so that no caller and no
tool with raw SQL access can break them:

- nullifiers, decided withdrawals and their votes, finality marks, Merkle leaves and roots,
  job cohorts, results and the audit log are append-only (triggers refuse UPDATE and DELETE);
- a nullifier is inserted once, whatever the statement's conflict clause (``INSERT OR
  REPLACE`` would otherwise delete and re-insert it);
- an approved withdrawal references its spent nullifier (a foreign key), and one nullifier
  is spent by at most one withdrawal;
- every change of a job's state appends an audit entry in the same statement (triggers), so
  a job can never be found without the log of how it got to its state;
- a result is accepted only from a node of the job's cohort for that attempt (a foreign key);
- a withdrawal vote recorded since schema 2 carries its encoded signed vote (a trigger).

The key columns of a WITHOUT ROWID table are declared first: SQLite 3.40's integrity_check
reports "NULL value in" a NOT NULL column declared before one of them, wrongly.
"""

from __future__ import annotations

from paraloom.storage.migrations import Migration, append_only

_MERKLE = (
    """CREATE TABLE merkle_tree (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        depth INTEGER NOT NULL CHECK (depth BETWEEN 1 AND 32),
        root_history INTEGER NOT NULL CHECK (root_history >= 1)
    )""",
    """CREATE TABLE merkle_leaves (
        leaf_index INTEGER PRIMARY KEY CHECK (leaf_index >= 0),
        leaf BLOB NOT NULL CHECK (length(leaf) = 32)
    )""",
    """CREATE TABLE merkle_roots (
        seq INTEGER PRIMARY KEY CHECK (seq >= 0),
        root BLOB NOT NULL CHECK (length(root) = 32),
        leaf_count INTEGER NOT NULL CHECK (leaf_count >= 0)
    )""",
    "CREATE INDEX merkle_roots_by_root ON merkle_roots (root)",
    *append_only("merkle_tree"),
    *append_only("merkle_leaves"),
    *append_only("merkle_roots"),
)

_NULLIFIERS = (
    """CREATE TABLE nullifiers (
        nullifier BLOB PRIMARY KEY CHECK (length(nullifier) = 32),
        spent_at INTEGER NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TRIGGER nullifiers_spent_once BEFORE INSERT ON nullifiers
        WHEN EXISTS (SELECT 1 FROM nullifiers WHERE nullifier = NEW.nullifier)
        BEGIN SELECT RAISE(ABORT, 'nullifier already spent'); END""",
    *append_only("nullifiers"),
)

_CHAIN = (
    """CREATE TABLE withdrawals (
        request_id BLOB PRIMARY KEY CHECK (length(request_id) = 32),
        nullifier BLOB NOT NULL CHECK (length(nullifier) = 32),
        amount INTEGER NOT NULL CHECK (amount > 0),
        recipient BLOB NOT NULL CHECK (length(recipient) = 32),
        expiration_slot INTEGER NOT NULL CHECK (expiration_slot >= 0),
        outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'rejected', 'timeout')),
        decided_at INTEGER NOT NULL,
        spent_nullifier BLOB REFERENCES nullifiers (nullifier),
        CHECK ((outcome = 'approved') = (spent_nullifier IS NOT NULL)),
        CHECK (spent_nullifier IS NULL OR spent_nullifier = nullifier)
    ) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX withdrawals_by_spent_nullifier ON withdrawals (spent_nullifier)",
    """CREATE TABLE withdrawal_votes (
        request_id BLOB NOT NULL REFERENCES withdrawals (request_id),
        validator_id BLOB NOT NULL CHECK (length(validator_id) = 32),
        vote TEXT NOT NULL CHECK (vote IN ('approve', 'reject', 'abstain')),
        signature BLOB NOT NULL CHECK (length(signature) = 64),
        voted_at INTEGER NOT NULL,
        PRIMARY KEY (request_id, validator_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE finality (
        slot INTEGER PRIMARY KEY CHECK (slot >= 0),
        block_hash BLOB NOT NULL CHECK (length(block_hash) = 32),
        finalized_at INTEGER NOT NULL
    )""",
    *append_only("withdrawals"),
    *append_only("withdrawal_votes"),
    *append_only("finality"),
)

_COMPUTE = (
    """CREATE TABLE jobs (
        job_id BLOB PRIMARY KEY CHECK (length(job_id) = 32),
        spec BLOB NOT NULL,
        requester TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('submitted', 'assigned', 'executing',
            'verifying', 'completed', 'failed', 'rejected')),
        reason TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX jobs_by_state ON jobs (state, created_at)",
    """CREATE TABLE job_cohorts (
        job_id BLOB NOT NULL REFERENCES jobs (job_id),
        attempt INTEGER NOT NULL CHECK (attempt >= 1),
        node_id BLOB NOT NULL CHECK (length(node_id) = 32),
        position INTEGER NOT NULL CHECK (position >= 0),
        PRIMARY KEY (job_id, attempt, node_id),
        UNIQUE (job_id, attempt, position)
    ) WITHOUT ROWID""",
    """CREATE TABLE job_results (
        job_id BLOB NOT NULL,
        attempt INTEGER NOT NULL,
        node_id BLOB NOT NULL,
        result_hash BLOB NOT NULL CHECK (length(result_hash) = 32),
        output BLOB NOT NULL,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (job_id, attempt, node_id),
        FOREIGN KEY (job_id, attempt, node_id)
            REFERENCES job_cohorts (job_id, attempt, node_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE job_audit (
        seq INTEGER PRIMARY KEY,
        job_id BLOB NOT NULL REFERENCES jobs (job_id),
        from_state TEXT,
        to_state TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
    )""",
    "CREATE INDEX job_audit_by_job ON job_audit (job_id, seq)",
    """CREATE TRIGGER jobs_audit_submission AFTER INSERT ON jobs
        BEGIN
            INSERT INTO job_audit (job_id, from_state, to_state, reason, at)
            VALUES (NEW.job_id, NULL, NEW.state, NEW.reason, NEW.updated_at);
        END""",
    """CREATE TRIGGER jobs_audit_transition AFTER UPDATE OF state ON jobs
        BEGIN
            INSERT INTO job_audit (job_id, from_state, to_state, reason, at)
            VALUES (NEW.job_id, OLD.state, NEW.state, NEW.reason, NEW.updated_at);
        END""",
    *append_only("job_cohorts"),
    *append_only("job_results"),
    *append_only("job_audit"),
)

_VOTE_ENCODINGS = (
    # 2048 is consensus's MAX_VOTE_SIZE of the time; rows of schema 1 keep NULL.
    """ALTER TABLE withdrawal_votes ADD COLUMN encoded BLOB
        CHECK (encoded IS NULL OR length(encoded) BETWEEN 1 AND 2048)""",
    """CREATE TRIGGER withdrawal_votes_encoded BEFORE INSERT ON withdrawal_votes
        WHEN NEW.encoded IS NULL
        BEGIN SELECT RAISE(ABORT, 'a withdrawal vote needs its encoded signed vote'); END""",
)

_COORDINATION = (
    # A member's term and vote, and the coordinator state it holds: one row each, rewritten
    # in place (only the latest counts, and a restart must find it).
    """CREATE TABLE coordination_term (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        term INTEGER NOT NULL CHECK (term >= 0),
        voted_for TEXT CHECK (voted_for IS NULL OR length(voted_for) = 64)
    )""",
    """CREATE TABLE coordination_snapshot (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        term INTEGER NOT NULL CHECK (term >= 0),
        version INTEGER NOT NULL CHECK (version >= 0),
        sha256 BLOB NOT NULL CHECK (length(sha256) = 32),
        state BLOB NOT NULL
    )""",
    # Slashing evidence: one record per voter, request and round, kept for good.
    """CREATE TABLE equivocation_evidence (
        voter BLOB NOT NULL CHECK (length(voter) = 32),
        request_id BLOB NOT NULL CHECK (length(request_id) = 32),
        round INTEGER NOT NULL CHECK (round >= 1),
        encoded BLOB NOT NULL CHECK (length(encoded) BETWEEN 1 AND 4352),
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (voter, request_id, round)
    ) WITHOUT ROWID""",
    *append_only("equivocation_evidence"),
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "merkle tree, nullifier set, chain and finality records, compute store",
        (*_MERKLE, *_NULLIFIERS, *_CHAIN, *_COMPUTE),
    ),
    Migration(
        2,
        "withdrawal votes keep the encoded signed vote, so they can be re-verified",
        _VOTE_ENCODINGS,
    ),
    Migration(
        3,
        "coordinator HA (a member's term, vote and state snapshot) and slashing evidence",
        _COORDINATION,
    ),
)
