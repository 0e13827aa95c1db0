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
  };
  return kMigrations;
}

}  // namespace ht::store::sqlite
