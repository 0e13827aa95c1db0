#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <thread>
#include <vector>

#include "support/test_support.h"

namespace ht::store {
namespace {

using tokens::AuditEntry;
using tokens::Token;

Token makeToken(const std::string& id, const std::string& key) {
  Token t;
  t.id = id;
  t.key_id = key;
  t.backend = "synthetic";
  t.can_trigger = false;
  t.account_id = "123456789012";
  t.user_name = "svc-billing-export";
  t.user_path = "/service/";
  t.tags = {{"env", "prod"}};
  t.created_at = fromUnixSeconds(1700000000);
  t.key_created_at = fromUnixSeconds(1700000000);
  return t;
}

AuditEntry entry(const std::string& action) {
  AuditEntry a;
  a.at = fromUnixSeconds(1700000000);
  a.actor = "test@host";
  a.action = action;
  a.object_type = "token";
  a.object_id = "x";
  return a;
}

int64_t countRows(const std::string& db_path, const std::string& table) {
  sqlite3* db = nullptr;
  sqlite3_open(db_path.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, ("SELECT COUNT(*) FROM " + table).c_str(), -1, &s, nullptr);
  sqlite3_step(s);
  int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

TEST(SqliteStoreTest, MigratesFromEmptyAndReopenIsNoOp) {
  test::TempDir dir;
  std::string path = dir.file("h.db");
  {
    auto store = openSqliteStore(path, {});
    ASSERT_TRUE(store.hasValue()) << store.status().toString();
    auto v = (*store)->schemaVersion();
    ASSERT_TRUE(v.hasValue());
    EXPECT_EQ(*v, sqliteLatestSchemaVersion());
  }
  EXPECT_EQ(countRows(path, "schema_migrations"), sqliteLatestSchemaVersion());
  {
    auto store = openSqliteStore(path, {});
    ASSERT_TRUE(store.hasValue());
    EXPECT_EQ(*(*store)->schemaVersion(), sqliteLatestSchemaVersion());
  }
  EXPECT_EQ(countRows(path, "schema_migrations"), sqliteLatestSchemaVersion());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the inventory is readable by its owner only";
}

TEST(SqliteStoreTest, TokenRoundTripWithAuditInSameTransaction) {
  test::TempDir dir;
  auto store = std::move(openSqliteStore(dir.file("h.db"), {})).value();
  Token t = makeToken("ht-aaaaaaaaaa", "AKIAQ2TESTKEYAAAAAAA");
  SealedSecret sealed{"nonce-bytes", std::string("cipher\0text", 11)};
  ASSERT_TRUE(store->createToken(t, sealed, entry("token.create")).isOk());

  auto by_id = store->findToken("ht-aaaaaaaaaa");
  ASSERT_TRUE(by_id.hasValue());
  EXPECT_EQ(by_id->key_id, t.key_id);
  EXPECT_EQ(by_id->tags.at("env"), "prod");
  EXPECT_EQ(by_id->user_path, "/service/");
  auto by_key = store->findToken("AKIAQ2TESTKEYAAAAAAA");
  ASSERT_TRUE(by_key.hasValue());
  EXPECT_EQ(by_key->id, t.id);

  auto secret = store->loadSecret(t.id);
  ASSERT_TRUE(secret.hasValue() && secret->has_value());
  EXPECT_EQ((*secret)->ciphertext.size(), 11u) << "blobs keep embedded NUL bytes";

  auto audit = store->listAudit(10);
  ASSERT_TRUE(audit.hasValue());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "token.create");

  // A duplicate key ID is refused and leaves no audit entry behind.
  Token dup = makeToken("ht-bbbbbbbbbb", "AKIAQ2TESTKEYAAAAAAA");
  Status st = store->createToken(dup, std::nullopt, entry("token.create"));
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store->listAudit(10)->size(), 1u);
  EXPECT_EQ(store->findToken("nope").status().code(), StatusCode::kNotFound);
}

TEST(SqliteStoreTest, ForgetSecretAndRevoke) {
  test::TempDir dir;
  auto store = std::move(openSqliteStore(dir.file("h.db"), {})).value();
  Token t = makeToken("ht-aaaaaaaaaa", "AKIAQ2TESTKEYAAAAAAA");
  t.secret_state = tokens::SecretState::kStored;
  ASSERT_TRUE(store->createToken(t, SealedSecret{"n", "c"}, entry("token.create")).isOk());
  ASSERT_TRUE(store->forgetSecret(t.id, entry("secret.forget")).isOk());
  EXPECT_FALSE(store->loadSecret(t.id)->has_value());
  EXPECT_EQ(store->findToken(t.id)->secret_state, tokens::SecretState::kForgotten);

  ASSERT_TRUE(
      store->revokeToken(t.id, fromUnixSeconds(1700000100), "test", entry("token.revoke")).isOk());
  Token r = *store->findToken(t.id);
  EXPECT_EQ(r.status, tokens::TokenStatus::kRevoked);
  ASSERT_TRUE(r.revoked_at.has_value());
  EXPECT_EQ(toUnixSeconds(*r.revoked_at), 1700000100);
  EXPECT_EQ(store->revokeToken(t.id, fromUnixSeconds(1), "", entry("x")).code(),
            StatusCode::kFailedPrecondition);
  TokenFilter active;
  active.status = tokens::TokenStatus::kActive;
  EXPECT_TRUE(store->listTokens(active)->empty());
}

TEST(SqliteStoreTest, PlacementsAndCustody) {
  test::TempDir dir;
  auto store = std::move(openSqliteStore(dir.file("h.db"), {})).value();
  Token t = makeToken("ht-aaaaaaaaaa", "AKIAQ2TESTKEYAAAAAAA");
  ASSERT_TRUE(store->createToken(t, std::nullopt, entry("token.create")).isOk());
  tokens::Placement p;
  p.token_id = t.id;
  p.host = "web-01";
  p.location = "/home/deploy/.aws/credentials";
  p.owner = "ops";
  p.created_at = fromUnixSeconds(1700000050);
  auto pid = store->addPlacement(p, entry("placement.add"));
  ASSERT_TRUE(pid.hasValue());
  tokens::CustodyEvent e;
  e.token_id = t.id;
  e.placement_id = *pid;
  e.holder = "ansible@ci-02";
  e.method = "ansible";
  e.at = fromUnixSeconds(1700000040);
  ASSERT_TRUE(store->addCustody(e, entry("custody.add")).hasValue());
  e.placement_id = 999;
  EXPECT_EQ(store->addCustody(e, entry("custody.add")).status().code(), StatusCode::kNotFound)
      << "a hop that names a placement that does not exist is refused";

  auto ps = store->listPlacements(t.id);
  ASSERT_EQ(ps->size(), 1u);
  EXPECT_EQ((*ps)[0].location, "/home/deploy/.aws/credentials");
  auto cs = store->listCustody(t.id);
  ASSERT_EQ(cs->size(), 1u);
  EXPECT_EQ((*cs)[0].holder, "ansible@ci-02");
  auto audit = store->listAudit(10);
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ((*audit)[1].object_id, std::to_string(*pid)) << "the audit entry names the new row";
}

TEST(SqliteStoreTest, SettingsFirstWriterWins) {
  test::TempDir dir;
  auto store = std::move(openSqliteStore(dir.file("h.db"), {})).value();
  EXPECT_FALSE(store->getSetting("k")->has_value());
  EXPECT_EQ(*store->setSettingIfAbsent("k", "first"), "first");
  EXPECT_EQ(*store->setSettingIfAbsent("k", "second"), "first");
  EXPECT_EQ(**store->getSetting("k"), "first");
}

TEST(SqliteStoreTest, TriggersAreUniquePerEventTokenAndClass) {
  test::TempDir dir;
  std::string path = dir.file("h.db");
  Token t = makeToken("ht-aaaaaaaaaa", "AKIAQ2TESTKEYAAAAAAA");
  {
    auto store = std::move(openSqliteStore(path, {})).value();
    ASSERT_TRUE(store->createToken(t, std::nullopt, entry("token.create")).isOk());
    TriggerRecord tr;
    tr.event_id = "3038ebd2-c98a-4c65-9b6e-e22506292313";
    tr.token_id = t.id;
    tr.trigger_class = detect::TriggerClass::kUsed;
    tr.event_time = fromUnixSeconds(1700000000);
    tr.event_name = "GetCallerIdentity";
    tr.read_only = true;
    EXPECT_TRUE(*store->addTrigger(tr));
    EXPECT_FALSE(*store->addTrigger(tr)) << "the same event again is not a new trigger";
    tr.trigger_class = detect::TriggerClass::kTouched;
    EXPECT_TRUE(*store->addTrigger(tr)) << "another class of the same event is";
    tr.token_id = "ht-unknown";
    EXPECT_FALSE(store->addTrigger(tr).hasValue()) << "a trigger must name a registered token";
  }
  // After a restart (a new connection) the same event is still known.
  auto store = std::move(openSqliteStore(path, {})).value();
  TriggerRecord again;
  again.event_id = "3038ebd2-c98a-4c65-9b6e-e22506292313";
  again.token_id = t.id;
  again.trigger_class = detect::TriggerClass::kUsed;
  EXPECT_FALSE(*store->addTrigger(again));
  auto all = store->listTriggers({});
  ASSERT_TRUE(all.hasValue());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].event_name, "GetCallerIdentity");
  EXPECT_EQ((*all)[0].read_only, std::optional<bool>(true));
}

