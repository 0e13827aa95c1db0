#include "config/config.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "config/schema.h"
#include "core/files.h"
#include "core/strings.h"

namespace ht::config {
namespace {

const std::string kTestdata = HT_SOURCE_DIR "/tests/unit/config/testdata";
const std::string kExampleFile = HT_SOURCE_DIR "/docs/honeytrail.example.yaml";

EnvLookup fakeEnv(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<ConfigProblem> problemsOf(std::string_view yaml, const EnvLookup& env = fakeEnv()) {
  std::vector<ConfigProblem> problems;
  Result<Config> config = parseConfigCollect(yaml, "honeytrail.yaml", env, &problems);
  EXPECT_EQ(config.hasValue(), problems.empty());
  return problems;
}

// The one problem a snippet must produce, as "file:line: key: message".
std::string onlyProblem(std::string_view yaml, const EnvLookup& env = fakeEnv()) {
  std::vector<ConfigProblem> problems = problemsOf(yaml, env);
  EXPECT_EQ(problems.size(), 1u);
  return problems.empty() ? "" : problems.front().toString();
}

Config parseOk(std::string_view yaml, const EnvLookup& env = fakeEnv()) {
  Result<Config> config = parseConfig(yaml, "honeytrail.yaml", env);
  EXPECT_TRUE(config.hasValue()) << config.status().toString();
  return config.hasValue() ? config.value() : Config{};
}

// --- defaults and empty input -------------------------------------------------------------

TEST(ConfigDefaultsTest, EmptyTextGivesDefaults) {
  Config config = parseOk("");
  EXPECT_TRUE(diffConfigs(config, Config{}).empty());
  EXPECT_EQ(config.log.level, "info");
  EXPECT_EQ(config.storage.sqlite.busy_timeout_ms, 10000);
}

TEST(ConfigDefaultsTest, EmptyAndCommentOnlyFilesGiveDefaults) {
  for (const char* name : {"empty.yaml", "comments_only.yaml"}) {
    Result<Config> config = loadConfigFile(kTestdata + "/" + name);
    ASSERT_TRUE(config.hasValue()) << name << ": " << config.status().toString();
    EXPECT_TRUE(diffConfigs(*config, Config{}).empty()) << name;
  }
}

TEST(ConfigDefaultsTest, EmptySectionsAndNullValuesKeepDefaults) {
  Config config =
      parseOk("log:\nstorage:\n  sqlite:\n    busy_timeout_ms:\naudit:\n  real_account_ids: ~\n");
  EXPECT_TRUE(diffConfigs(config, Config{}).empty());
}

TEST(ConfigDefaultsTest, PartialFileChangesOnlyWhatItSets) {
  Config config = parseOk("audit:\n  max_key_age_days: 30\n");
  EXPECT_EQ(diffConfigs(config, Config{}), std::vector<std::string>{"audit.max_key_age_days"});
  EXPECT_EQ(config.audit.max_key_age_days, 30);
}

// --- the schema itself ----------------------------------------------------------------------

// Structured bindings must name every member, so this stops compiling when a field is added to
// options.h: add it to the schema (schema.cpp) and the example file, then to the counts here.
TEST(ConfigSchemaTest, CoversEveryOption) {
  Config c;
  [[maybe_unused]] auto& [data_dir, log, storage, secrets, tokens, audit, render, aws, enrich,
                          sources, alerts, serve] = c;
  [[maybe_unused]] auto& [level, format] = c.log;
  [[maybe_unused]] auto& [backend, sqlite] = c.storage;
  [[maybe_unused]] auto& [sqlite_path, busy_timeout_ms] = c.storage.sqlite;
  [[maybe_unused]] auto& [master_key_env, master_key_file] = c.secrets;
  [[maybe_unused]] auto& [default_backend, synthetic_account_id, naming] = c.tokens;
  [[maybe_unused]] auto& [style, pattern, services, envs, teams, first_names, last_names, paths] =
      c.tokens.naming;
  [[maybe_unused]] auto& [real_ids, canary_files, max_age, shared_threshold] = c.audit;
  [[maybe_unused]] auto& [default_region, default_profile] = c.render;
  [[maybe_unused]] auto& [profile, region, role_arn, external_id, endpoint_url, iam_endpoint_url,
                          sts_endpoint_url, s3_endpoint_url, deny_policy_name, max_attempts,
                          request_timeout_ms, last_used_poll_seconds, sqs_endpoint_url] = c.aws;
  [[maybe_unused]] auto& [geoip_db, asn_db, tor_exit_list] = c.enrich;
  [[maybe_unused]] auto& [s3, sqs, push, last_used, blind_after_minutes] = c.sources;
  [[maybe_unused]] auto& [s3_enabled, bucket, prefixes, poll_seconds, lookback_minutes,
                          initial_lookback_minutes] = c.sources.s3;
  [[maybe_unused]] auto& [sqs_enabled, queue_url, wait_seconds, max_messages,
                          visibility_timeout_seconds] = c.sources.sqs;
  [[maybe_unused]] auto& [push_enabled, listen, eb_key_header, eb_key_env, eb_user, eb_password_env,
                          topic_arns, cert_dir, fetch_certs, confirm, max_body_bytes,
                          read_timeout_ms] = c.sources.push;
  [[maybe_unused]] auto& [incident_window_minutes, ui_base_url, retry_first, retry_max, retry_age,
                          ingest_wait, outputs, routes, quiet, actions, runbooks] = c.alerts;
  OutputOptions output;
  [[maybe_unused]] auto& [o_name, o_enabled, o_type, o_url, o_url_env, o_secret_env, o_username,
                          o_allow_private, o_ca_file, o_timeout, o_project, o_issue_type, o_from,
                          o_to, o_path] = output;
  RouteOptions route;
  [[maybe_unused]] auto& [r_name, r_enabled, r_outputs, r_tags, r_placement, r_classes, r_severity,
                          r_throttle_max, r_throttle_minutes, r_actions] = route;
  QuietOptions rule;
  [[maybe_unused]] auto& [q_name, q_ips, q_agents, q_tokens, q_routes, q_expires, q_reason] = rule;
  ActionOptions action;
  [[maybe_unused]] auto& [a_name, a_type, a_command, a_url, a_secret_env, a_allow_private, a_mode,
                          a_timeout, a_on] = action;
  RunbookOptions runbook;
  [[maybe_unused]] auto& [b_name, b_markdown, b_file] = runbook;
  [[maybe_unused]] auto& [shutdown_timeout_seconds] = c.serve;
  // Leaves: data_dir 1, log 2, storage 1 + sqlite 2, secrets 2, tokens 2 + naming 8, audit 4,
  // render 2, aws 13, enrich 3, sources 2 + s3 6 + sqs 5 + push 12, alerts 6 + outputs 14 +
  // routes 9 + quiet 6 + actions 8 + runbooks 2 (entry names are mapping keys), serve 1.
  EXPECT_EQ(configSchema().size(), 111u);
  EXPECT_EQ(configCollections().size(), 5u);
}

// A Config with one entry, named "x", in every collection.
Config withOneEntryEach() {
  Config c;
  for (const CollectionSpec& collection : configCollections()) {
    size_t i = collection.add(c);
    collection.name(c, i) = "x";
  }
  return c;
}

// "alerts.outputs.pager.url" -> "alerts.outputs.*.url": written paths back to schema paths.
std::string schemaPathOf(const std::string& path) {
  for (const CollectionSpec& collection : configCollections()) {
    std::string prefix = std::string(collection.path) + ".";
    if (!startsWith(path, prefix)) continue;
    size_t dot = path.find('.', prefix.size());
    if (dot == std::string::npos) return std::string(collection.path) + ".*";
    return std::string(collection.path) + ".*" + path.substr(dot);
  }
  return path;
}

TEST(ConfigSchemaTest, EveryKeyIsDistinctAndReachesItsOwnField) {
  std::set<std::string_view> seen;
  for (const KeySpec& spec : configSchema()) {
    EXPECT_TRUE(seen.insert(spec.path).second) << "duplicate " << spec.path;
    EXPECT_FALSE(isSection(spec.path)) << spec.path;
    // Change just this key and check that exactly this key differs: catches two entries
    // pointing at the same field.
    // Keys of collection entries are checked on configs with one entry in each collection.
    Config base = withOneEntryEach();
    Config changed = base;
    switch (spec.kind) {
      case ValueKind::kString:
      case ValueKind::kEnum:
        if (const auto* typed = std::get_if<TypedEnumField>(&spec.field)) {
          // An enum field can only hold its own values: change it to another one.
          const std::string before = typed->read(changed, 0);
          for (std::string_view v : spec.allowed_values) {
            if (v != before) {
              EXPECT_TRUE(typed->write(changed, 0, v)) << spec.path << " " << v;
              break;
            }
          }
          break;
        }
        std::get<StringField>(spec.field)(changed, 0) += "x";
        break;
      case ValueKind::kInt:
        std::get<IntField>(spec.field)(changed, 0) += 1;
        break;
      case ValueKind::kBool:
        std::get<BoolField>(spec.field)(changed, 0) ^= true;
        break;
      case ValueKind::kStringList:
        std::get<StringListField>(spec.field)(changed, 0).push_back("x");
        break;
    }
    EXPECT_EQ(diffConfigs(changed, base), std::vector<std::string>{entryPath(spec.path, "x")});
  }
}

TEST(ConfigSchemaTest, DefaultsPassTheirOwnChecks) {
  Config defaults = withOneEntryEach();
  for (const KeySpec& spec : configSchema()) {
    if (spec.kind == ValueKind::kInt) {
      int value = std::get<IntField>(spec.field)(defaults, 0);
      EXPECT_GE(value, spec.min_value) << spec.path;
      EXPECT_LE(value, spec.max_value) << spec.path;
    }
    if (spec.kind == ValueKind::kString && spec.check != nullptr) {
      EXPECT_EQ(spec.check(readScalar(spec, defaults)), "") << spec.path;
    }
  }
}

// --- the documented example -----------------------------------------------------------------

TEST(ConfigExampleTest, ParsesToTheDefaults) {
  Result<std::string> text = readFile(kExampleFile);
  ASSERT_TRUE(text.hasValue()) << text.status().toString();
  // An empty environment: the example must not depend on the machine that reads it.
  Result<Config> config = parseConfig(*text, "honeytrail.example.yaml", fakeEnv());
  ASSERT_TRUE(config.hasValue()) << config.status().toString();
  // The example shows one entry of each collection, all disabled or inert; the rest is default.
  std::vector<std::string> differ = diffConfigs(*config, Config{});
  std::vector<std::string> expected;
  for (const CollectionSpec& collection : configCollections()) {
    expected.emplace_back(collection.path);
  }
  std::sort(differ.begin(), differ.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(differ, expected);
  for (const OutputOptions& o : config->alerts.outputs) EXPECT_FALSE(o.enabled) << o.name;
  for (const RouteOptions& r : config->alerts.routes) EXPECT_FALSE(r.enabled) << r.name;
  for (const ActionOptions& a : config->alerts.actions)
    EXPECT_EQ(a.mode, config::ActionMode::kDryRun) << a.name;
}

void collectKeyPaths(const YAML::Node& node, const std::string& prefix,
                     std::set<std::string>* out) {
  if (!node.IsMap()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string path = (prefix.empty() ? "" : prefix + ".") + it->first.Scalar();
    out->insert(path);
    collectKeyPaths(it->second, path, out);
  }
}

TEST(ConfigExampleTest, DocumentsEveryKey) {
  std::set<std::string> written;
  collectKeyPaths(YAML::LoadFile(kExampleFile), "", &written);
  std::set<std::string> normalized;
  for (const std::string& path : written) normalized.insert(schemaPathOf(path));
  written = normalized;
  for (const KeySpec& spec : configSchema()) {
    EXPECT_TRUE(written.count(std::string(spec.path))) << spec.path << " is not in the example";
  }
}

// --- a full file ----------------------------------------------------------------------------

TEST(ConfigLoadTest, FullFileSetsEveryKey) {
  Result<Config> loaded = loadConfigFile(kTestdata + "/good_full.yaml");
  ASSERT_TRUE(loaded.hasValue()) << loaded.status().toString();
  const Config& c = *loaded;
  // Every key differs from its default (backend stays sqlite), entries of collections compared
  // with default entries of the same names.
  Config defaults;
  for (const CollectionSpec& collection : configCollections()) {
    for (size_t i = 0; i < collection.count(c); ++i) {
      size_t j = collection.add(defaults);
      collection.name(defaults, j) = collection.name(const_cast<Config&>(c), i);
    }
  }
  std::set<std::string> differ;
  for (const std::string& path : diffConfigs(c, defaults)) differ.insert(schemaPathOf(path));
  EXPECT_EQ(differ.size(), configSchema().size() - 1);
  EXPECT_EQ(c.alerts.outputs.size(), 2u);
  EXPECT_EQ(c.alerts.routes.at(0).match_placement,
            (std::vector<std::string>{"host=web-*", "tag.env=prod"}));
  EXPECT_EQ(c.alerts.quiet.at(0).source_ips, (std::vector<std::string>{"198.51.100.0/24"}));
  EXPECT_EQ(c.data_dir, "/var/lib/honeytrail");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.format, "json");
  EXPECT_EQ(c.storage.sqlite.path, "/var/lib/honeytrail/ht.sqlite");
  EXPECT_EQ(c.storage.sqlite.busy_timeout_ms, 2500);
  EXPECT_EQ(c.secrets.master_key_env, "HT_KEY");
  EXPECT_EQ(c.tokens.default_backend, "aws");
  EXPECT_EQ(c.tokens.synthetic_account_id, "123456789012");
  EXPECT_EQ(c.tokens.naming.pattern, "{f}{last}-{n}");
  EXPECT_EQ(c.tokens.naming.teams, (std::vector<std::string>{"data", "platform"}));
  EXPECT_EQ(c.tokens.naming.paths, (std::vector<std::string>{"/", "/service/ci/"}));
  EXPECT_EQ(c.audit.real_account_ids, (std::vector<std::string>{"111122223333", "444455556666"}));
  EXPECT_EQ(c.audit.max_key_age_days, 90);
  EXPECT_EQ(c.audit.shared_account_threshold, 3);
  EXPECT_EQ(c.render.default_region, "eu-west-1");
  EXPECT_EQ(c.render.default_profile, "ops");
  EXPECT_EQ(c.sources.s3.prefixes, (std::vector<std::string>{"org", ""}));
  EXPECT_TRUE(c.sources.push.enabled);
  EXPECT_FALSE(c.sources.push.sns_fetch_certs);
  EXPECT_EQ(c.sources.push.sns_topic_arns,
            (std::vector<std::string>{"arn:aws:sns:eu-central-1:123456789012:trail"}));
  EXPECT_EQ(c.serve.shutdown_timeout_seconds, 10);
}

TEST(ConfigLoadTest, MissingFileIsNotFoundNamingThePath) {
  std::string path = kTestdata + "/does-not-exist.yaml";
  Result<Config> config = loadConfigFile(path);
  ASSERT_FALSE(config.hasValue());
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_NE(config.status().message().find(path), std::string::npos) << config.status().message();
}

TEST(ConfigLoadTest, ErrorsFromAFileNameThePathAndLine) {
  Result<Config> config = loadConfigFile(kTestdata + "/bad/int_overflow.yaml");
  ASSERT_FALSE(config.hasValue());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(startsWith(config.status().message(),
                         kTestdata + "/bad/int_overflow.yaml:2: audit.max_key_age_days: "))
      << config.status().message();
}

// --- type errors ----------------------------------------------------------------------------

TEST(ConfigTypeTest, IntegerGotText) {
  EXPECT_EQ(onlyProblem("audit:\n  max_key_age_days: soon\n"),
            "honeytrail.yaml:2: audit.max_key_age_days: expected an integer, got \"soon\"");
}

TEST(ConfigTypeTest, IntegerOutOfRange) {
  EXPECT_EQ(onlyProblem("audit:\n  max_key_age_days: 3651\n"),
            "honeytrail.yaml:2: audit.max_key_age_days: expected an integer from 1 to 3650, got "
            "\"3651\"");
  EXPECT_EQ(parseOk("audit:\n  max_key_age_days: 3650\n").audit.max_key_age_days, 3650);
  EXPECT_EQ(parseOk("storage:\n  sqlite:\n    busy_timeout_ms: 0\n").storage.sqlite.busy_timeout_ms,
            0);
}

TEST(ConfigTypeTest, StringGotListOrMapping) {
  EXPECT_EQ(onlyProblem("render:\n  default_profile: [a]\n"),
            "honeytrail.yaml:2: render.default_profile: expected a string, got a list");
  EXPECT_EQ(onlyProblem("data_dir: {a: b}\n"),
            "honeytrail.yaml:1: data_dir: expected a string, got a mapping");
}

TEST(ConfigTypeTest, ListGotScalarOrNestedItem) {
  EXPECT_NE(onlyProblem("audit:\n  real_account_ids: \"111122223333\"\n")
                .find("honeytrail.yaml:2: audit.real_account_ids: expected a list of strings, got "
                      "\"111122223333\""),
            std::string::npos);
  EXPECT_EQ(onlyProblem("tokens:\n  naming:\n    teams:\n      - a\n      - [b]\n"),
            "honeytrail.yaml:5: tokens.naming.teams[1]: expected a string, got a list");
}

TEST(ConfigTypeTest, SectionGotScalar) {
  EXPECT_EQ(onlyProblem("log: debug\n"),
            "honeytrail.yaml:1: log: expected a mapping of log.* keys, got \"debug\"");
}

TEST(ConfigTypeTest, NumbersAreAcceptedAsStrings) {
  // YAML has no quotes around 12-digit account IDs unless the user adds them; both must work.
  Config c = parseOk("tokens:\n  synthetic_account_id: 012345678901\n");
  EXPECT_EQ(c.tokens.synthetic_account_id, "012345678901");
}

// --- enums and semantic rules ---------------------------------------------------------------

TEST(ConfigEnumTest, RejectsValuesOutsideTheList) {
  EXPECT_EQ(onlyProblem("log:\n  level: verbose\n"),
            "honeytrail.yaml:2: log.level: expected one of debug, info, warn, error, got "
            "\"verbose\"");
  EXPECT_EQ(parseOk("log:\n  level: warn\n  format: json\n").log.format, "json");
}

TEST(ConfigEnumTest, PostgresIsNotYetSupported) {
  std::string problem = onlyProblem("storage:\n  backend: postgres\n");
  EXPECT_NE(problem.find("storage.backend"), std::string::npos);
  EXPECT_NE(problem.find("not yet supported"), std::string::npos) << problem;
}

TEST(ConfigSemanticTest, AccountIdsAreTwelveDigits) {
  EXPECT_EQ(onlyProblem("audit:\n  real_account_ids: [\"111122223333\", \"12345\"]\n"),
            "honeytrail.yaml:2: audit.real_account_ids[1]: expected a 12-digit AWS account ID, "
            "got \"12345\"");
  EXPECT_EQ(onlyProblem("tokens:\n  synthetic_account_id: \"1234567890123\"\n"),
            "honeytrail.yaml:2: tokens.synthetic_account_id: expected a 12-digit AWS account ID, "
            "got \"1234567890123\"");
}

TEST(ConfigSemanticTest, IamPathsStartAndEndWithSlash) {
  EXPECT_EQ(
      parseOk("tokens:\n  naming:\n    paths: [\"/\", \"/a/b/\"]\n").tokens.naming.paths.size(),
      2u);
  EXPECT_EQ(detail::checkIamPath("service/"),
            "an IAM path must start and end with '/', got \"service/\"");
  EXPECT_NE(detail::checkIamPath("/service"), "");
  EXPECT_NE(detail::checkIamPath(""), "");
}

TEST(ConfigSemanticTest, NamingPatternPlaceholders) {
  EXPECT_EQ(detail::checkNamingPattern("{team}-{service}-{env}"), "");
  EXPECT_EQ(detail::checkNamingPattern("{f}{last}{n}"), "");
  EXPECT_NE(detail::checkNamingPattern("{svc}"), "");
  EXPECT_NE(detail::checkNamingPattern("{team"), "");
  EXPECT_NE(detail::checkNamingPattern("team}"), "");
  EXPECT_NE(detail::checkNamingPattern("{team} {service}"), "");  // IAM names have no spaces
}

TEST(ConfigSemanticTest, NameWordsUseIamCharacters) {
  EXPECT_EQ(detail::checkIamNameWord("maria.lopez+ci@x_y=1,2-3"), "");
  EXPECT_NE(detail::checkIamNameWord(""), "");
  EXPECT_NE(detail::checkIamNameWord(std::string(65, 'a')), "");
  EXPECT_NE(detail::checkIamNameWord("maria lopez"), "");
  EXPECT_NE(detail::checkIamNameWord("a/b"), "");
}

// --- unknown keys ---------------------------------------------------------------------------

TEST(ConfigUnknownKeyTest, SuggestsTheNearestKey) {
  EXPECT_EQ(onlyProblem("audit:\n  max_key_age: 30\n"),
            "honeytrail.yaml:2: audit.max_key_age: unknown key (did you mean "
            "'audit.max_key_age_days'?)");
}

TEST(ConfigUnknownKeyTest, SuggestsTheSectionAKeyBelongsIn) {
  EXPECT_EQ(onlyProblem("max_key_age_days: 30\n"),
            "honeytrail.yaml:1: max_key_age_days: unknown key (did you mean "
            "'audit.max_key_age_days'?)");
}

TEST(ConfigUnknownKeyTest, ListsKnownKeysWhenNothingIsClose) {
  EXPECT_EQ(onlyProblem("render:\n  colour: blue\n"),
            "honeytrail.yaml:2: render.colour: unknown key (known keys here: default_region, "
            "default_profile)");
}

TEST(ConfigUnknownKeyTest, EditDistance) {
  EXPECT_EQ(detail::editDistance("", ""), 0u);
  EXPECT_EQ(detail::editDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(detail::editDistance("stlye", "style"), 2u);
  EXPECT_EQ(detail::editDistance("abc", ""), 3u);
}

// --- YAML-level problems --------------------------------------------------------------------

TEST(ConfigYamlTest, SyntaxErrorReportsLineAndColumn) {
  std::string problem = onlyProblem("log:\n  level: info\n  format: [plain\n");
  EXPECT_TRUE(startsWith(problem, "honeytrail.yaml:4: YAML syntax error at column ")) << problem;
  problem = onlyProblem("log:\n  level: info\n format: json\n");
  EXPECT_EQ(problem, "honeytrail.yaml:3: YAML syntax error at column 2: end of map not found");
}

TEST(ConfigYamlTest, TopLevelMustBeAMapping) {
  EXPECT_EQ(onlyProblem("- a\n- b\n"),
            "honeytrail.yaml:1: the top level must be a mapping of keys such as \"log:\", got a "
            "list");
  EXPECT_EQ(onlyProblem("hello\n"),
            "honeytrail.yaml:1: the top level must be a mapping of keys such as \"log:\", got "
            "\"hello\"");
}

TEST(ConfigYamlTest, DuplicateKeyIsAnError) {
  EXPECT_EQ(onlyProblem("log:\n  level: info\n  level: warn\n"),
            "honeytrail.yaml:3: log.level: duplicate key (first set on line 2)");
}

// --- environment expansion ------------------------------------------------------------------

TEST(ConfigEnvTest, ExpandsSetVariablesInsideLargerStrings) {
  Config c =
      parseOk("data_dir: ${HOME}/ht-${SITE}\n", fakeEnv({{"HOME", "/home/ops"}, {"SITE", "eu"}}));
  EXPECT_EQ(c.data_dir, "/home/ops/ht-eu");
}

TEST(ConfigEnvTest, UsesTheDefaultWhenUnsetOrEmpty) {
  EXPECT_EQ(parseOk("data_dir: \"${HT_DIR:-/srv/ht}\"\n").data_dir, "/srv/ht");
  EXPECT_EQ(parseOk("data_dir: \"${HT_DIR:-/srv/ht}\"\n", fakeEnv({{"HT_DIR", ""}})).data_dir,
            "/srv/ht");
  EXPECT_EQ(parseOk("data_dir: \"${HT_DIR:-/srv/ht}\"\n", fakeEnv({{"HT_DIR", "/x"}})).data_dir,
            "/x");
  EXPECT_EQ(parseOk("data_dir: \"${HT_DIR:-}\"\n").data_dir, "");
}

TEST(ConfigEnvTest, MissingVariableNamesVariableKeyAndLine) {
  EXPECT_EQ(
      onlyProblem("log:\n  level: info\nsecrets:\n  master_key_file: ${KEY_DIR}/master.key\n"),
      "honeytrail.yaml:4: secrets.master_key_file: environment variable KEY_DIR is not set "
      "(write ${KEY_DIR:-default} to give a default)");
}

TEST(ConfigEnvTest, EscapedDollarBraceIsLiteral) {
  EXPECT_EQ(parseOk("data_dir: \"a$${HOME}b\"\n", fakeEnv({{"HOME", "/h"}})).data_dir, "a${HOME}b");
  EXPECT_EQ(parseOk("data_dir: \"cost $5 and $$\"\n").data_dir, "cost $5 and $$");
}

TEST(ConfigEnvTest, IntegerFromEnvironment) {
  EXPECT_EQ(parseOk("audit:\n  max_key_age_days: ${AGE}\n", fakeEnv({{"AGE", "45"}}))
                .audit.max_key_age_days,
            45);
  EXPECT_EQ(parseOk("audit:\n  max_key_age_days: ${AGE:-60}\n").audit.max_key_age_days, 60);
  EXPECT_EQ(onlyProblem("audit:\n  max_key_age_days: ${AGE}\n", fakeEnv({{"AGE", "soon"}})),
            "honeytrail.yaml:2: audit.max_key_age_days: expected an integer, got \"soon\" (from "
            "\"${AGE}\")");
}

TEST(ConfigEnvTest, EnumAndListItemsFromEnvironment) {
  Config c = parseOk("log:\n  level: ${LEVEL}\naudit:\n  real_account_ids: [\"${ACCT}\"]\n",
                     fakeEnv({{"LEVEL", "debug"}, {"ACCT", "111122223333"}}));
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.audit.real_account_ids, std::vector<std::string>{"111122223333"});
}

TEST(ConfigEnvTest, ExpandEnvEdgeCases) {
  EnvLookup env = fakeEnv({{"A", "1"}});
  EXPECT_EQ(*detail::expandEnv("", env), "");
  EXPECT_EQ(*detail::expandEnv("plain $ text {}", env), "plain $ text {}");
  EXPECT_EQ(*detail::expandEnv("${A}${A}", env), "11");
  EXPECT_EQ(*detail::expandEnv("$$${A}", env), "$${A}");
  EXPECT_EQ(*detail::expandEnv("${B:-x:-y}", env), "x:-y");
  EXPECT_FALSE(detail::expandEnv("${A", env).hasValue());
  EXPECT_FALSE(detail::expandEnv("${}", env).hasValue());
  EXPECT_FALSE(detail::expandEnv("${1A}", env).hasValue());
  EXPECT_FALSE(detail::expandEnv("${B:-${A}}", env).hasValue());
  Result<std::string> missing = detail::expandEnv("${NOPE}", env);
  ASSERT_FALSE(missing.hasValue());
  EXPECT_NE(missing.status().message().find("NOPE"), std::string::npos);
}

TEST(ConfigEnvTest, ProcessEnvReadsTheRealEnvironment) {
  EnvLookup env = processEnv();
  EXPECT_FALSE(env("HT_CONFIG_TEST_SURELY_UNSET_VARIABLE").has_value());
  ASSERT_TRUE(env("PATH").has_value());  // set for every test runner
}

// --- collecting problems --------------------------------------------------------------------

TEST(ConfigCollectTest, ReportsEveryProblemInFileOrder) {
  const char* yaml =
      "log:\n"
      "  level: loud\n"  // 2: enum
      "audit:\n"
      "  max_key_age_days: soon\n"  // 4: type
      "  max_key_age: 3\n"          // 5: unknown
      "render:\n"
      "  default_region: ${NOPE}\n";  // 7: env
  std::vector<ConfigProblem> problems = problemsOf(yaml);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].line, 2);
  EXPECT_EQ(problems[0].key_path, "log.level");
  EXPECT_EQ(problems[1].line, 4);
  EXPECT_EQ(problems[1].key_path, "audit.max_key_age_days");
  EXPECT_EQ(problems[2].line, 5);
  EXPECT_EQ(problems[2].key_path, "audit.max_key_age");
  EXPECT_EQ(problems[3].line, 7);
  EXPECT_EQ(problems[3].key_path, "render.default_region");

