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
  [[maybe_unused]] auto& [push_enabled, listen, eb_key_header, eb_key_env, eb_user,
                          eb_password_env, topic_arns, cert_dir, fetch_certs, confirm,
                          max_body_bytes, read_timeout_ms] = c.sources.push;
  [[maybe_unused]] auto& [incident_window_minutes] = c.alerts;
  [[maybe_unused]] auto& [shutdown_timeout_seconds] = c.serve;
  // Leaves: data_dir 1, log 2, storage 1 + sqlite 2, secrets 2, tokens 2 + naming 8, audit 4,
  // render 2, aws 13, enrich 3, sources 2 + s3 6 + sqs 5 + push 12, alerts 1, serve 1.
  EXPECT_EQ(configSchema().size(), 67u);
}

TEST(ConfigSchemaTest, EveryKeyIsDistinctAndReachesItsOwnField) {
  std::set<std::string_view> seen;
  for (const KeySpec& spec : configSchema()) {
    EXPECT_TRUE(seen.insert(spec.path).second) << "duplicate " << spec.path;
    EXPECT_FALSE(isSection(spec.path)) << spec.path;
    // Change just this key and check that exactly this key differs: catches two entries
    // pointing at the same field.
    Config changed;
    switch (spec.kind) {
      case ValueKind::kString:
      case ValueKind::kEnum:
        std::get<StringField>(spec.field)(changed) += "x";
        break;
      case ValueKind::kInt:
        std::get<IntField>(spec.field)(changed) += 1;
        break;
      case ValueKind::kBool:
        std::get<BoolField>(spec.field)(changed) ^= true;
        break;
      case ValueKind::kStringList:
        std::get<StringListField>(spec.field)(changed).push_back("x");
        break;
    }
    EXPECT_EQ(diffConfigs(changed, Config{}), std::vector<std::string>{std::string(spec.path)});
  }
}

TEST(ConfigSchemaTest, DefaultsPassTheirOwnChecks) {
  Config defaults;
  for (const KeySpec& spec : configSchema()) {
    if (spec.kind == ValueKind::kInt) {
      int value = std::get<IntField>(spec.field)(defaults);
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
  EXPECT_EQ(diffConfigs(*config, Config{}), std::vector<std::string>{});
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
  for (const KeySpec& spec : configSchema()) {
    EXPECT_TRUE(written.count(std::string(spec.path))) << spec.path << " is not in the example";
  }
}

// --- a full file ----------------------------------------------------------------------------

TEST(ConfigLoadTest, FullFileSetsEveryKey) {
  Result<Config> loaded = loadConfigFile(kTestdata + "/good_full.yaml");
  ASSERT_TRUE(loaded.hasValue()) << loaded.status().toString();
  const Config& c = *loaded;
  EXPECT_EQ(diffConfigs(c, Config{}).size(), configSchema().size() - 1);  // backend stays sqlite
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
  collectKeyPaths(YAML::Load(configToYaml(Config{})), "", &written);
  for (const KeySpec& spec : configSchema()) {
    EXPECT_TRUE(written.count(std::string(spec.path))) << spec.path;
  }
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