void execSql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// Closed sets are stored as the text they always were, and text this version does not know is a
// corruption error naming the column and the value: never a crash, never a silent default.
TEST(SqliteStoreTest, ClosedSetColumnsKeepTheirTextAndRejectUnknownValues) {
  test::TempDir dir;
  std::string path = dir.file("h.db");
  Token t = makeToken("ht-aaaaaaaaaa", "AKIAQ2TESTKEYAAAAAAA");
  {
    auto store = std::move(openSqliteStore(path, {})).value();
    ASSERT_TRUE(store->createToken(t, std::nullopt, entry("token.create")).isOk());
    TriggerRecord tr;
    tr.event_id = "e1";
    tr.token_id = t.id;
    tr.trigger_class = detect::TriggerClass::kSessionUsed;
    ASSERT_TRUE(*store->addTrigger(tr));
    Incident inc;
    inc.id = "inc-aaaaaaaaaa";
    inc.token_id = t.id;
    inc.state = incidents::IncidentState::kFalsePositive;
    inc.severity = Severity::kCritical;
    incidents::IncidentEvent ev;
    ev.kind = incidents::TimelineKind::kSuppressed;
    OutboxItem item;
    item.output = "action:isolate";
    item.kind = incidents::AnnouncementKind::kEscalation;
    item.state = incidents::OutboxState::kDryRun;
    ASSERT_TRUE(store->saveIncident(inc, {ev}, {}, {item}).isOk());
  }
  EXPECT_EQ(countRows(path, "triggers WHERE trigger_class = 'session-used'"), 1);
  EXPECT_EQ(countRows(path, "incidents WHERE state = 'false-positive' AND severity = 'critical'"),
            1);
  EXPECT_EQ(countRows(path, "incident_events WHERE kind = 'suppressed'"), 1);
  EXPECT_EQ(countRows(path, "outbox WHERE kind = 'escalation' AND state = 'dry-run'"), 1);

  auto expectCorrupt = [&](const Status& st, const std::string& column, const std::string& value) {
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.toString();
    EXPECT_NE(st.message().find(column), std::string::npos) << st.toString();
    EXPECT_NE(st.message().find(value), std::string::npos) << st.toString();
  };
  execSql(path, "UPDATE triggers SET trigger_class = 'sneezed'");
  execSql(path, "UPDATE incidents SET state = 'reopened'");
  execSql(path, "UPDATE incident_events SET kind = 'gossip'");
  execSql(path, "UPDATE outbox SET state = 'lost'");
  auto store = std::move(openSqliteStore(path, {})).value();
  expectCorrupt(store->listTriggers({}).status(), "triggers.trigger_class", "sneezed");
  expectCorrupt(store->getIncident("inc-aaaaaaaaaa").status(), "incidents.state", "reopened");
  expectCorrupt(store->listIncidents({}).status(), "incidents.state", "reopened");
  expectCorrupt(store->incidentTimeline("inc-aaaaaaaaaa").status(), "incident_events.kind",
                "gossip");
  expectCorrupt(store->listOutbox(std::nullopt).status(), "outbox.state", "lost");
  execSql(path, "UPDATE incidents SET state = 'open', severity = 'dire'");
  execSql(path, "UPDATE outbox SET state = 'pending', kind = 'rumour'");
  expectCorrupt(store->latestIncidentFor(t.id).status(), "incidents.severity", "dire");
  expectCorrupt(store->incidentOutbox("inc-aaaaaaaaaa").status(), "outbox.kind", "rumour");
}