  // parseConfig fails with all of them, one per line, for a start-up error message.
  Result<Config> config = parseConfig(yaml, "honeytrail.yaml", fakeEnv());
  ASSERT_FALSE(config.hasValue());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(split(config.status().message(), '\n').size(), 4u);
}

TEST(ConfigCollectTest, AppendsToExistingProblems) {
  std::vector<ConfigProblem> problems = {{"earlier.yaml", 1, "", "already here"}};
  Result<Config> config =
      parseConfigCollect("log:\n  level: loud\n", "b.yaml", fakeEnv(), &problems);
  EXPECT_FALSE(config.hasValue());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[1].source, "b.yaml");
  // The status only carries this parse's problems.
  EXPECT_EQ(config.status().message().find("already here"), std::string::npos);
}

TEST(ConfigCollectTest, ProblemToString) {
  EXPECT_EQ((ConfigProblem{"a.yaml", 3, "log.level", "bad"}).toString(),
            "a.yaml:3: log.level: bad");
  EXPECT_EQ((ConfigProblem{"a.yaml", 0, "", "bad"}).toString(), "a.yaml: bad");
}

// Data-driven: each testdata/bad/NAME.yaml yields exactly the problems in NAME.expected, parsed
// with an empty environment and "NAME.yaml" as the source name.
TEST(ConfigCollectTest, BadFixturesMatchExpectedProblems) {
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kTestdata + "/bad")) {
    if (entry.path().extension() != ".yaml") continue;
    ++cases;
    std::string name = entry.path().filename().string();
    Result<std::string> text = readFile(entry.path().string());
    ASSERT_TRUE(text.hasValue());
    std::string expected_path = entry.path().string();
    expected_path.replace(expected_path.size() - 5, 5, ".expected");
    Result<std::string> expected = readFile(expected_path);
    ASSERT_TRUE(expected.hasValue()) << expected_path;

    std::vector<ConfigProblem> problems;
    Result<Config> config = parseConfigCollect(*text, name, fakeEnv(), &problems);
    EXPECT_FALSE(config.hasValue()) << name;
    std::string actual;
    for (const ConfigProblem& p : problems) actual += p.toString() + "\n";
    EXPECT_EQ(actual, *expected) << name;
  }
  EXPECT_GE(cases, 15);
}

