#include "store/sqlite/migrations.h"

namespace ht::store::sqlite {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "tokens, placements, custody, audit log, settings", R"sql(
CREATE TABLE tokens (
  id              TEXT PRIMARY KEY,
  key_id          TEXT NOT NULL UNIQUE,
  backend         TEXT NOT NULL,
  can_trigger     INTEGER NOT NULL,
  account_id      TEXT NOT NULL DEFAULT '',
  user_name       TEXT NOT NULL DEFAULT '',
  user_path       TEXT NOT NULL DEFAULT '/',
  user_arn        TEXT NOT NULL DEFAULT '',
  principal_id    TEXT NOT NULL DEFAULT '',
  label           TEXT NOT NULL DEFAULT '',
  tags            TEXT NOT NULL DEFAULT '{}',
  status          TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
  secret_state    TEXT NOT NULL CHECK (secret_state IN ('stored', 'forgotten', 'not-kept')),
  secret_nonce    BLOB,
  secret_box      BLOB,
  created_at      INTEGER NOT NULL,
  key_created_at  INTEGER NOT NULL,
  revoked_at      INTEGER,
  revoke_reason   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tokens_principal_id ON tokens (principal_id);
CREATE INDEX tokens_user_arn ON tokens (user_arn);

CREATE TABLE placements (
  id          INTEGER PRIMARY KEY,
  token_id    TEXT NOT NULL REFERENCES tokens (id),
  host        TEXT NOT NULL DEFAULT '',
  location    TEXT NOT NULL DEFAULT '',
  kind        TEXT NOT NULL DEFAULT '',
  owner       TEXT NOT NULL DEFAULT '',
  notes       TEXT NOT NULL DEFAULT '',
  tags        TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL
);
CREATE INDEX placements_token ON placements (token_id);

CREATE TABLE custody_events (
  id            INTEGER PRIMARY KEY,
  token_id      TEXT NOT NULL REFERENCES tokens (id),
  placement_id  INTEGER REFERENCES placements (id),
  holder        TEXT NOT NULL,
  method        TEXT NOT NULL,
  at            INTEGER NOT NULL,
  notes         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX custody_token ON custody_events (token_id, at);

CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  object_type  TEXT NOT NULL,
  object_id    TEXT NOT NULL,
  details      TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
)sql"},
      {2, "last-used safety net state", R"sql(
CREATE TABLE last_used (
  token_id      TEXT PRIMARY KEY REFERENCES tokens (id),
  last_used_at  INTEGER,
  service       TEXT NOT NULL DEFAULT '',
  region        TEXT NOT NULL DEFAULT '',
  checked_at    INTEGER NOT NULL
);
)sql"},
      {3, "triggers, unique per CloudTrail event, token and class", R"sql(
CREATE TABLE triggers (
  id                    INTEGER PRIMARY KEY,
  event_id              TEXT NOT NULL,
  token_id              TEXT NOT NULL REFERENCES tokens (id),
  trigger_class         TEXT NOT NULL,
  source                TEXT NOT NULL DEFAULT '',
  event_time            INTEGER,
  event_source          TEXT NOT NULL DEFAULT '',
  event_name            TEXT NOT NULL DEFAULT '',
  aws_region            TEXT NOT NULL DEFAULT '',
  source_ip             TEXT NOT NULL DEFAULT '',
  user_agent            TEXT NOT NULL DEFAULT '',
  error_code            TEXT NOT NULL DEFAULT '',
  error_message         TEXT NOT NULL DEFAULT '',
  recipient_account_id  TEXT NOT NULL DEFAULT '',
  request_id            TEXT NOT NULL DEFAULT '',
  read_only             INTEGER,
  client                TEXT NOT NULL DEFAULT '',
  intent                TEXT NOT NULL DEFAULT '',
  matched_on            TEXT NOT NULL DEFAULT '',
  record                TEXT NOT NULL DEFAULT '',
  created_at            INTEGER NOT NULL,
  UNIQUE (event_id, token_id, trigger_class)
);
CREATE INDEX triggers_token ON triggers (token_id, event_time);
)sql"},
      {4, "live sources: positions, objects read, health; trigger enrichment", R"sql(
ALTER TABLE triggers ADD COLUMN source_country TEXT NOT NULL DEFAULT '';
ALTER TABLE triggers ADD COLUMN source_asn INTEGER;
ALTER TABLE triggers ADD COLUMN source_as_org TEXT NOT NULL DEFAULT '';
ALTER TABLE triggers ADD COLUMN source_tor INTEGER;
ALTER TABLE triggers ADD COLUMN service TEXT NOT NULL DEFAULT '';

CREATE TABLE source_checkpoints (
  source      TEXT NOT NULL,
  position    TEXT NOT NULL,
  value       TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (source, position)
);

CREATE TABLE source_objects (
  object    TEXT PRIMARY KEY,
  source    TEXT NOT NULL,
  read_at   INTEGER NOT NULL,
  records   INTEGER NOT NULL,
  triggers  INTEGER NOT NULL
);
CREATE INDEX source_objects_read_at ON source_objects (read_at);

CREATE TABLE source_health (
  source             TEXT PRIMARY KEY,
  kind               TEXT NOT NULL,
  started_at         INTEGER,
  last_poll_at       INTEGER,
  last_data_at       INTEGER,
  last_object        TEXT NOT NULL DEFAULT '',
  newest_event_time  INTEGER,
  objects            INTEGER NOT NULL DEFAULT 0,
  records            INTEGER NOT NULL DEFAULT 0,
  triggers           INTEGER NOT NULL DEFAULT 0,
  bad_objects        INTEGER NOT NULL DEFAULT 0,
  errors             INTEGER NOT NULL DEFAULT 0,
  last_error         TEXT NOT NULL DEFAULT '',
  last_error_at      INTEGER,
  updated_at         INTEGER NOT NULL
);
)sql"},
      {5, "incidents, their timelines and the alert outbox", R"sql(
CREATE TABLE incidents (
  id             TEXT PRIMARY KEY,
  token_id       TEXT NOT NULL REFERENCES tokens (id),
  state          TEXT NOT NULL,
  severity       TEXT NOT NULL,
  title          TEXT NOT NULL,
  opened_at      INTEGER NOT NULL,
  first_seen     INTEGER NOT NULL,
  last_seen      INTEGER NOT NULL,
  trigger_count  INTEGER NOT NULL,
  seen           TEXT NOT NULL DEFAULT '{}',
  updated_at     INTEGER NOT NULL
);
CREATE INDEX incidents_token ON incidents (token_id, last_seen);

CREATE TABLE incident_triggers (
  incident_id  TEXT NOT NULL REFERENCES incidents (id),
  trigger_id   INTEGER NOT NULL REFERENCES triggers (id),
  PRIMARY KEY (incident_id, trigger_id)
);

CREATE TABLE incident_events (
  id           INTEGER PRIMARY KEY,
  incident_id  TEXT NOT NULL REFERENCES incidents (id),
  at           INTEGER NOT NULL,
  kind         TEXT NOT NULL,
  actor        TEXT NOT NULL DEFAULT '',
  text         TEXT NOT NULL,
  details      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);

CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  incident_id      TEXT NOT NULL REFERENCES incidents (id),
  output           TEXT NOT NULL,
  kind             TEXT NOT NULL,
  body             TEXT NOT NULL,
  state            TEXT NOT NULL DEFAULT 'pending',
  attempts         INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT NOT NULL DEFAULT '',
  sent_at          INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
)sql"},
      {6, "alert routes and response action results on the outbox", R"sql(
ALTER TABLE outbox ADD COLUMN route TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN result TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_route ON outbox (route, created_at);
)sql"},
  };
  return kMigrations;
}

}  // namespace ht::store::sqlite