TEST(SqliteStoreTest, CorruptFileIsRefusedAndLeftUnchanged) {
  test::TempDir dir;
  std::string path = dir.file("h.db");
  std::string garbage = "this is not a database, it is a text file that someone put here\n";
  garbage += std::string(4096, 'x');
  test::writeText(path, garbage);
  auto store = openSqliteStore(path, {});
  ASSERT_FALSE(store.hasValue());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption);
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().message();
  EXPECT_EQ(test::readText(path), garbage);
}

TEST(SqliteStoreTest, DamagedDatabasePagesAreReported) {
  test::TempDir dir;
  std::string path = dir.file("h.db");
  {
    auto store = std::move(openSqliteStore(path, {})).value();
    for (int i = 0; i < 200; ++i) {
      char key[21];
      std::snprintf(key, sizeof key, "AKIAQ2TESTKEY%07d", i);
      ASSERT_TRUE(store
                      ->createToken(makeToken("ht-" + std::to_string(i), key), std::nullopt,
                                    entry("token.create"))
                      .isOk());
    }
  }
  // Overwrite everything after the header page with noise.
  std::string bytes = test::readText(path);
  ASSERT_GT(bytes.size(), 8192u);
  for (size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  test::writeText(path, bytes);
  auto store = openSqliteStore(path, {});
  if (store.hasValue()) {
    auto list = (*store)->listTokens({});
    ASSERT_FALSE(list.hasValue());
    EXPECT_EQ(list.status().code(), StatusCode::kCorruption) << list.status().toString();
  } else {
    EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().toString();
  }
}

TEST(SqliteStoreTest, NewerSchemaIsRefused) {
  test::TempDir dir;
  std::string path = dir.file("h.db");
  { ASSERT_TRUE(openSqliteStore(path, {}).hasValue()); }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999, 'future', 0)", nullptr, nullptr,
               nullptr);
  sqlite3_close(db);
  auto store = openSqliteStore(path, {});
  ASSERT_FALSE(store.hasValue());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("newer"), std::string::npos);
}