// --- config show ----------------------------------------------------------------------------

TEST(ConfigToYamlTest, DefaultsRoundTrip) {
  std::string yaml = configToYaml(Config{});
  Config back = parseOk(yaml);
  EXPECT_EQ(diffConfigs(back, Config{}), std::vector<std::string>{}) << yaml;
  EXPECT_NE(yaml.find("log:\n  level: \"info\"\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("storage:\n  backend: \"sqlite\"\n  sqlite:\n    path: \"honeytrail.db\"\n"
                      "    busy_timeout_ms: 10000\n"),
            std::string::npos)
      << yaml;
}

TEST(ConfigToYamlTest, EveryKeyIsWritten) {
  std::set<std::string> written;
  collectKeyPaths(YAML::Load(configToYaml(withOneEntryEach())), "", &written);
  std::set<std::string> normalized;
  for (const std::string& path : written) normalized.insert(schemaPathOf(path));
  for (const KeySpec& spec : configSchema()) {
    EXPECT_TRUE(normalized.count(std::string(spec.path))) << spec.path;
  }
}

// Action type and mode (and a route's min_severity) are parsed into enums once, at load; the
// YAML and `config show` keep the same text.
TEST(ConfigEnumTest, ActionTypeAndModeNamesRoundTrip) {
  for (const auto& [type, text] : std::vector<std::pair<ActionType, std::string>>{
           {ActionType::kCommand, "command"}, {ActionType::kWebhook, "webhook"}}) {
    EXPECT_EQ(actionTypeName(type), text);
    EXPECT_EQ(parseActionType(text), type) << text;
  }
  for (const auto& [mode, text] :
       std::vector<std::pair<ActionMode, std::string>>{{ActionMode::kDryRun, "dry-run"},
                                                       {ActionMode::kApproval, "approval"},
                                                       {ActionMode::kAuto, "auto"}}) {
    EXPECT_EQ(actionModeName(mode), text);
    EXPECT_EQ(parseActionMode(text), mode) << text;
  }
  for (const char* unknown : {"", "Command", "slack", "dry_run", "AUTO", "manual"}) {
    EXPECT_EQ(parseActionType(unknown), std::nullopt) << unknown;
    EXPECT_EQ(parseActionMode(unknown), std::nullopt) << unknown;
  }
}

