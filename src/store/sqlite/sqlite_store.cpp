#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <mutex>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "store/sqlite/migrations.h"

namespace ht::store {
namespace {

using incidents::OutboxState;
using tokens::AuditEntry;
using tokens::CustodyEvent;
using tokens::Placement;
using tokens::Tags;
using tokens::Token;

std::string tagsToJson(const Tags& tags) { return nlohmann::json(tags).dump(); }

Tags tagsFromJson(const std::string& text) {
  Tags tags;
  try {
    auto j = nlohmann::json::parse(text);
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.value().is_string()) tags[it.key()] = it.value().get<std::string>();
    }
  } catch (const nlohmann::json::exception&) {
    // A damaged tags column is not worth failing a whole listing over; show no tags.
  }
  return tags;
}

// Maps SQLite result codes to Status kinds that say what the user can do about them.
Status sqliteError(sqlite3* db, int rc, const std::string& what) {
  std::string msg = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::corruption(msg +
                                " (the database file is damaged or is not a honeytrail database)");
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::permissionDenied(msg);
    case SQLITE_CONSTRAINT:
      return Status::alreadyExists(msg);
    default:
      return Status::ioError(msg);
  }
}

// A closed-set column (a state, a class, a kind) whose text parses to nothing was written by
// something other than this version, or damaged: the read fails naming the column and value,
// rather than guessing a default that would, say, reopen an incident or resend an alert.
template <typename E>
Result<E> enumColumn(std::optional<E> parsed, const char* column, const std::string& text) {
  if (parsed) return *parsed;
  return Status::corruption(std::string("unknown value ") + jsonQuote(text) + " in column " +
                            column);
}