TEST(SqliteStoreTest, UnopenablePathIsAnError) {
  auto store = openSqliteStore("/proc/honeytrail-no/such/dir/h.db", {});
  ASSERT_FALSE(store.hasValue());
  EXPECT_EQ(store.status().code(), StatusCode::kPermissionDenied) << store.status().toString();
}

// `serve` shares one store between its sources, the push endpoint's connections and the
// dispatcher: the back-end itself serialises calls (there is no locking wrapper to forget).
TEST(SqliteStoreThreadsTest, ManyThreadsWriteAndReadOneStoreAtOnce) {
  test::TempDir dir;
  auto opened = openSqliteStore(dir.file("ht.db"), config::SqliteOptions{});
  ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
  std::unique_ptr<Store> store = std::move(opened).value();
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        SourceHealth h;
        h.source = "src-" + std::to_string(t);
        h.kind = "s3";
        h.objects = static_cast<uint64_t>(i);
        if (!store->putSourceHealth(h).isOk()) ++failures[t];
        if (!store->putCheckpoint(h.source, "after", std::to_string(i), TimePoint{}).isOk())
          ++failures[t];
        if (!store->listSourceHealth().hasValue()) ++failures[t];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  auto health = store->listSourceHealth();
  ASSERT_TRUE(health.hasValue());
  EXPECT_EQ(health->size(), static_cast<size_t>(kThreads));
  for (int t = 0; t < kThreads; ++t) {
    auto at = store->getCheckpoint("src-" + std::to_string(t), "after");
    ASSERT_TRUE(at.hasValue());
    EXPECT_EQ(at->value_or(""), std::to_string(kEach - 1));
  }
}

}  // namespace
}  // namespace ht::store