TEST(ConfigEnumTest, LoadedOnceAndShownAsTheSameText) {
  Result<Config> full = loadConfigFile(kTestdata + "/good_full.yaml");
  ASSERT_TRUE(full.hasValue()) << full.status().toString();
  const ActionOptions& disable = full->alerts.actions.at(0);
  EXPECT_EQ(disable.type, ActionType::kWebhook);
  EXPECT_EQ(disable.mode, ActionMode::kApproval);
  EXPECT_EQ(full->alerts.routes.at(0).min_severity, Severity::kHigh);
  std::string yaml = configToYaml(*full);
  EXPECT_NE(yaml.find("      type: \"webhook\"\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("      mode: \"approval\"\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("      min_severity: \"high\"\n"), std::string::npos) << yaml;
  // An unset type stays unset (no default kind of action) and is reported.
  EXPECT_NE(onlyProblem("alerts:\n  actions:\n    x:\n      command: [/bin/true]\n")
                .find("alerts.actions.x.type: every action needs a type (command or webhook)"),
            std::string::npos);
}

TEST(ConfigToYamlTest, CollectionsRoundTrip) {
  Result<Config> full = loadConfigFile(kTestdata + "/good_full.yaml");
  ASSERT_TRUE(full.hasValue()) << full.status().toString();
  std::string yaml = configToYaml(*full);
  Config back = parseOk(yaml);
  EXPECT_EQ(diffConfigs(back, *full), std::vector<std::string>{}) << yaml;
  EXPECT_NE(yaml.find("  outputs:\n    \"pager\":\n"), std::string::npos) << yaml;
  EXPECT_NE(configToYaml(Config{}).find("  outputs: {}\n"), std::string::npos);
}

