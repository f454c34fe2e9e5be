"""The database schema, as SQLAlchemy Core tables (Alembic migrations are written from it)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UtcDateTime = sa.DateTime(timezone=True)

# --- organisations (extended by the cluster-year work) ----------------------------------------

units = sa.Table(
    "units",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("units.id"), nullable=True),
    # loại đơn vị (bo_nganh, tinh, so_nganh, …: workflow.domain.imports.UNIT_KINDS)
    sa.Column("kind", sa.String(32), nullable=True),
)

clusters = sa.Table(
    "clusters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # cum | khoi
    sa.Column("year", sa.Integer, nullable=False),
    # the council (Hội đồng TĐKT) that organises the cluster
    sa.Column("council", sa.String(300), nullable=True),
    # cụm/khối trưởng and phó of this year: member units, usually by rotation
    sa.Column("leader_unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=True),
    sa.Column("deputy_unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=True),
    sa.UniqueConstraint("code", "year"),
)

cluster_members = sa.Table(
    "cluster_members",
    metadata,
    sa.Column("cluster_id", sa.Integer, sa.ForeignKey("clusters.id"), primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False, default=0),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("password_hash", sa.String(300), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("locale", sa.String(8), nullable=False, server_default="vi"),
    # one e-mail a day with all of the day's reminders instead of one mail each
    sa.Column("digest", sa.Boolean, nullable=False, server_default=sa.false()),
    # bumped at sign-out: every session signed in before it stops working
    sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
    # set when an admin resets the password: the owner must choose their own at next sign-in
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
    # the unit the person works in (their roles say what they do, and for which unit)
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=True),
)

role_assignments = sa.Table(
    "role_assignments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=True),
    sa.Column("cluster_id", sa.Integer, sa.ForeignKey("clusters.id"), nullable=True),
    sa.Column("year", sa.Integer, nullable=True),
    # the criteria codes a professional department's grant is held for, comma-separated
    sa.Column("criteria", sa.String(400), nullable=True),
)

delegations = sa.Table(
    "delegations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("from_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("to_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("mandate", sa.Text, nullable=False),  # e.g. "Giấy ủy quyền số 12/GUQ-BTP"
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
)

rotation_proposals = sa.Table(
    "rotation_proposals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("cluster_id", sa.Integer, sa.ForeignKey("clusters.id"), nullable=False),
    sa.Column("next_year", sa.Integer, nullable=False),
    sa.Column("leader_unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("deputy_unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # proposed | confirmed | rejected
    sa.Column("proposed_by", sa.String(100), nullable=False),
    sa.Column("proposed_at", UtcDateTime, nullable=False),
    sa.Column("decided_by", sa.String(100), nullable=True),
    sa.Column("decided_at", UtcDateTime, nullable=True),
)

# --- workflow definitions, instances and history --------------------------------------------

def _published_texts(name: str, key: str) -> sa.Table:
    """A table of published versions of a text (a definition, a criteria table)."""
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(key, sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source_path", sa.String(300), nullable=False),
        sa.Column("source_text", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.UniqueConstraint(key, "version"),
    )


definitions = _published_texts("workflow_definitions", "name")

instances = sa.Table(
    "workflow_instances",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "definition_id", sa.Integer, sa.ForeignKey("workflow_definitions.id"), nullable=False
    ),
    sa.Column("workflow", sa.String(64), nullable=False),
    sa.Column("state", sa.String(64), nullable=False),
    # active | suspended | cancelled | completed
    sa.Column("status", sa.String(16), nullable=False),
    # optimistic concurrency: bumped by every change; equals the seq of the last history entry
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=True),
    sa.Column("cluster_id", sa.Integer, sa.ForeignKey("clusters.id"), nullable=True),
    sa.Column("year", sa.Integer, nullable=True),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=True),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("entered_at", UtcDateTime, nullable=False),
    sa.Index("ix_workflow_instances_parent", "parent_id", "workflow"),
    # inboxes look items up by unit or by cluster (never by state: each step would pay for it)
    sa.Index("ix_workflow_instances_unit_year", "unit_id", "year"),
    sa.Index("ix_workflow_instances_cluster_year", "cluster_id", "year"),
    # not on state: every step would pay for updating it
    sa.Index("ix_workflow_instances_workflow_status", "workflow", "status"),
    # PostgreSQL: room on each page for the row's next version (a HOT update, no index entry);
    # set by migration 0019
    postgresql_with={"fillfactor": 70},
)

history = sa.Table(
    "workflow_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "instance_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False
    ),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("definition_id", sa.Integer, nullable=False),
    # fire | start | spawn | suspend | resume | cancel | move | migrate
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("from_state", sa.String(64), nullable=True),
    sa.Column("to_state", sa.String(64), nullable=False),
    sa.Column("trigger", sa.String(64), nullable=True),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("on_behalf_of", sa.String(100), nullable=True),
    sa.Column("role", sa.String(40), nullable=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("instance_id", "seq"),
)

documents = sa.Table(
    "instance_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "instance_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(64), nullable=False),
    # what the document is for within the item, e.g. the criterion code of evidence
    sa.Column("ref", sa.String(64), nullable=True),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("storage_key", sa.String(300), nullable=False),
    sa.Column("uploaded_by", sa.String(100), nullable=False),
    sa.Column("uploaded_at", UtcDateTime, nullable=False),
)


# --- the cluster year: criteria tables, scores, adjustments -----------------------------------

Points = sa.Numeric(7, 2)

criteria_tables = _published_texts("criteria_tables", "code")

# One line per criterion of a unit's score sheet (bảng chấm điểm).
score_lines = sa.Table(
    "score_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sheet_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("criterion", sa.String(32), nullable=False),
    sa.Column("group_code", sa.String(32), nullable=False),
    sa.Column("target", sa.Numeric(14, 2), nullable=True),
    sa.Column("achieved", sa.Numeric(14, 2), nullable=True),
    sa.Column("self_points", Points, nullable=True),
    sa.Column("inspection_points", Points, nullable=True),
    sa.Column("verified_points", Points, nullable=True),
    sa.Column("gap_flag", sa.Boolean, nullable=False, default=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("updated_by", sa.String(100), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("sheet_id", "criterion"),
    sa.Index("ix_score_lines_campaign_unit", "campaign_id", "unit_id"),
)

# Bonus and penalty occurrences (điểm thưởng, điểm trừ); `source` makes each occurrence count
# once, e.g. "report:42" for the lateness of report 42.
score_adjustments = sa.Table(
    "score_adjustments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # bonus | penalty
    sa.Column("points", Points, nullable=False),  # per occurrence, positive
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("campaign_id", "unit_id", "code", "source"),
)

# What a cross-inspection found, per criterion, once its minutes were signed.
inspection_scores = sa.Table(
    "inspection_scores",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "inspection_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False
    ),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("criterion", sa.String(32), nullable=False),
    sa.Column("points", Points, nullable=False),
    sa.UniqueConstraint("inspection_id", "criterion"),
    sa.Index("ix_inspection_scores_campaign_unit", "campaign_id", "unit_id"),
)


# --- deadlines, notifications and the scheduler ------------------------------------------------

# One row per reminder, escalation or timeout of a state an instance entered; written in the
# transaction of the step that entered the state, cancelled by the step that leaves it.
deadlines = sa.Table(
    "deadlines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "instance_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False,
        index=True,
    ),
    sa.Column("state", sa.String(64), nullable=False),
    sa.Column("entry_version", sa.Integer, nullable=False),  # the step that entered the state
    sa.Column("kind", sa.String(16), nullable=False),  # reminder | escalation | timeout
    sa.Column("days_before", sa.Integer, nullable=False),  # reminders: T-n; others 0
    sa.Column("due_date", sa.Date, nullable=False),  # the deadline itself (local date)
    sa.Column("fire_at", UtcDateTime, nullable=False),  # when the sweep acts on this row
    sa.Column("anchor", sa.String(80), nullable=False),  # what the date derives from
    sa.Column("role", sa.String(40), nullable=True),  # escalation: who is told
    sa.Column("trigger", sa.String(64), nullable=True),  # timeout: what is fired
    sa.Column("status", sa.String(12), nullable=False),  # pending|done|cancelled|skipped|failed
    sa.Column("late", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("done_at", UtcDateTime, nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.UniqueConstraint("instance_id", "entry_version", "kind", "days_before"),
    # the sweep reads only what is pending and due: an index on exactly that
    sa.Index("ix_deadlines_pending_fire_at", "fire_at",
             sqlite_where=sa.text("status = 'pending'"),
             postgresql_where=sa.text("status = 'pending'")),
)

# Messages to deliver: in-app notifications (the inbox) and e-mails, one row per recipient.
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel", sa.String(8), nullable=False),  # in_app | email
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("address", sa.String(200), nullable=True),  # e-mail address at build time
    sa.Column("kind", sa.String(16), nullable=False),  # reminder | escalation | notice
    sa.Column("instance_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=True),
    sa.Column("deadline_id", sa.Integer, sa.ForeignKey("deadlines.id"), nullable=True),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("link", sa.String(300), nullable=True),
    sa.Column("digest_date", sa.Date, nullable=True),  # set: goes out in that day's digest
    sa.Column("status", sa.String(12), nullable=False),  # pending | sent | failed | read
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UtcDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime, nullable=True),
    sa.Column("read_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("deadline_id", "user_id", "channel"),
    sa.Index("ix_outbox_user_status", "user_id", "channel", "status"),
    sa.Index("ix_outbox_pending", "channel", "status", "next_attempt_at"),
)

# Who leads the sweep: one row per job, held by one process until its lease expires.
leases = sa.Table(
    "scheduler_leases",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)


# --- voting (bình xét, suy tôn) -----------------------------------------------------------------
# Who voted and what was voted are kept apart and share nothing that joins them: no common key,
# no timestamp, no insertion order (SQLite keeps both tables in the order of their random or
# natural keys; PostgreSQL's ballots are rewritten in random order when the session closes).

vote_participation = sa.Table(
    "vote_participation",
    metadata,
    sa.Column("session_id", sa.Integer, sa.ForeignKey("workflow_instances.id"),
              primary_key=True),
    sa.Column("round", sa.Integer, primary_key=True),
    sa.Column("voter_key", sa.String(64), primary_key=True),  # unit:<id> or user:<id>
    sa.Column("cast_by", sa.String(100), nullable=False),  # the head, or the delegate
    sqlite_with_rowid=False,
)

ballots = sa.Table(
    "ballots",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),  # random: says nothing about order
    sa.Column("session_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("choices", sa.JSON, nullable=False),  # {title: [candidate ids]}; {} = abstain
    sa.Column("named_voter", sa.String(64), nullable=True),  # open ballots only; else NULL
    sa.Index("ix_ballots_session_round", "session_id", "round"),
    sqlite_with_rowid=False,
)

# A secret vote's sealed ballots (workflow/domain/ballot_box.py): one Paillier ciphertext per
# slot, stored under a random id with no voter, no time and no order (rewritten in random order
# at the close, the old rows purged); `receipt` is the hash the voter was given.
sealed_ballots = sa.Table(
    "sealed_ballots",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("session_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("sealed", sa.Text, nullable=False),
    sa.Column("receipt", sa.String(64), nullable=False),
    sa.Index("ix_sealed_ballots_session_round", "session_id", "round"),
    sqlite_with_rowid=False,
)

# A vote's counting key: the public modulus, the private key sealed under a 16-byte key split
# among the committee (threshold of committee), or wrapped by the server (no committee); the
# sealed private key is forgotten (NULL) once the result is locked. `opened`: the decrypted
# sums of each round counted, {round: {votes, ballots, blank}}.
counting_keys = sa.Table(
    "counting_keys",
    metadata,
    sa.Column("session_id", sa.Integer, sa.ForeignKey("workflow_instances.id"),
              primary_key=True),
    sa.Column("public_n", sa.Text, nullable=False),
    sa.Column("sealed_private", sa.Text, nullable=True),
    sa.Column("threshold", sa.Integer, nullable=False),
    sa.Column("committee", sa.JSON, nullable=False),  # user ids; [] when the server counts
    sa.Column("server_opener", sa.Text, nullable=True),  # wrapped; only without a committee
    sa.Column("opened", sa.JSON, nullable=True),
)

# Committee shares while the server must hold them, each wrapped under the installation's key:
# "dealt" until its member collects it (then deleted), "released" at the count until k are in
# (then all deleted).
key_shares = sa.Table(
    "key_shares",
    metadata,
    sa.Column("session_id", sa.Integer, sa.ForeignKey("workflow_instances.id"),
              primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("kind", sa.String(10), primary_key=True),
    sa.Column("wrapped", sa.Text, nullable=False),
    sqlite_with_rowid=False,
)

# Objections filed against a dossier during public posting (ý kiến, khiếu nại), each answered.
objections = sa.Table(
    "objections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "dossier_id", sa.Integer, sa.ForeignKey("workflow_instances.id"), nullable=False,
        index=True,
    ),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("contact", sa.String(200), nullable=True),  # optional: objections may be anonymous
    sa.Column("filed_at", UtcDateTime, nullable=False),
    sa.Column("answer", sa.Text, nullable=True),
    sa.Column("answered_by", sa.String(100), nullable=True),
    sa.Column("answered_at", UtcDateTime, nullable=True),
    # the council office's judgement: only an admissible objection (admissible true) holds the
    # dossier back until answered; NULL: not judged yet
    sa.Column("admissible", sa.Boolean, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("judged_by", sa.String(100), nullable=True),
    sa.Column("judged_at", UtcDateTime, nullable=True),
)

# Impediments to an award (Decree 152/2025 art. 4(4)): discipline, an investigation, a complaint
# or denunciation recorded against a unit or a person; a dossier of theirs is not proposed,
# approved by the council or decided while one is active. Closed by recording how it ended.
award_impediments = sa.Table(
    "award_impediments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=True, index=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("reference", sa.String(200), nullable=False),
    sa.Column("reference_date", sa.Date, nullable=True),
    sa.Column("start", sa.Date, nullable=False),
    sa.Column("until", sa.Date, nullable=True),  # a discipline's last day
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("closed_on", sa.Date, nullable=True),
    sa.Column("outcome", sa.String(20), nullable=True),
    sa.Column("closure_reference", sa.String(200), nullable=True),
    sa.Column("closure_note", sa.Text, nullable=True),
    sa.Column("closed_by", sa.String(100), nullable=True),
    sa.Column("closed_at", UtcDateTime, nullable=True),
    sa.CheckConstraint("(unit_id IS NULL) <> (user_id IS NULL)", name="one_subject"),
)

# --- the web app -------------------------------------------------------------------------------

# A definition being edited by an admin and not yet published (one draft per workflow). The
# drafts of criteria tables are kept here too, under CRITERIA_DRAFT + their code (a workflow's
# name has no colon, so the two never meet).
CRITERIA_DRAFT = "criteria:"
definition_drafts = sa.Table(
    "definition_drafts",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("source_text", sa.Text, nullable=False),
    sa.Column("saved_by", sa.String(100), nullable=False),
    sa.Column("saved_at", UtcDateTime, nullable=False),
)

# Tokens of API clients: only a hash is kept; the token is shown once when created.
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_used_at", UtcDateTime, nullable=True),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
    # the token stops working at this moment (NULL: tokens made before expiries existed)
    sa.Column("expires_at", UtcDateTime, nullable=True),
)

# Every change an administrator makes to people, roles, tokens, units and clusters: who, when,
# what it was before and after (written in the transaction of the change itself).
admin_changes = sa.Table(
    "admin_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("actor_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True),
    sa.Column("actor", sa.String(100), nullable=True),  # NULL: the command line or a set-up
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(20), nullable=False),  # user | grant | token | unit | cluster
    sa.Column("subject_id", sa.Integer, nullable=True),
    # the person the change concerns (a user's edit, their grant or token), for the filter
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True),
    sa.Column("before", sa.JSON, nullable=True),
    sa.Column("after", sa.JSON, nullable=True),
)

# The answers of API requests sent with an Idempotency-Key, per user: a retried request gets
# the first answer again instead of acting twice. `status` is null while the first one runs.
api_idempotency = sa.Table(
    "api_idempotency",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("body", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.UniqueConstraint("user_id", "key", name="uq_api_idempotency_user_key"),
)

# Limits on attempts shared by every process (sign-in failures, anonymous objections): one row
# per key, counting the hits of the window that began at its first hit and ends at reset_at.
rate_limits = sa.Table(
    "rate_limits",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("hits", sa.Integer, nullable=False),
    sa.Column("reset_at", UtcDateTime, nullable=False, index=True),
)