// A prepared statement that finalises itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status prepared(const std::string& what) const {
    return rc_ == SQLITE_OK ? Status::ok() : sqliteError(db_, rc_, what);
  }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bindBlob(int i, const std::string& v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& bindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }

  std::string text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::string blob(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    return p ? std::string(static_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

constexpr const char* kTokenColumns =
    "id, key_id, backend, can_trigger, account_id, user_name, user_path, user_arn, principal_id, "
    "label, tags, status, secret_state, created_at, key_created_at, revoked_at, revoke_reason";

Token tokenFromRow(const Stmt& s) {
  Token t;
  t.id = s.text(0);
  t.key_id = s.text(1);
  t.backend = s.text(2);
  t.can_trigger = s.int64(3) != 0;
  t.account_id = s.text(4);
  t.user_name = s.text(5);
  t.user_path = s.text(6);
  t.user_arn = s.text(7);
  t.principal_id = s.text(8);
  t.label = s.text(9);
  t.tags = tagsFromJson(s.text(10));
  tokens::parseTokenStatus(s.text(11), &t.status);
  tokens::parseSecretState(s.text(12), &t.secret_state);
  t.created_at = fromUnixSeconds(s.int64(13));
  t.key_created_at = fromUnixSeconds(s.int64(14));
  if (!s.isNull(15)) t.revoked_at = fromUnixSeconds(s.int64(15));
  t.revoke_reason = s.text(16);
  return t;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  // One connection runs one transaction at a time, and `serve` calls in from its sources, the
  // push endpoint's connections and the dispatcher at once: every call holds mu_ while it runs
  // (recursive, because some calls are made of others).
  ~SqliteStore() override {
    std::lock_guard lock(mu_);
    sqlite3_close_v2(db_);
  }

  Status init(const config::SqliteOptions& options) {
    sqlite3_busy_timeout(db_, options.busy_timeout_ms);
    sqlite3_extended_result_codes(db_, 1);
    // Touch the file first: a file that is not a database fails here, before anything is written.
    HT_RETURN_IF_ERROR(exec("PRAGMA schema_version", "reading the database header"));
    HT_RETURN_IF_ERROR(enableWal(options.busy_timeout_ms));
    HT_RETURN_IF_ERROR(exec("PRAGMA foreign_keys=ON", "enabling foreign keys"));
    HT_RETURN_IF_ERROR(exec("PRAGMA synchronous=NORMAL", "setting synchronous mode"));
    return migrate();
  }

  Result<int> schemaVersion() override {
    std::lock_guard lock(mu_);
    return currentVersion();
  }

  Status createToken(const Token& t, const std::optional<SealedSecret>& secret,
                     const AuditEntry& audit) override {
    std::lock_guard lock(mu_);
    return inTransaction("creating token", [&]() -> Status {
      Stmt s(
          db_,
          "INSERT INTO tokens (id, key_id, backend, can_trigger, account_id, user_name, user_path, "
          "user_arn, principal_id, label, tags, status, secret_state, secret_nonce, secret_box, "
          "created_at, key_created_at, revoked_at, revoke_reason) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
      HT_RETURN_IF_ERROR(s.prepared("preparing token insert"));
      s.bind(1, t.id).bind(2, t.key_id).bind(3, t.backend).bind(4, int64_t{t.can_trigger ? 1 : 0});
      s.bind(5, t.account_id).bind(6, t.user_name).bind(7, t.user_path).bind(8, t.user_arn);
      s.bind(9, t.principal_id).bind(10, t.label).bind(11, tagsToJson(t.tags));
      s.bind(12, std::string(tokens::tokenStatusName(t.status)));
      s.bind(13, std::string(tokens::secretStateName(t.secret_state)));
      if (secret) {
        s.bindBlob(14, secret->nonce).bindBlob(15, secret->ciphertext);
      } else {
        s.bindNull(14).bindNull(15);
      }
      s.bind(16, toUnixSeconds(t.created_at)).bind(17, toUnixSeconds(t.key_created_at));
      if (t.revoked_at)
        s.bind(18, toUnixSeconds(*t.revoked_at));
      else
        s.bindNull(18);
      s.bind(19, t.revoke_reason);
      int rc = s.step();
      if (rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT) {
          return Status::alreadyExists("key ID " + t.key_id + " is already registered");
        }
        return sqliteError(db_, rc, "inserting token");
      }
      return insertAudit(audit);
    });
  }

  Result<Token> findToken(const std::string& ref) override {
    std::lock_guard lock(mu_);
    std::string sql =
        std::string("SELECT ") + kTokenColumns + " FROM tokens WHERE id = ? OR key_id = ?";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing token lookup"));
    s.bind(1, ref).bind(2, ref);
    int rc = s.step();
    if (rc == SQLITE_ROW) return tokenFromRow(s);
    if (rc == SQLITE_DONE) return Status::notFound("no token with ID or key ID '" + ref + "'");
    return sqliteError(db_, rc, "looking up token");
  }

  Result<std::vector<Token>> listTokens(const TokenFilter& filter) override {
    std::lock_guard lock(mu_);
    std::string sql = std::string("SELECT ") + kTokenColumns + " FROM tokens";
    if (filter.status) sql += " WHERE status = ?";
    sql += " ORDER BY created_at, rowid";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing token listing"));
    if (filter.status) s.bind(1, std::string(tokens::tokenStatusName(*filter.status)));
    std::vector<Token> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(tokenFromRow(s));
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing tokens");
    return out;
  }

  Result<std::optional<SealedSecret>> loadSecret(const std::string& token_id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT secret_nonce, secret_box FROM tokens WHERE id = ?");
    HT_RETURN_IF_ERROR(s.prepared("preparing secret lookup"));
    s.bind(1, token_id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return Status::notFound("no token with ID '" + token_id + "'");
    if (rc != SQLITE_ROW) return sqliteError(db_, rc, "loading secret");
    if (s.isNull(1)) return std::optional<SealedSecret>();
    return std::optional<SealedSecret>(SealedSecret{s.blob(0), s.blob(1)});
  }

  Status forgetSecret(const std::string& token_id, const AuditEntry& audit) override {
    std::lock_guard lock(mu_);
    return inTransaction("forgetting secret", [&]() -> Status {
      // Overwrite before clearing so that the old bytes do not linger in the page.
      Stmt s(db_,
             "UPDATE tokens SET secret_box = zeroblob(length(secret_box)) WHERE id = ? AND "
             "secret_box IS NOT NULL");
      HT_RETURN_IF_ERROR(s.prepared("preparing secret wipe"));
      s.bind(1, token_id);
      if (int rc = s.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "wiping secret");
      Stmt c(
          db_,
          "UPDATE tokens SET secret_nonce = NULL, secret_box = NULL, secret_state = "
          "CASE WHEN secret_state = 'stored' THEN 'forgotten' ELSE secret_state END WHERE id = ?");
      HT_RETURN_IF_ERROR(c.prepared("preparing secret clear"));
      c.bind(1, token_id);
      if (int rc = c.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "clearing secret");
      if (sqlite3_changes(db_) == 0) return Status::notFound("no token with ID '" + token_id + "'");
      return insertAudit(audit);
    });
  }

  Status revokeToken(const std::string& token_id, TimePoint at, const std::string& reason,
                     const AuditEntry& audit) override {
    std::lock_guard lock(mu_);
    return inTransaction("revoking token", [&]() -> Status {
      Stmt s(db_,
             "UPDATE tokens SET status = 'revoked', revoked_at = ?, revoke_reason = ? "
             "WHERE id = ? AND status = 'active'");
      HT_RETURN_IF_ERROR(s.prepared("preparing revoke"));
      s.bind(1, toUnixSeconds(at)).bind(2, reason).bind(3, token_id);
      if (int rc = s.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "revoking token");
      if (sqlite3_changes(db_) == 0) {
        return Status::failedPrecondition("token '" + token_id + "' is not active");
      }
      return insertAudit(audit);
    });
  }

  Result<int64_t> addPlacement(const Placement& p, AuditEntry audit) override {
    std::lock_guard lock(mu_);
    int64_t id = 0;
    Status st = inTransaction("adding placement", [&]() -> Status {
      Stmt s(
          db_,
          "INSERT INTO placements (token_id, host, location, kind, owner, notes, tags, created_at) "
          "VALUES (?,?,?,?,?,?,?,?)");
      HT_RETURN_IF_ERROR(s.prepared("preparing placement insert"));
      s.bind(1, p.token_id).bind(2, p.host).bind(3, p.location).bind(4, p.kind).bind(5, p.owner);
      s.bind(6, p.notes).bind(7, tagsToJson(p.tags)).bind(8, toUnixSeconds(p.created_at));
      if (int rc = s.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "inserting placement");
      id = sqlite3_last_insert_rowid(db_);
      audit.object_id = std::to_string(id);
      return insertAudit(audit);
    });
    if (!st.isOk()) return st;
    return id;
  }

  Result<std::vector<Placement>> listPlacements(
      const std::optional<std::string>& token_id) override {
    std::lock_guard lock(mu_);
    std::string sql =
        "SELECT id, token_id, host, location, kind, owner, notes, tags, created_at FROM placements";
    if (token_id) sql += " WHERE token_id = ?";
    sql += " ORDER BY id";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing placement listing"));
    if (token_id) s.bind(1, *token_id);
    std::vector<Placement> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      Placement p;
      p.id = s.int64(0);
      p.token_id = s.text(1);
      p.host = s.text(2);
      p.location = s.text(3);
      p.kind = s.text(4);
      p.owner = s.text(5);
      p.notes = s.text(6);
      p.tags = tagsFromJson(s.text(7));
      p.created_at = fromUnixSeconds(s.int64(8));
      out.push_back(std::move(p));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing placements");
    return out;
  }

  Result<int64_t> addCustody(const CustodyEvent& e, AuditEntry audit) override {
    std::lock_guard lock(mu_);
    int64_t id = 0;
    Status st = inTransaction("adding custody event", [&]() -> Status {
      Stmt s(db_,
             "INSERT INTO custody_events (token_id, placement_id, holder, method, at, notes) "
             "VALUES (?,?,?,?,?,?)");
      HT_RETURN_IF_ERROR(s.prepared("preparing custody insert"));
      s.bind(1, e.token_id);
      if (e.placement_id)
        s.bind(2, *e.placement_id);
      else
        s.bindNull(2);
      s.bind(3, e.holder).bind(4, e.method).bind(5, toUnixSeconds(e.at)).bind(6, e.notes);
      if (int rc = s.step(); rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT) {
          return Status::notFound("placement " + std::to_string(e.placement_id.value_or(0)) +
                                  " does not exist");
        }
        return sqliteError(db_, rc, "inserting custody event");
      }
      id = sqlite3_last_insert_rowid(db_);
      audit.object_id = std::to_string(id);
      return insertAudit(audit);
    });
    if (!st.isOk()) return st;
    return id;
  }

  Result<std::vector<CustodyEvent>> listCustody(const std::string& token_id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_,
           "SELECT id, token_id, placement_id, holder, method, at, notes FROM custody_events "
           "WHERE token_id = ? ORDER BY at, id");
    HT_RETURN_IF_ERROR(s.prepared("preparing custody listing"));
    s.bind(1, token_id);
    std::vector<CustodyEvent> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      CustodyEvent e;
      e.id = s.int64(0);
      e.token_id = s.text(1);
      if (!s.isNull(2)) e.placement_id = s.int64(2);
      e.holder = s.text(3);
      e.method = s.text(4);
      e.at = fromUnixSeconds(s.int64(5));
      e.notes = s.text(6);
      out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing custody events");
    return out;
  }

  Status appendAudit(const AuditEntry& audit) override {
    std::lock_guard lock(mu_);
    return inTransaction("writing audit entry", [&]() { return insertAudit(audit); });
  }

  Result<std::vector<AuditEntry>> listAudit(int limit) override {
    std::lock_guard lock(mu_);
    Stmt s(db_,
           "SELECT id, at, actor, action, object_type, object_id, details FROM audit_log "
           "ORDER BY id DESC LIMIT ?");
    HT_RETURN_IF_ERROR(s.prepared("preparing audit listing"));
    s.bind(1, int64_t{limit});
    std::vector<AuditEntry> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      AuditEntry a;
      a.id = s.int64(0);
      a.at = fromUnixSeconds(s.int64(1));
      a.actor = s.text(2);
      a.action = s.text(3);
      a.object_type = s.text(4);
      a.object_id = s.text(5);
      a.details = s.text(6);
      out.push_back(std::move(a));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing audit log");
    return out;
  }

  Result<std::optional<LastUsedState>> getLastUsed(const std::string& token_id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_,
           "SELECT last_used_at, service, region, checked_at FROM last_used WHERE token_id = ?");
    HT_RETURN_IF_ERROR(s.prepared("preparing last-used lookup"));
    s.bind(1, token_id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<LastUsedState>();
    if (rc != SQLITE_ROW) return sqliteError(db_, rc, "reading last-used state");
    LastUsedState st;
    st.token_id = token_id;
    if (!s.isNull(0)) st.last_used_at = fromUnixSeconds(s.int64(0));
    st.service = s.text(1);
    st.region = s.text(2);
    st.checked_at = fromUnixSeconds(s.int64(3));
    return std::optional<LastUsedState>(std::move(st));
  }

  Status putLastUsed(const LastUsedState& st) override {
    std::lock_guard lock(mu_);
    return inTransaction("writing last-used state", [&]() -> Status {
      Stmt s(db_,
             "INSERT INTO last_used (token_id, last_used_at, service, region, checked_at) "
             "VALUES (?,?,?,?,?) ON CONFLICT (token_id) DO UPDATE SET last_used_at = "
             "excluded.last_used_at, service = excluded.service, region = excluded.region, "
             "checked_at = excluded.checked_at");
      HT_RETURN_IF_ERROR(s.prepared("preparing last-used write"));
      s.bind(1, st.token_id);
      if (st.last_used_at)
        s.bind(2, toUnixSeconds(*st.last_used_at));
      else
        s.bindNull(2);
      s.bind(3, st.service).bind(4, st.region).bind(5, toUnixSeconds(st.checked_at));
      if (int rc = s.step(); rc != SQLITE_DONE)
        return sqliteError(db_, rc, "writing last-used state");
      return Status::ok();
    });
  }

  Result<bool> addTrigger(const TriggerRecord& t) override {
    std::lock_guard lock(mu_);
    bool inserted = false;
    Status st = inTransaction("storing trigger", [&]() -> Status {
      Stmt s(db_,
             "INSERT INTO triggers (event_id, token_id, trigger_class, source, event_time, "
             "event_source, event_name, aws_region, source_ip, user_agent, error_code, "
             "error_message, recipient_account_id, request_id, read_only, client, intent, "
             "matched_on, record, created_at, source_country, source_asn, source_as_org, "
             "source_tor, service) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
             "ON CONFLICT (event_id, token_id, trigger_class) DO NOTHING");
      HT_RETURN_IF_ERROR(s.prepared("preparing trigger insert"));
      s.bind(1, t.event_id).bind(2, t.token_id).bind(3, detect::triggerClassName(t.trigger_class));
      s.bind(4, t.source);
      if (t.event_time)
        s.bind(5, toUnixSeconds(*t.event_time));
      else
        s.bindNull(5);
      s.bind(6, t.event_source).bind(7, t.event_name).bind(8, t.aws_region).bind(9, t.source_ip);
      s.bind(10, t.user_agent).bind(11, t.error_code).bind(12, t.error_message);
      s.bind(13, t.recipient_account_id).bind(14, t.request_id);
      if (t.read_only)
        s.bind(15, int64_t{*t.read_only ? 1 : 0});
      else
        s.bindNull(15);
      s.bind(16, t.client).bind(17, t.intent).bind(18, t.matched_on).bind(19, t.record);
      s.bind(20, toUnixSeconds(t.created_at));
      s.bind(21, t.source_country);
      if (t.source_asn)
        s.bind(22, int64_t{*t.source_asn});
      else
        s.bindNull(22);
      s.bind(23, t.source_as_org);
      if (t.source_tor)
        s.bind(24, int64_t{*t.source_tor ? 1 : 0});
      else
        s.bindNull(24);
      s.bind(25, t.service);
      if (int rc = s.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "storing trigger");
      inserted = sqlite3_changes(db_) > 0;
      return Status::ok();
    });
    if (!st.isOk()) return st;
    return inserted;
  }

  Result<std::vector<TriggerRecord>> listTriggers(const TriggerFilter& filter) override {
    std::lock_guard lock(mu_);
    std::string sql =
        "SELECT id, event_id, token_id, trigger_class, source, event_time, event_source, "
        "event_name, aws_region, source_ip, user_agent, error_code, error_message, "
        "recipient_account_id, request_id, read_only, client, intent, matched_on, record, "
        "created_at, source_country, source_asn, source_as_org, source_tor, service FROM triggers";
    sql += " WHERE 1=1";
    if (filter.token_id) sql += " AND token_id = ?";
    if (filter.without_incident) sql += " AND id NOT IN (SELECT trigger_id FROM incident_triggers)";
    if (filter.incident_id) {
      sql += " AND id IN (SELECT trigger_id FROM incident_triggers WHERE incident_id = ?)";
    }
    sql += " ORDER BY event_time, id LIMIT ?";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing trigger listing"));
    int i = 1;
    if (filter.token_id) s.bind(i++, *filter.token_id);
    if (filter.incident_id) s.bind(i++, *filter.incident_id);
    s.bind(i, int64_t{filter.limit});
    std::vector<TriggerRecord> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      TriggerRecord t;
      t.id = s.int64(0);
      t.event_id = s.text(1);
      t.token_id = s.text(2);
      HT_ASSIGN_OR_RETURN(t.trigger_class, enumColumn(detect::parseTriggerClass(s.text(3)),
                                                      "triggers.trigger_class", s.text(3)));
      t.source = s.text(4);
      if (!s.isNull(5)) t.event_time = fromUnixSeconds(s.int64(5));
      t.event_source = s.text(6);
      t.event_name = s.text(7);
      t.aws_region = s.text(8);
      t.source_ip = s.text(9);
      t.user_agent = s.text(10);
      t.error_code = s.text(11);
      t.error_message = s.text(12);
      t.recipient_account_id = s.text(13);
      t.request_id = s.text(14);
      if (!s.isNull(15)) t.read_only = s.int64(15) != 0;
      t.client = s.text(16);
      t.intent = s.text(17);
      t.matched_on = s.text(18);
      t.record = s.text(19);
      t.created_at = fromUnixSeconds(s.int64(20));
      t.source_country = s.text(21);
      if (!s.isNull(22)) t.source_asn = static_cast<uint32_t>(s.int64(22));
      t.source_as_org = s.text(23);
      if (!s.isNull(24)) t.source_tor = s.int64(24) != 0;
      t.service = s.text(25);
      out.push_back(std::move(t));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing triggers");
    return out;
  }

  Result<int64_t> registryVersion() override {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT coalesce(max(id), 0) FROM audit_log");
    HT_RETURN_IF_ERROR(s.prepared("preparing registry version"));
    if (int rc = s.step(); rc != SQLITE_ROW)
      return sqliteError(db_, rc, "reading registry version");
    return s.int64(0);
  }

  Result<std::optional<std::string>> getCheckpoint(const std::string& source,
                                                   const std::string& position) override {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT value FROM source_checkpoints WHERE source = ? AND position = ?");
    HT_RETURN_IF_ERROR(s.prepared("preparing checkpoint lookup"));
    s.bind(1, source).bind(2, position);
    int rc = s.step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(s.text(0));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return sqliteError(db_, rc, "reading checkpoint of " + source);
  }

  Status putCheckpoint(const std::string& source, const std::string& position,
                       const std::string& value, TimePoint at) override {
    std::lock_guard lock(mu_);
    return inTransaction("writing checkpoint", [&]() -> Status {
      Stmt s(db_,
             "INSERT INTO source_checkpoints (source, position, value, updated_at) VALUES "
             "(?,?,?,?) ON CONFLICT (source, position) DO UPDATE SET value = excluded.value, "
             "updated_at = excluded.updated_at");
      HT_RETURN_IF_ERROR(s.prepared("preparing checkpoint write"));
      s.bind(1, source).bind(2, position).bind(3, value).bind(4, toUnixSeconds(at));
      if (int rc = s.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "writing checkpoint");
      return Status::ok();
    });
  }

  Result<bool> objectRead(const std::string& object) override {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT 1 FROM source_objects WHERE object = ?");
    HT_RETURN_IF_ERROR(s.prepared("preparing object lookup"));
    s.bind(1, object);
    int rc = s.step();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqliteError(db_, rc, "looking up object " + object);
  }

  Status markObjectRead(const std::string& object, const std::string& source, TimePoint at,
                        uint64_t records, uint64_t triggers) override {
    std::lock_guard lock(mu_);
    return inTransaction("recording object read", [&]() -> Status {
      Stmt s(db_,
             "INSERT INTO source_objects (object, source, read_at, records, triggers) VALUES "
             "(?,?,?,?,?) ON CONFLICT (object) DO NOTHING");
      HT_RETURN_IF_ERROR(s.prepared("preparing object record"));
      s.bind(1, object).bind(2, source).bind(3, toUnixSeconds(at));
      s.bind(4, static_cast<int64_t>(records)).bind(5, static_cast<int64_t>(triggers));
      if (int rc = s.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "recording object");
      return Status::ok();
    });
  }

  Result<int64_t> pruneObjectsRead(TimePoint before) override {
    std::lock_guard lock(mu_);
    int64_t removed = 0;
    Status st = inTransaction("pruning objects read", [&]() -> Status {
      Stmt s(db_, "DELETE FROM source_objects WHERE read_at < ?");
      HT_RETURN_IF_ERROR(s.prepared("preparing object pruning"));
      s.bind(1, toUnixSeconds(before));
      if (int rc = s.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "pruning objects");
      removed = sqlite3_changes(db_);
      return Status::ok();
    });
    if (!st.isOk()) return st;
    return removed;
  }

  Status putSourceHealth(const SourceHealth& h) override {
    std::lock_guard lock(mu_);
    return inTransaction("writing source health", [&]() -> Status {
      Stmt s(db_,
             "INSERT INTO source_health (source, kind, started_at, last_poll_at, last_data_at, "
             "last_object, newest_event_time, objects, records, triggers, bad_objects, errors, "
             "last_error, last_error_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
             "ON CONFLICT (source) DO UPDATE SET kind = excluded.kind, started_at = "
             "excluded.started_at, last_poll_at = excluded.last_poll_at, last_data_at = "
             "excluded.last_data_at, last_object = excluded.last_object, newest_event_time = "
             "excluded.newest_event_time, objects = excluded.objects, records = "
             "excluded.records, triggers = excluded.triggers, bad_objects = "
             "excluded.bad_objects, errors = excluded.errors, last_error = excluded.last_error, "
             "last_error_at = excluded.last_error_at, updated_at = excluded.updated_at");
      HT_RETURN_IF_ERROR(s.prepared("preparing source health write"));
      auto optTime = [&](int i, const std::optional<TimePoint>& t) {
        if (t)
          s.bind(i, toUnixSeconds(*t));
        else
          s.bindNull(i);
      };
      s.bind(1, h.source).bind(2, h.kind);
      optTime(3, h.started_at);
      optTime(4, h.last_poll_at);
      optTime(5, h.last_data_at);
      s.bind(6, h.last_object);
      optTime(7, h.newest_event_time);
      s.bind(8, static_cast<int64_t>(h.objects)).bind(9, static_cast<int64_t>(h.records));
      s.bind(10, static_cast<int64_t>(h.triggers)).bind(11, static_cast<int64_t>(h.bad_objects));
      s.bind(12, static_cast<int64_t>(h.errors)).bind(13, h.last_error);
      optTime(14, h.last_error_at);
      s.bind(15, toUnixSeconds(h.updated_at));
      if (int rc = s.step(); rc != SQLITE_DONE)
        return sqliteError(db_, rc, "writing source health");
      return Status::ok();
    });
  }

  Result<std::vector<SourceHealth>> listSourceHealth() override {
    std::lock_guard lock(mu_);
    Stmt s(db_,
           "SELECT source, kind, started_at, last_poll_at, last_data_at, last_object, "
           "newest_event_time, objects, records, triggers, bad_objects, errors, last_error, "
           "last_error_at, updated_at FROM source_health ORDER BY source");
    HT_RETURN_IF_ERROR(s.prepared("preparing source health listing"));
    std::vector<SourceHealth> out;
    auto optTime = [&](int i) -> std::optional<TimePoint> {
      if (s.isNull(i)) return std::nullopt;
      return fromUnixSeconds(s.int64(i));
    };
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      SourceHealth h;
      h.source = s.text(0);
      h.kind = s.text(1);
      h.started_at = optTime(2);
      h.last_poll_at = optTime(3);
      h.last_data_at = optTime(4);
      h.last_object = s.text(5);
      h.newest_event_time = optTime(6);
      h.objects = static_cast<uint64_t>(s.int64(7));
      h.records = static_cast<uint64_t>(s.int64(8));
      h.triggers = static_cast<uint64_t>(s.int64(9));
      h.bad_objects = static_cast<uint64_t>(s.int64(10));
      h.errors = static_cast<uint64_t>(s.int64(11));
      h.last_error = s.text(12);
      h.last_error_at = optTime(13);
      h.updated_at = fromUnixSeconds(s.int64(14));
      out.push_back(std::move(h));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing source health");
    return out;
  }

  static constexpr const char* kIncidentColumns =
      "id, token_id, state, severity, title, opened_at, first_seen, last_seen, trigger_count, "
      "seen, updated_at";

  static Result<Incident> readIncident(Stmt& s) {
    Incident i;
    i.id = s.text(0);
    i.token_id = s.text(1);
    HT_ASSIGN_OR_RETURN(i.state, enumColumn(incidents::parseIncidentState(s.text(2)),
                                            "incidents.state", s.text(2)));
    HT_ASSIGN_OR_RETURN(i.severity,
                        enumColumn(parseSeverity(s.text(3)), "incidents.severity", s.text(3)));
    i.title = s.text(4);
    i.opened_at = fromUnixSeconds(s.int64(5));
    i.first_seen = fromUnixSeconds(s.int64(6));
    i.last_seen = fromUnixSeconds(s.int64(7));
    i.trigger_count = static_cast<uint64_t>(s.int64(8));
    i.seen = s.text(9);
    i.updated_at = fromUnixSeconds(s.int64(10));
    return i;
  }

  Result<std::optional<Incident>> latestIncidentFor(const std::string& token_id) override {
    std::lock_guard lock(mu_);
    std::string sql = std::string("SELECT ") + kIncidentColumns +
                      " FROM incidents WHERE token_id = ? ORDER BY last_seen DESC, opened_at DESC "
                      "LIMIT 1";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing incident lookup"));
    s.bind(1, token_id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<Incident>();
    if (rc != SQLITE_ROW) return sqliteError(db_, rc, "reading incident");
    HT_ASSIGN_OR_RETURN(Incident inc, readIncident(s));
    return std::optional<Incident>(std::move(inc));
  }

  Result<std::optional<Incident>> getIncident(const std::string& id) override {
    std::lock_guard lock(mu_);
    std::string sql = std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE id = ?";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing incident lookup"));
    s.bind(1, id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<Incident>();
    if (rc != SQLITE_ROW) return sqliteError(db_, rc, "reading incident " + id);
    HT_ASSIGN_OR_RETURN(Incident inc, readIncident(s));
    return std::optional<Incident>(std::move(inc));
  }

  Result<std::vector<Incident>> listIncidents(const IncidentFilter& filter) override {
    std::lock_guard lock(mu_);
    std::string sql = std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE 1=1";
    if (filter.state) sql += " AND state = ?";
    if (filter.token_id) sql += " AND token_id = ?";
    sql += " ORDER BY last_seen DESC, id LIMIT ?";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing incident listing"));
    int i = 1;
    if (filter.state) s.bind(i++, incidents::incidentStateName(*filter.state));
    if (filter.token_id) s.bind(i++, *filter.token_id);
    s.bind(i, int64_t{filter.limit});
    std::vector<Incident> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      HT_ASSIGN_OR_RETURN(Incident inc, readIncident(s));
      out.push_back(std::move(inc));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing incidents");
    return out;
  }

  Status saveIncident(const Incident& inc, const std::vector<IncidentEvent>& events,
                      const std::vector<int64_t>& trigger_ids,
                      const std::vector<OutboxItem>& notifications) override {
    std::lock_guard lock(mu_);
    return inTransaction("saving incident", [&]() -> Status {
      Stmt up(db_,
              "INSERT INTO incidents (id, token_id, state, severity, title, opened_at, "
              "first_seen, last_seen, trigger_count, seen, updated_at) VALUES "
              "(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
              "severity = excluded.severity, title = excluded.title, first_seen = "
              "excluded.first_seen, last_seen = excluded.last_seen, trigger_count = "
              "excluded.trigger_count, seen = excluded.seen, updated_at = excluded.updated_at");
      HT_RETURN_IF_ERROR(up.prepared("preparing incident write"));
      up.bind(1, inc.id).bind(2, inc.token_id).bind(3, incidents::incidentStateName(inc.state));
      up.bind(4, severityName(inc.severity));
      up.bind(5, inc.title).bind(6, toUnixSeconds(inc.opened_at));
      up.bind(7, toUnixSeconds(inc.first_seen)).bind(8, toUnixSeconds(inc.last_seen));
      up.bind(9, static_cast<int64_t>(inc.trigger_count)).bind(10, inc.seen);
      up.bind(11, toUnixSeconds(inc.updated_at));
      if (int rc = up.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "writing incident");
      for (const auto& e : events) {
        Stmt ev(db_,
                "INSERT INTO incident_events (incident_id, at, kind, actor, text, details) "
                "VALUES (?,?,?,?,?,?)");
        HT_RETURN_IF_ERROR(ev.prepared("preparing timeline write"));
        ev.bind(1, inc.id)
            .bind(2, toUnixSeconds(e.at))
            .bind(3, incidents::timelineKindName(e.kind));
        ev.bind(4, e.actor);
        ev.bind(5, e.text).bind(6, e.details);
        if (int rc = ev.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "writing timeline");
      }
      for (int64_t t : trigger_ids) {
        Stmt link(db_,
                  "INSERT INTO incident_triggers (incident_id, trigger_id) VALUES (?,?) "
                  "ON CONFLICT DO NOTHING");
        HT_RETURN_IF_ERROR(link.prepared("preparing incident trigger link"));
        link.bind(1, inc.id).bind(2, t);
        if (int rc = link.step(); rc != SQLITE_DONE)
          return sqliteError(db_, rc, "linking trigger to incident");
      }
      for (const auto& n : notifications) {
        Stmt ob(db_,
                "INSERT INTO outbox (incident_id, output, kind, body, state, attempts, "
                "created_at, next_attempt_at, last_error, route, result) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        HT_RETURN_IF_ERROR(ob.prepared("preparing outbox write"));
        ob.bind(1, inc.id).bind(2, n.output).bind(3, incidents::announcementKindName(n.kind));
        ob.bind(4, n.body).bind(5, incidents::outboxStateName(n.state));
        ob.bind(6, int64_t{n.attempts}).bind(7, toUnixSeconds(n.created_at));
        ob.bind(8, toUnixSeconds(n.next_attempt_at)).bind(9, n.last_error);
        ob.bind(10, n.route).bind(11, n.result);
        if (int rc = ob.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "writing outbox");
      }
      return Status::ok();
    });
  }

  Result<std::vector<IncidentEvent>> incidentTimeline(const std::string& id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_,
           "SELECT id, incident_id, at, kind, actor, text, details FROM incident_events WHERE "
           "incident_id = ? ORDER BY at, id");
    HT_RETURN_IF_ERROR(s.prepared("preparing timeline listing"));
    s.bind(1, id);
    std::vector<IncidentEvent> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      IncidentEvent e;
      e.id = s.int64(0);
      e.incident_id = s.text(1);
      e.at = fromUnixSeconds(s.int64(2));
      HT_ASSIGN_OR_RETURN(e.kind, enumColumn(incidents::parseTimelineKind(s.text(3)),
                                             "incident_events.kind", s.text(3)));
      e.actor = s.text(4);
      e.text = s.text(5);
      e.details = s.text(6);
      out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing timeline");
    return out;
  }

  static Result<OutboxItem> readOutbox(Stmt& s) {
    OutboxItem o;
    o.id = s.int64(0);
    o.incident_id = s.text(1);
    o.output = s.text(2);
    HT_ASSIGN_OR_RETURN(
        o.kind, enumColumn(incidents::parseAnnouncementKind(s.text(3)), "outbox.kind", s.text(3)));
    o.body = s.text(4);
    HT_ASSIGN_OR_RETURN(
        o.state, enumColumn(incidents::parseOutboxState(s.text(5)), "outbox.state", s.text(5)));
    o.attempts = static_cast<int>(s.int64(6));
    o.created_at = fromUnixSeconds(s.int64(7));
    o.next_attempt_at = fromUnixSeconds(s.int64(8));
    o.last_error = s.text(9);
    if (!s.isNull(10)) o.sent_at = fromUnixSeconds(s.int64(10));
    o.route = s.text(11);
    o.result = s.text(12);
    return o;
  }
  static constexpr const char* kOutboxColumns =
      "id, incident_id, output, kind, body, state, attempts, created_at, next_attempt_at, "
      "last_error, sent_at, route, result";

  Result<std::optional<OutboxItem>> getOutboxItem(int64_t id) override {
    std::lock_guard lock(mu_);
    std::string sql = std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE id = ?";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing outbox lookup"));
    s.bind(1, id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<OutboxItem>();
    if (rc != SQLITE_ROW) return sqliteError(db_, rc, "reading outbox item");
    HT_ASSIGN_OR_RETURN(OutboxItem item, readOutbox(s));
    return std::optional<OutboxItem>(std::move(item));
  }

  Result<std::vector<OutboxItem>> incidentOutbox(const std::string& incident_id) override {
    std::lock_guard lock(mu_);
    std::string sql =
        std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE incident_id = ? ORDER BY id";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing outbox listing"));
    s.bind(1, incident_id);
    std::vector<OutboxItem> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      HT_ASSIGN_OR_RETURN(OutboxItem item, readOutbox(s));
      out.push_back(std::move(item));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing outbox");
    return out;
  }

  Result<bool> claimOutboxItem(int64_t id, TimePoint now, TimePoint lease_until) override {
    std::lock_guard lock(mu_);
    Stmt s(db_,
           "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND state = 'pending' AND "
           "next_attempt_at <= ?");
    HT_RETURN_IF_ERROR(s.prepared("preparing outbox claim"));
    s.bind(1, toUnixSeconds(lease_until)).bind(2, id).bind(3, toUnixSeconds(now));
    if (int rc = s.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "claiming outbox item");
    return sqlite3_changes(db_) == 1;
  }

  Result<int64_t> countRouteAnnouncements(const std::string& route, TimePoint since) override {
    std::lock_guard lock(mu_);
    Stmt s(db_,
           "SELECT COUNT(*) FROM (SELECT DISTINCT incident_id, kind, created_at FROM outbox "
           "WHERE route = ? AND created_at >= ? AND kind IN ('new', 'escalation'))");
    HT_RETURN_IF_ERROR(s.prepared("preparing route count"));
    s.bind(1, route).bind(2, toUnixSeconds(since));
    int rc = s.step();
    if (rc != SQLITE_ROW) return sqliteError(db_, rc, "counting route announcements");
    return s.int64(0);
  }

  Result<std::vector<OutboxItem>> dueOutbox(TimePoint now, int limit) override {
    std::lock_guard lock(mu_);
    std::string sql = std::string("SELECT ") + kOutboxColumns +
                      " FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id "
                      "LIMIT ?";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing outbox listing"));
    s.bind(1, toUnixSeconds(now)).bind(2, int64_t{limit});
    std::vector<OutboxItem> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      HT_ASSIGN_OR_RETURN(OutboxItem item, readOutbox(s));
      out.push_back(std::move(item));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing outbox");
    return out;
  }

  Result<std::vector<OutboxItem>> listOutbox(const std::optional<OutboxState>& state) override {
    std::lock_guard lock(mu_);
    std::string sql = std::string("SELECT ") + kOutboxColumns + " FROM outbox";
    if (state) sql += " WHERE state = ?";
    sql += " ORDER BY id";
    Stmt s(db_, sql.c_str());
    HT_RETURN_IF_ERROR(s.prepared("preparing outbox listing"));
    if (state) s.bind(1, incidents::outboxStateName(*state));
    std::vector<OutboxItem> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      HT_ASSIGN_OR_RETURN(OutboxItem item, readOutbox(s));
      out.push_back(std::move(item));
    }
    if (rc != SQLITE_DONE) return sqliteError(db_, rc, "listing outbox");
    return out;
  }

  Status recordDelivery(const OutboxItem& o, const std::optional<IncidentEvent>& entry) override {
    std::lock_guard lock(mu_);
    return inTransaction("recording a delivery", [&]() -> Status {
      Stmt up(db_,
              "UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, "
              "sent_at = ?, result = ? WHERE id = ?");
      HT_RETURN_IF_ERROR(up.prepared("preparing outbox update"));
      up.bind(1, incidents::outboxStateName(o.state))
          .bind(2, int64_t{o.attempts})
          .bind(3, toUnixSeconds(o.next_attempt_at));
      up.bind(4, o.last_error);
      if (o.sent_at)
        up.bind(5, toUnixSeconds(*o.sent_at));
      else
        up.bindNull(5);
      up.bind(6, o.result).bind(7, o.id);
      if (int rc = up.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "updating outbox");
      if (sqlite3_changes(db_) != 1)
        return Status::notFound("no outbox item " + std::to_string(o.id));
      if (entry) {
        Stmt ev(db_,
                "INSERT INTO incident_events (incident_id, at, kind, actor, text, details) "
                "VALUES (?,?,?,?,?,?)");
        HT_RETURN_IF_ERROR(ev.prepared("preparing timeline write"));
        ev.bind(1, o.incident_id).bind(2, toUnixSeconds(entry->at));
        ev.bind(3, incidents::timelineKindName(entry->kind));
        ev.bind(4, entry->actor).bind(5, entry->text).bind(6, entry->details);
        if (int rc = ev.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "writing timeline");
      }
      return Status::ok();
    });
  }

  Result<std::optional<int64_t>> triggerId(const std::string& event_id, const std::string& token_id,
                                           detect::TriggerClass trigger_class) override {
    std::lock_guard lock(mu_);
    Stmt s(db_,
           "SELECT id FROM triggers WHERE event_id = ? AND token_id = ? AND trigger_class = ?");
    HT_RETURN_IF_ERROR(s.prepared("preparing trigger lookup"));
    s.bind(1, event_id).bind(2, token_id).bind(3, detect::triggerClassName(trigger_class));
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<int64_t>();
    if (rc != SQLITE_ROW) return sqliteError(db_, rc, "reading trigger");
    return std::optional<int64_t>(s.int64(0));
  }

  Result<std::optional<std::string>> getSetting(const std::string& key) override {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT value FROM settings WHERE key = ?");
    HT_RETURN_IF_ERROR(s.prepared("preparing setting lookup"));
    s.bind(1, key);
    int rc = s.step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(s.text(0));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return sqliteError(db_, rc, "reading setting " + key);
  }

  Result<std::string> setSettingIfAbsent(const std::string& key,
                                         const std::string& value) override {
    std::lock_guard lock(mu_);
    std::string stored;
    Status st = inTransaction("writing setting", [&]() -> Status {
      Stmt ins(db_, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING");
      HT_RETURN_IF_ERROR(ins.prepared("preparing setting insert"));
      ins.bind(1, key).bind(2, value);
      if (int rc = ins.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "writing setting");
      Stmt sel(db_, "SELECT value FROM settings WHERE key = ?");
      HT_RETURN_IF_ERROR(sel.prepared("preparing setting lookup"));
      sel.bind(1, key);
      if (int rc = sel.step(); rc != SQLITE_ROW) return sqliteError(db_, rc, "reading setting");
      stored = sel.text(0);
      return Status::ok();
    });
    if (!st.isOk()) return st;
    return stored;
  }

 private:
  Status exec(const char* sql, const std::string& what) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    sqlite3_free(err);
    return rc == SQLITE_OK ? Status::ok() : sqliteError(db_, rc, what);
  }

  // Switching a new database to WAL needs a moment of exclusive access, and SQLite reports
  // SQLITE_BUSY for it without consulting the busy handler; processes racing to open a fresh
  // data dir retry here. WAL mode is persistent, so later opens find it already set.
  Status enableWal(int timeout_ms) {
    for (int waited = 0;; waited += 10) {
      int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) return Status::ok();
      if ((rc & 0xff) != SQLITE_BUSY || waited >= timeout_ms)
        return sqliteError(db_, rc, "enabling WAL");
      sqlite3_sleep(10);
    }
  }

  // BEGIN IMMEDIATE takes the write lock up front, so concurrent writers wait (busy timeout)
  // instead of failing half-way with SQLITE_BUSY on lock upgrade.
  template <typename F>
  Status inTransaction(const std::string& what, F&& body) {
    HT_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE", what + ": starting transaction"));
    Status st = body();
    if (!st.isOk()) {
      exec("ROLLBACK", what + ": rolling back").isOk();
      return st;
    }
    Status commit = exec("COMMIT", what + ": committing");
    if (!commit.isOk()) exec("ROLLBACK", what + ": rolling back").isOk();
    return commit;
  }

  Status insertAudit(const AuditEntry& a) {
    Stmt s(db_,
           "INSERT INTO audit_log (at, actor, action, object_type, object_id, details) "
           "VALUES (?,?,?,?,?,?)");
    HT_RETURN_IF_ERROR(s.prepared("preparing audit insert"));
    s.bind(1, toUnixSeconds(a.at)).bind(2, a.actor).bind(3, a.action).bind(4, a.object_type);
    s.bind(5, a.object_id).bind(6, a.details.empty() ? std::string("{}") : a.details);
    if (int rc = s.step(); rc != SQLITE_DONE) return sqliteError(db_, rc, "writing audit entry");
    return Status::ok();
  }

  Result<int> currentVersion() {
    Stmt s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    HT_RETURN_IF_ERROR(s.prepared("reading schema version"));
    int rc = s.step();
    if (rc != SQLITE_ROW) return sqliteError(db_, rc, "reading schema version");
    return static_cast<int>(s.int64(0));
  }

  Status migrate() {
    const auto& all = sqlite::migrations();
    return inTransaction("applying migrations", [&]() -> Status {
      HT_RETURN_IF_ERROR(
          exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
               "description TEXT NOT NULL, applied_at INTEGER NOT NULL)",
               "creating schema_migrations"));
      HT_ASSIGN_OR_RETURN(int current, currentVersion());
      int latest = all.empty() ? 0 : all.back().version;
      if (current > latest) {
        return Status::failedPrecondition("database schema version " + std::to_string(current) +
                                          " is newer than this honeytrail understands (" +
                                          std::to_string(latest) + "); upgrade honeytrail");
      }
      for (const auto& m : all) {
        if (m.version <= current) continue;
        HT_RETURN_IF_ERROR(exec(m.sql, "migration " + std::to_string(m.version)));
        Stmt s(db_,
               "INSERT INTO schema_migrations (version, description, applied_at) "
               "VALUES (?, ?, strftime('%s','now'))");
        HT_RETURN_IF_ERROR(s.prepared("recording migration"));
        s.bind(1, int64_t{m.version}).bind(2, std::string(m.description));
        if (int rc = s.step(); rc != SQLITE_DONE)
          return sqliteError(db_, rc, "recording migration");
      }
      return Status::ok();
    });
  }

  sqlite3* db_;
  std::recursive_mutex mu_;
};

}  // namespace

int sqliteLatestSchemaVersion() {
  const auto& all = sqlite::migrations();
  return all.empty() ? 0 : all.back().version;
}

Result<std::unique_ptr<Store>> openSqliteStore(const std::string& path,
                                               const config::SqliteOptions& options) {
  sqlite3* db = nullptr;
  // The inventory is sensitive: the file is created readable by its owner only.
  mode_t old_mask = ::umask(077);
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  ::umask(old_mask);
  if (rc != SQLITE_OK) {
    Status st = sqliteError(db, rc, "opening database " + path);
    sqlite3_close_v2(db);
    return st;
  }
  auto store = std::make_unique<SqliteStore>(db);
  Status st = store->init(options);
  if (!st.isOk()) return st.withContext("database " + path);
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ht::store