// --- collections: alerts.outputs, routes, quiet rules, actions, runbooks ---------------------

TEST(ConfigCollectionTest, EntriesKeepTheirNamesAndOrder) {
  Config c = parseOk(
      "alerts:\n"
      "  outputs:\n"
      "    b-hook:\n"
      "      type: webhook\n"
      "      url: https://hooks.example.com/x\n"
      "    a_file:\n"
      "      type: file\n"
      "      path: \"-\"\n"
      "  routes:\n"
      "    all:\n"
      "      outputs: [b-hook, a_file]\n");
  ASSERT_EQ(c.alerts.outputs.size(), 2u);
  EXPECT_EQ(c.alerts.outputs[0].name, "b-hook");
  EXPECT_EQ(c.alerts.outputs[0].timeout_ms, 10000);  // defaults fill what is not set
  EXPECT_EQ(c.alerts.outputs[1].name, "a_file");
  EXPECT_EQ(c.alerts.routes.at(0).outputs, (std::vector<std::string>{"b-hook", "a_file"}));
  EXPECT_EQ(c.alerts.routes.at(0).min_severity, Severity::kLow);
}

TEST(ConfigCollectionTest, ProblemsNameTheEntry) {
  EXPECT_EQ(onlyProblem("alerts:\n  outputs:\n    pager:\n      type: pagerduty\n"
                        "      secret_env: PD_KEY\n      timout_ms: 5\n"),
            "honeytrail.yaml:6: alerts.outputs.pager.timout_ms: unknown key (did you mean "
            "'alerts.outputs.pager.timeout_ms'?)");
  EXPECT_EQ(onlyProblem("alerts:\n  outputs:\n    pager:\n      type: pager\n"),
            "honeytrail.yaml:4: alerts.outputs.pager.type: expected one of webhook, slack, teams, "
            "pagerduty, jira, email, syslog, file, got \"pager\"");
  EXPECT_EQ(onlyProblem("alerts:\n  outputs:\n    \"bad name\":\n      type: file\n"),
            "honeytrail.yaml:3: alerts.outputs: output names are 1 to 64 letters, digits, '-' or "
            "'_', got \"bad name\"");
  EXPECT_EQ(onlyProblem("alerts:\n  outputs: [a, b]\n"),
            "honeytrail.yaml:2: alerts.outputs: expected a mapping of output names, each with its "
            "settings, got a list");
}

