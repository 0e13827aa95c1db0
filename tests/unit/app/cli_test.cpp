// Drives the real honeytrail binary as a user or a script would: every command's contract,
// the new-user walk-through from README.md, and bad input that must change nothing.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.h"

namespace ht::app {
namespace {

using nlohmann::json;
using test::RunResult;

class CliTest : public ::testing::Test {
 protected:
  RunResult ht(std::vector<std::string> args, const std::string& stdin_text = "",
               std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {HT_BINARY, "--data-dir", data_dir()};
    argv.insert(argv.end(), args.begin(), args.end());
    env.emplace("HONEYTRAIL_ACTOR", "tester@ci");
    RunResult r = test::run(argv, env, stdin_text);
    all_output_ += r.out + r.err;
    return r;
  }
  json htJson(std::vector<std::string> args) {
    args.push_back("--output");
    args.push_back("json");
    RunResult r = ht(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }
  std::vector<json> htJsonLines(std::vector<std::string> args) {
    args.push_back("--output");
    args.push_back("json");
    RunResult r = ht(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<json> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }
  std::string data_dir() const { return dir_.path() + "/data"; }
  // Creates a synthetic token and returns (id, key id); remembers the secret for leak checks.
  json createToken(const std::string& label) {
    json j = htJson({"token", "create", "--backend", "synthetic", "--label", label});
    secrets_.push_back(j["secret_access_key"].get<std::string>());
    return j;
  }
  // Output that must never contain a secret (stderr of every command).
  void expectNoSecretIn(const std::string& text) {
    for (const auto& s : secrets_) EXPECT_EQ(text.find(s), std::string::npos) << "a secret leaked";
  }

  test::TempDir dir_;
  std::vector<std::string> secrets_;
  std::string all_output_;
};

TEST_F(CliTest, KeyInspectVectors) {
  json j = htJson({"key", "inspect", "AKIASP2TPHJSQH3FJRUX"});
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["account_id"], "171436882533");
  EXPECT_EQ(j["known_canary_account"], true);
  j = htJson({"key", "inspect", "ASIAY34FZKBOKMUTVV7A"});
  EXPECT_EQ(j["account_id"], "609629065308");
  EXPECT_EQ(j["prefix"], "ASIA");
  EXPECT_EQ(j["known_canary_account"], false);
  j = htJson({"key", "inspect", "AKIAIOSFODNN7EXAMPLE"});
  EXPECT_TRUE(j["account_id"].is_null());
  EXPECT_FALSE(j["account_note"].get<std::string>().empty());

  RunResult bad = ht({"key", "inspect", "AKIA123"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("invalid"), std::string::npos) << bad.out;
  EXPECT_FALSE(test::readText(data_dir() + "/honeytrail.db").size() > 0)
      << "inspect touches no state";
}

TEST_F(CliTest, NewUserWalkThrough) {
  // Three tokens for three hosts.
  std::vector<json> made;
  for (const char* host : {"web-01", "db-01", "laptop-ana"}) made.push_back(createToken(host));
  for (const auto& m : made) {
    EXPECT_TRUE(m["key_id"].get<std::string>().rfind("AKIA", 0) == 0);
    EXPECT_EQ(m["secret_access_key"].get<std::string>().size(), 40u);
    EXPECT_EQ(m["can_trigger"], false);
    EXPECT_EQ(m["secret"], "stored");
  }
  std::string id = made[0]["id"];
  std::string key = made[0]["key_id"];

  // Render into an existing credentials file beside the user's real profile.
  std::string creds = dir_.file("credentials");
  std::string existing =
      "[default]\naws_access_key_id = AKIAREALKEYREALKEY22\naws_secret_access_key = x\n";
  test::writeText(creds, existing);
  RunResult r = ht({"token", "render", id, "--format", "aws-credentials", "--profile", "prod-admin",
                    "--into", creds});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string after = test::readText(creds);
  EXPECT_EQ(after.rfind(existing, 0), 0u) << "the real profile is untouched";
  EXPECT_NE(after.find("[prod-admin]"), std::string::npos);
  EXPECT_NE(after.find(key), std::string::npos);
  RunResult cli =
      test::run({test::awsCli(), "configure", "list", "--profile", "prod-admin"},
                {{"AWS_SHARED_CREDENTIALS_FILE", creds}, {"AWS_CONFIG_FILE", dir_.file("none")}});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find(key.substr(16)), std::string::npos) << cli.out;

  // Placement and custody.
  json p = htJson({"placement", "add", id, "--host", "web-01", "--path",
                   "/home/deploy/.aws/credentials", "--owner", "ops"});
  EXPECT_GT(p["id"].get<int64_t>(), 0);
  htJson({"custody", "add", id, "--holder", "ansible@ci-02", "--method", "ansible"});
  RunResult bad_at =
      ht({"custody", "add", id, "--holder", "x", "--method", "y", "--at", "yesterday"});
  EXPECT_EQ(bad_at.exit_code, 1);
  EXPECT_NE(bad_at.err.find("yesterday"), std::string::npos);
  auto placements = htJsonLines({"placement", "list"});
  ASSERT_EQ(placements.size(), 1u);
  EXPECT_EQ(placements[0]["host"], "web-01");
  EXPECT_EQ(placements[0]["key_id"], key);

  auto listed = htJsonLines({"token", "list"});
  ASSERT_EQ(listed.size(), 3u);
  for (const auto& t : listed) {
    EXPECT_TRUE(t.contains("key_id"));
    EXPECT_TRUE(t["placements"].is_array());
    EXPECT_FALSE(t.contains("secret_access_key")) << "listing never shows secrets";
  }
  EXPECT_EQ(listed[0]["placements"].size(), 1u);

  json shown = htJson({"token", "show", key});
  EXPECT_EQ(shown["id"], id);
  ASSERT_GE(shown["custody"].size(), 3u);
  EXPECT_EQ(shown["custody"][0]["method"], "minted");
  EXPECT_EQ(shown["custody"][0]["holder"], "tester@ci");

  auto findings = htJsonLines({"token", "audit"});
  bool synthetic = false, unplaced = false, secret_after_placement = false;
  for (const auto& f : findings) {
    EXPECT_FALSE(f["fix"].get<std::string>().empty());
    synthetic |= f["code"].get<std::string>().find("synthetic") != std::string::npos;
    if (f["token_id"] == made[1]["id"]) unplaced |= f["severity"] == "low";
    if (f["token_id"] == id) secret_after_placement |= f["severity"] == "medium";
  }
  EXPECT_TRUE(synthetic);
  EXPECT_TRUE(unplaced);
  EXPECT_TRUE(secret_after_placement);

  // Forget the secret after placement; rendering then needs it on stdin.
  EXPECT_EQ(ht({"token", "forget-secret", id}).exit_code, 0);
  RunResult no_secret = ht({"token", "render", id, "--format", "env"});
  EXPECT_EQ(no_secret.exit_code, 1);
  EXPECT_NE(no_secret.err.find("--secret-stdin"), std::string::npos) << no_secret.err;
  RunResult with_stdin =
      ht({"token", "render", id, "--format", "env", "--secret-stdin"}, secrets_[0] + "\n");
  EXPECT_EQ(with_stdin.exit_code, 0) << with_stdin.err;
  EXPECT_NE(with_stdin.out.find(key), std::string::npos);

  // Table output for people works too.
  RunResult table = ht({"token", "list"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("web-01:/home/deploy/.aws/credentials"), std::string::npos) << table.out;
  RunResult status = ht({"status"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.out.find("3 active"), std::string::npos) << status.out;

  auto history = htJsonLines({"history"});
  EXPECT_GE(history.size(), 8u);
  EXPECT_EQ(history[0]["action"], "token.render");

  // Revoke: refused twice, and a revoked token is not rendered again.
  EXPECT_EQ(ht({"token", "revoke", id, "--reason", "test"}).exit_code, 0);
  EXPECT_EQ(ht({"token", "revoke", id}).exit_code, 1);
  EXPECT_EQ(ht({"token", "render", id, "--format", "env", "--secret-stdin"}, secrets_[0]).exit_code,
            1);
}

TEST_F(CliTest, SecretsNeverReachLogsOrErrors) {
  json t = createToken("web-01");
  // Everything on stderr across a busy session, at debug level and in JSON logs.
  std::string err;
  for (auto args : std::vector<std::vector<std::string>>{
           {"--log-level", "debug", "token", "list"},
           {"--log-level", "debug", "--log-format", "json", "token", "show", t["id"]},
           {"--log-level", "debug", "token", "render", t["id"], "--format", "shell", "--into",
            dir_.file("s.sh")},
           {"--log-level", "debug", "token", "render", t["id"], "--format", "nope"},
           {"--log-level", "debug", "token", "audit"},
           {"--log-level", "debug", "history"}}) {
    RunResult r = ht(args);
    err += r.err;
  }
  expectNoSecretIn(err);
  // The secret is where it was meant to go.
  EXPECT_NE(test::readText(dir_.file("s.sh")).find(secrets_[0]), std::string::npos);
  // ...and not in the database in plaintext.
  EXPECT_EQ(test::readText(data_dir() + "/honeytrail.db").find(secrets_[0]), std::string::npos);
  EXPECT_EQ(test::readText(data_dir() + "/honeytrail.db-wal").find(secrets_[0]), std::string::npos);
}

TEST_F(CliTest, NoStoreSecretShowsOnceAndKeepsNothing) {
  json j = htJson({"token", "create", "--no-store-secret"});
  EXPECT_EQ(j["secret"], "not-kept");
  std::string secret = j["secret_access_key"];
  ASSERT_EQ(secret.size(), 40u);
  RunResult r = ht({"token", "render", j["id"], "--format", "aws-config"});
  EXPECT_EQ(r.exit_code, 1);
  r = ht({"token", "render", j["id"], "--format", "aws-credentials", "--secret-stdin"}, secret);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(secret), std::string::npos);
  r = ht({"token", "render", j["id"], "--format", "aws-credentials", "--secret-stdin"},
         "not-a-secret");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("40 characters"), std::string::npos) << r.err;
}

TEST_F(CliTest, ImportRegistersKeyIdWithPrincipal) {
  json j = htJson({"token", "import", "--key-id", "AKIASP2TPHJSQH3FJRUX", "--user-arn",
                   "arn:aws:iam::171436882533:user/ops/jenkins-deploy", "--principal-id",
                   "AIDAQ3EGVVSYWCHK2XJ5D", "--label", "made on web-02"});
  EXPECT_EQ(j["backend"], "import");
  EXPECT_EQ(j["account_id"], "171436882533");
  EXPECT_EQ(j["user_name"], "jenkins-deploy");
  EXPECT_EQ(j["user_path"], "/ops/");
  EXPECT_EQ(j["principal_id"], "AIDAQ3EGVVSYWCHK2XJ5D");
  EXPECT_EQ(j["secret"], "not-kept");
  // Importing the same key again, a malformed key, a temporary key: all refused.
  RunResult dup = ht({"token", "import", "--key-id", "AKIASP2TPHJSQH3FJRUX"});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.err.find("already registered"), std::string::npos) << dup.err;
  RunResult bad = ht({"token", "import", "--key-id", "AKIA1111"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("AKIA1111"), std::string::npos) << bad.err;
  RunResult sts = ht({"token", "import", "--key-id", "ASIAY34FZKBOKMUTVV7A"});
  EXPECT_EQ(sts.exit_code, 1);
  RunResult bad_arn = ht(
      {"token", "import", "--key-id", "AKIAQ2WQ7AAAAAAAAAAB", "--user-arn", "arn:aws:s3:::bucket"});
  EXPECT_EQ(bad_arn.exit_code, 1);
  // The audit flags the known canary account.
  auto findings = htJsonLines({"token", "audit"});
  bool canary = false;
  for (const auto& f : findings) canary |= f["severity"] == "critical";
  EXPECT_TRUE(canary);
  EXPECT_EQ(ht({"token", "audit", "--fail-on", "critical"}).exit_code, 1);
  EXPECT_EQ(htJsonLines({"token", "list"}).size(), 1u) << "failed imports left nothing behind";
}

TEST_F(CliTest, DataDirsDoNotInterfereAndArePrivate) {
  createToken("a");
  test::TempDir other;
  std::vector<std::string> argv = {HT_BINARY,  "--data-dir", other.path() + "/d2", "token", "list",
                                   "--output", "json"};
  RunResult r = test::run(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << "the other data dir has no tokens";
  // The environment variable names the data dir too.
  RunResult via_env = test::run({HT_BINARY, "token", "list", "--output", "json"},
                                {{"HONEYTRAIL_DATA_DIR", data_dir()}});
  EXPECT_EQ(std::count(via_env.out.begin(), via_env.out.end(), '\n'), 1);
  struct stat st {};
  ASSERT_EQ(::stat(data_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((data_dir() + "/honeytrail.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(CliTest, ConcurrentInvocationsDoNotCorruptTheDatabase) {
  constexpr int kProcs = 8, kEach = 5;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      int failures = 0;
      for (int i = 0; i < kEach; ++i) {
        RunResult r = test::run({HT_BINARY, "--data-dir", data_dir(), "token", "create", "--output",
                                 "json", "--label", "p" + std::to_string(p)});
        if (r.exit_code != 0) ++failures;
      }
      _exit(failures);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a concurrent create failed";
  }
  EXPECT_EQ(htJsonLines({"token", "list"}).size(), static_cast<size_t>(kProcs * kEach));
  RunResult check =
      test::run({"sqlite3", data_dir() + "/honeytrail.db", "PRAGMA integrity_check;"});
  EXPECT_EQ(check.out, "ok\n") << check.out << check.err;
  // One synthetic account for the whole data dir, even though eight processes raced to pick it.
  std::set<std::string> accounts;
  for (const auto& t : htJsonLines({"token", "list"}))
    accounts.insert(t["account_id"].get<std::string>());
  EXPECT_EQ(accounts.size(), 1u);
}

TEST_F(CliTest, CorruptDatabaseGivesClearErrorAndChangesNothing) {
  ASSERT_EQ(::mkdir(data_dir().c_str(), 0700), 0);
  std::string db = data_dir() + "/honeytrail.db";
  std::string junk(8192, '\x5a');
  test::writeText(db, junk);
  RunResult r = ht({"token", "create"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a honeytrail database"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(db), std::string::npos) << r.err;
  EXPECT_EQ(test::readText(db), junk);
  EXPECT_FALSE(test::readText(data_dir() + "/master.key").size() > 0)
      << "no key made for a failed create";
}

TEST_F(CliTest, UnwritableDataDirIsAClearError) {
  std::string file = dir_.file("plain-file");
  test::writeText(file, "x");
  RunResult r = test::run({HT_BINARY, "--data-dir", file + "/data", "token", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(file + "/data"), std::string::npos) << r.err;
  RunResult r2 = test::run({HT_BINARY, "--data-dir", "/proc/honeytrail", "status"});
  EXPECT_EQ(r2.exit_code, 1);
  EXPECT_NE(r2.err.find("/proc/honeytrail"), std::string::npos) << r2.err;
}

TEST_F(CliTest, ConfigWithWrongTypeFailsWithKeyAndLine) {
  std::string cfg = dir_.file("honeytrail.yaml");
  test::writeText(cfg, "log:\n  level: info\naudit:\n  max_key_age_days: soon\n");
  RunResult r = ht({"--config", cfg, "token", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("audit.max_key_age_days"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":4"), std::string::npos) << r.err;
  EXPECT_FALSE(test::readText(data_dir() + "/honeytrail.db").size() > 0) << "nothing was created";
  RunResult v = ht({"config", "validate", cfg});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.err.find("max_key_age_days"), std::string::npos);
  test::writeText(cfg, "audit:\n  max_key_age_days: 30\n");
  EXPECT_EQ(ht({"config", "validate", cfg}).exit_code, 0);
  // A naming word list with a tell word is caught by validate, not only at the next create.
  test::writeText(cfg,
                  "tokens:\n  naming:\n    style: service\n    services: [billing, honeypot]\n");
  RunResult tell = ht({"config", "validate", cfg});
  EXPECT_EQ(tell.exit_code, 1);
  EXPECT_NE(tell.err.find("honey"), std::string::npos) << tell.err;
  RunResult create = ht({"--config", cfg, "token", "create"});
  EXPECT_EQ(create.exit_code, 1);
  EXPECT_NE(create.err.find("honey"), std::string::npos) << create.err;
  // The example config in docs/ is valid as shipped.
  RunResult example =
      ht({"config", "validate", std::string(HT_SOURCE_DIR) + "/docs/honeytrail.example.yaml"});
  EXPECT_EQ(example.exit_code, 0) << example.err;
}

TEST_F(CliTest, InvalidIniCredentialsFileIsRefusedUnchanged) {
  json t = createToken("x");
  std::string creds = dir_.file("credentials");
  std::string broken = "aws_access_key_id = AKIA_BEFORE_ANY_SECTION\n[default]\n";
  test::writeText(creds, broken);
  RunResult r = ht({"token", "render", t["id"], "--format", "aws-credentials", "--into", creds});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("line 1"), std::string::npos) << r.err;
  EXPECT_EQ(test::readText(creds), broken);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(ht({"token", "frobnicate"}).exit_code, 2);
  EXPECT_EQ(ht({"token", "render"}).exit_code, 2);
  EXPECT_EQ(ht({}).exit_code, 2);
  RunResult unknown = ht({"token", "show", "ht-doesnotexist"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("ht-doesnotexist"), std::string::npos);
}

// Every command that writes fails cleanly when another process holds the database's write lock
// past the busy timeout: exit 1, a message that says why, no crash, no secret printed for a
// token that was not stored, and nothing half-written.
TEST_F(CliTest, WritingCommandsFailCleanlyWhileTheDatabaseIsLocked) {
  json t = createToken("web-01");
  const std::string id = t["id"];
  test::writeText(data_dir() + "/honeytrail.yaml",
                  "storage:\n  sqlite:\n    busy_timeout_ms: 200\n");
  const std::string tokens_before = ht({"token", "list", "--output", "json"}).out;
  const size_t history_before = htJsonLines({"history"}).size();

  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open((data_dir() + "/honeytrail.db").c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  const std::vector<std::vector<std::string>> writers = {
      {"token", "create", "--label", "db-02"},
      {"token", "import", "--key-id", "AKIASP2TPHJSQH3FJRUX"},
      {"placement", "add", id, "--host", "web-02", "--path", "/srv/.aws/credentials"},
      {"custody", "add", id, "--holder", "ansible@ci-02", "--method", "ansible"},
      {"token", "forget-secret", id},
      {"token", "revoke", id},
  };
  std::string failed_output;
  for (const auto& args : writers) {
    RunResult r = ht(args);
    failed_output += r.out + r.err;
    std::string cmd = args[0] + " " + args[1];
    EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("database is locked"), std::string::npos) << cmd << ": " << r.err;
    EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << cmd;
    EXPECT_TRUE(r.out.empty()) << cmd << " printed: " << r.out;
  }
  ASSERT_EQ(sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(holder);

  EXPECT_EQ(ht({"token", "list", "--output", "json"}).out, tokens_before);
  EXPECT_EQ(htJsonLines({"history"}).size(), history_before) << "no audit entry without its change";
  expectNoSecretIn(failed_output);
}

}  // namespace
}  // namespace ht::app