TEST(ConfigCollectionTest, ReferencesAndRequiredSettingsAreChecked) {
  EXPECT_EQ(onlyProblem("alerts:\n  routes:\n    r:\n      outputs: [nowhere]\n"),
            "honeytrail.yaml:3: alerts.routes.r.outputs: no output named \"nowhere\" (outputs: "
            "none)");
  EXPECT_EQ(onlyProblem("alerts:\n  outputs:\n    s:\n      type: slack\n"),
            "honeytrail.yaml:3: alerts.outputs.s: a slack output needs url or url_env");
  EXPECT_EQ(onlyProblem("alerts:\n  outputs:\n    m:\n      type: email\n"
                        "      url: https://x.example\n      email_from: a@example.com\n"
                        "      email_to: [b@example.com]\n"),
            "honeytrail.yaml:3: alerts.outputs.m.url: an email output needs an smtp:// or smtps:// "
            "URL");
  EXPECT_EQ(onlyProblem("alerts:\n  quiet:\n    scanner:\n      source_ips: [10.0.0.0/8]\n"),
            "honeytrail.yaml:3: alerts.quiet.scanner.expires: a quiet rule needs expires (a "
            "forgotten silence hides real attacks)");
  EXPECT_EQ(onlyProblem("alerts:\n  quiet:\n    all:\n      expires: 2027-01-01\n"),
            "honeytrail.yaml:3: alerts.quiet.all: a quiet rule needs source_ips, user_agents or "
            "tokens (it would silence everything)");
  EXPECT_EQ(onlyProblem("alerts:\n  quiet:\n    q:\n      source_ips: [10.0.0.300]\n"
                        "      expires: 2027-01-01\n"),
            "honeytrail.yaml:4: alerts.quiet.q.source_ips[0]: expected an IP address or CIDR block "
            "such as \"203.0.113.0/24\", got \"10.0.0.300\"");
  EXPECT_EQ(onlyProblem("alerts:\n  actions:\n    a:\n      type: command\n"),
            "honeytrail.yaml:3: alerts.actions.a.command: a command action needs command (the "
            "program and its arguments, as a list)");
  EXPECT_EQ(onlyProblem("alerts:\n  routes:\n    r:\n      outputs: [o]\n"
                        "      match_placement: [colour=red]\n  outputs:\n    o:\n"
                        "      type: file\n      path: /tmp/x\n"),
            "honeytrail.yaml:5: alerts.routes.r.match_placement[0]: unknown placement field "
            "\"colour\" (known: host, location, kind, owner, tag.NAME)");
  EXPECT_EQ(onlyProblem("alerts:\n  runbooks:\n    file:\n      markdown: a\n      file: b\n"),
            "honeytrail.yaml:3: alerts.runbooks.file: a runbook needs exactly one of markdown or "
            "file");
}

TEST(ConfigCollectionTest, DuplicateEntryNames) {
  EXPECT_EQ(onlyProblem("alerts:\n  runbooks:\n    a:\n      markdown: x\n    a:\n"
                        "      markdown: y\n"),
            "honeytrail.yaml:5: alerts.runbooks.a: duplicate runbook (first on line 3)");
}

// --- sources: what an enabled source cannot run without -------------------------------------

TEST(ConfigSourcesTest, EnabledS3NeedsABucket) {
  // Pointed at the line that enables it when the bucket is not written at all...
  EXPECT_EQ(onlyProblem("sources:\n  s3:\n    poll_seconds: 30\n    enabled: true\n"),
            "honeytrail.yaml:4: sources.s3.bucket: required when sources.s3.enabled is true (the "
            "bucket the trail writes to)");
  // ...and at the bucket line when it is written empty, also through an empty variable.
  EXPECT_EQ(onlyProblem("sources:\n  s3:\n    enabled: true\n    bucket: \"\"\n"),
            "honeytrail.yaml:4: sources.s3.bucket: required when sources.s3.enabled is true (the "
            "bucket the trail writes to)");
  EXPECT_EQ(onlyProblem("sources:\n  s3:\n    enabled: true\n    bucket: ${TRAIL_BUCKET:-}\n"),
            "honeytrail.yaml:4: sources.s3.bucket: required when sources.s3.enabled is true (the "
            "bucket the trail writes to)");
  parseOk("sources:\n  s3:\n    enabled: true\n    bucket: org-trail\n");
  parseOk("sources:\n  s3:\n    enabled: false\n");
}

TEST(ConfigSourcesTest, EnabledSqsNeedsAQueueUrl) {
  EXPECT_EQ(onlyProblem("sources:\n  sqs:\n    enabled: true\n    wait_seconds: 5\n"),
            "honeytrail.yaml:3: sources.sqs.queue_url: required when sources.sqs.enabled is true "
            "(the queue that receives the trail's new-file notices)");
  parseOk(
      "sources:\n  sqs:\n    enabled: true\n"
      "    queue_url: https://sqs.eu-central-1.amazonaws.com/123456789012/trail-objects\n");
  parseOk("sources:\n  sqs:\n    wait_seconds: 5\n");
}

TEST(ConfigSourcesTest, BasicUserNeedsAPasswordVariableName) {
  EXPECT_EQ(onlyProblem("sources:\n  push:\n    enabled: true\n"
                        "    eventbridge_basic_user: eventbridge\n"),
            "honeytrail.yaml:4: sources.push.eventbridge_basic_password_env: required when "
            "sources.push.eventbridge_basic_user is set (the variable that holds the password)");
  // Only the variable's name is the file's business: whether it is set is checked by serve on
  // the host that runs it, so an unset variable passes here.
  parseOk(
      "sources:\n  push:\n    enabled: true\n    eventbridge_basic_user: eventbridge\n"
      "    eventbridge_basic_password_env: HT_EB_PASSWORD\n");
  // A disabled endpoint's settings are not used, so they are not held against the file.
  parseOk("sources:\n  push:\n    eventbridge_basic_user: eventbridge\n");
}

TEST(ConfigSourcesTest, ABadValueIsNotAlsoReportedAsMissing) {
  EXPECT_EQ(onlyProblem("sources:\n  sqs:\n    enabled: true\n    queue_url: not-a-url\n"),
            "honeytrail.yaml:4: sources.sqs.queue_url: expected an http:// or https:// URL, got "
            "\"not-a-url\"");
  EXPECT_EQ(onlyProblem("sources:\n  s3:\n    enabled: true\n    bucket: ${TRAIL_BUCKET}\n"),
            "honeytrail.yaml:4: sources.s3.bucket: environment variable TRAIL_BUCKET is not set "
            "(write ${TRAIL_BUCKET:-default} to give a default)");
}

TEST(ConfigSourcesTest, NoSourceEnabledIsAValidConfig) {
  // The CLI alone needs no live source; only `serve` refuses to run without one.
  Config c = parseOk("log:\n  level: info\n");
  EXPECT_FALSE(c.sources.s3.enabled || c.sources.sqs.enabled || c.sources.push.enabled ||
               c.sources.last_used);
}

TEST(ConfigToYamlTest, AwkwardValuesRoundTrip) {
  Result<Config> full = loadConfigFile(kTestdata + "/good_full.yaml");
  ASSERT_TRUE(full.hasValue()) << full.status().toString();
  Config c = *full;
  c.data_dir = "${HOME}/x $${y} $ end";
  c.secrets.master_key_file = "true";
  c.render.default_profile = "null";
  c.audit.canary_account_files = {"~",
                                  "123",
                                  "a \"quoted\" \\ back",
                                  "\xc3\xbcnicode",
                                  "line\nbreak",
                                  "#hash",
                                  "- dash",
                                  ": colon",
                                  "tab\there"};
  std::string yaml = configToYaml(c);
  Config back = parseOk(yaml, fakeEnv({{"HOME", "/must/not/expand"}}));
  EXPECT_EQ(diffConfigs(back, c), std::vector<std::string>{}) << yaml;
  EXPECT_EQ(back.data_dir, c.data_dir);
  EXPECT_EQ(back.audit.canary_account_files, c.audit.canary_account_files);
}

}  // namespace
}  // namespace ht::config
