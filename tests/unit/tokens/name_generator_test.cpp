#include "tokens/name_generator.h"

#include <gtest/gtest.h>

#include <set>

namespace ht::tokens {
namespace {

void expectClean(const GeneratedName& n) {
  std::string tell;
  EXPECT_TRUE(isValidIamUserName(n.user_name)) << n.user_name;
  EXPECT_TRUE(isValidIamPath(n.path)) << n.path;
  EXPECT_FALSE(containsTell(n.user_name, &tell)) << n.user_name << " has " << tell;
  EXPECT_FALSE(containsTell(n.path, &tell)) << n.path << " has " << tell;
  EXPECT_FALSE(looksRandom(n.user_name)) << n.user_name;
  EXPECT_FALSE(looksRandom(n.path)) << n.path;
  EXPECT_FALSE(looksGeneric(n.user_name)) << n.user_name;
}

TEST(NameGeneratorTest, BuiltInWordListsAreClean) {
  config::NamingOptions built_in = NameGenerator::builtInWordLists();
  EXPECT_GE(built_in.services.size(), 30u);
  EXPECT_GE(built_in.first_names.size(), 30u);
  EXPECT_GE(built_in.last_names.size(), 30u);
  Status s = NameGenerator::validate(built_in);
  EXPECT_TRUE(s.isOk()) << s.toString();
}

TEST(NameGeneratorTest, ThousandDrawsPerStyleAreClean) {
  for (const char* style : {"service", "person", "mixed"}) {
    config::NamingOptions options;
    options.style = style;
    SeededRandomSource random(2024);
    NameGenerator gen(options, random);
    std::set<std::string> names;
    for (int i = 0; i < 1000; ++i) {
      Result<GeneratedName> n = gen.next();
      ASSERT_TRUE(n.hasValue()) << n.status().toString();
      expectClean(*n);
      names.insert(n->user_name);
    }
    // Plenty of variety, so that names rarely collide within one account.
    EXPECT_GT(names.size(), 500u) << style;
  }
}

TEST(NameGeneratorTest, StylesLookTheirPart) {
  config::NamingOptions options;
  SeededRandomSource random(1);
  options.style = "person";
  NameGenerator person(options, random);
  for (int i = 0; i < 50; ++i) {
    auto n = person.next();
    ASSERT_TRUE(n.hasValue());
    // Person names never use the service separators' svc-/ci- prefixes.
    EXPECT_NE(n->user_name.rfind("svc-", 0), 0u) << n->user_name;
    EXPECT_NE(n->user_name.rfind("ci-", 0), 0u) << n->user_name;
  }
  options.style = "service";
  NameGenerator service(options, random);
  int with_dash = 0;
  for (int i = 0; i < 50; ++i) {
    auto n = service.next();
    ASSERT_TRUE(n.hasValue());
    EXPECT_EQ(n->user_name.find('.'), std::string::npos) << n->user_name;
    if (n->user_name.find('-') != std::string::npos) ++with_dash;
  }
  EXPECT_GT(with_dash, 40);
}

TEST(NameGeneratorTest, PatternAndWordListsOverrideBuiltIns) {
  config::NamingOptions options;
  options.pattern = "{team}-{service}-{env}";
  options.teams = {"ledger"};
  options.services = {"reconciler", "exporter"};
  options.envs = {"prod"};
  options.paths = {"/finance/batch/"};
  SeededRandomSource random(3);
  NameGenerator gen(options, random);
  std::set<std::string> names;
  for (int i = 0; i < 100; ++i) {
    auto n = gen.next();
    ASSERT_TRUE(n.hasValue()) << n.status().toString();
    EXPECT_EQ(n->path, "/finance/batch/");
    names.insert(n->user_name);
  }
  EXPECT_EQ(names, (std::set<std::string>{"ledger-reconciler-prod", "ledger-exporter-prod"}));
}

TEST(NameGeneratorTest, InitialMatchesFirstName) {
  config::NamingOptions options;
  options.pattern = "{first}-{f}{n}";
  options.first_names = {"xavier", "zoe"};
  SeededRandomSource random(8);
  NameGenerator gen(options, random);
  for (int i = 0; i < 50; ++i) {
    auto n = gen.next();
    ASSERT_TRUE(n.hasValue());
    const std::string& s = n->user_name;
    EXPECT_TRUE(s.rfind("xavier-x", 0) == 0 || s.rfind("zoe-z", 0) == 0) << s;
  }
}

TEST(NameGeneratorTest, TellInConfigurationIsInvalidArgumentNamingTheWord) {
  SeededRandomSource random(1);
  config::NamingOptions a;
  a.services = {"billing", "honeypot-sync"};
  auto r = NameGenerator(a, random).next();
  ASSERT_FALSE(r.hasValue());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'honey'"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("honeypot-sync"), std::string::npos);

  config::NamingOptions b;
  b.pattern = "{service}-decoy";
  Status sb = NameGenerator::validate(b);
  EXPECT_EQ(sb.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(sb.message().find("'decoy'"), std::string::npos) << sb.message();

  config::NamingOptions c;
  c.last_names = {"Canarygate"};
  EXPECT_NE(NameGenerator::validate(c).message().find("'canary'"), std::string::npos);

  config::NamingOptions d;
  d.paths = {"/tripwires/"};
  EXPECT_NE(NameGenerator::validate(d).message().find("'tripwire'"), std::string::npos);
}

TEST(NameGeneratorTest, OtherBadOptions) {
  config::NamingOptions style;
  style.style = "robot";
  EXPECT_EQ(NameGenerator::validate(style).code(), StatusCode::kInvalidArgument);

  config::NamingOptions unknown;
  unknown.pattern = "{service}-{region}";
  Status s = NameGenerator::validate(unknown);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("{region}"), std::string::npos);

  config::NamingOptions unclosed;
  unclosed.pattern = "{service";
  EXPECT_EQ(NameGenerator::validate(unclosed).code(), StatusCode::kInvalidArgument);

  config::NamingOptions constant;
  constant.pattern = "backup";
  EXPECT_EQ(NameGenerator::validate(constant).code(), StatusCode::kInvalidArgument);

  config::NamingOptions space;
  space.teams = {"data team"};
  EXPECT_EQ(NameGenerator::validate(space).code(), StatusCode::kInvalidArgument);

  config::NamingOptions path;
  path.paths = {"no-slashes"};
  EXPECT_EQ(NameGenerator::validate(path).code(), StatusCode::kInvalidArgument);

  config::NamingOptions random_word;
  random_word.services = {"3f2a9c1b7d4e"};
  EXPECT_EQ(NameGenerator::validate(random_word).code(), StatusCode::kInvalidArgument);

  EXPECT_TRUE(NameGenerator::validate(config::NamingOptions{}).isOk());
}

TEST(NameGeneratorTest, GivesUpAfterHundredTries) {
  // Every combination is too long for IAM (over 64 characters).
  config::NamingOptions options;
  options.pattern = "{service}-{team}";
  options.services = {"international-settlement-reconciliation-exporter"};
  options.teams = {"enterprise-data-warehouse"};
  SeededRandomSource random(1);
  auto r = NameGenerator(options, random).next();
  ASSERT_FALSE(r.hasValue());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("100"), std::string::npos);
}

TEST(ContainsTellTest, FindsEveryTellCaseInsensitively) {
  std::string which;
  for (const char* word : {"honey", "canary", "token", "trap", "decoy", "bait", "tripwire", "lure",
                           "fake", "deception", "sentinel", "alarm", "tarpit", "beacon", "tracker",
                           "canarytoken", "spacecrab", "spacesiren"}) {
    std::string upper = std::string("svc-") + word + "-prod";
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_TRUE(containsTell(upper, &which)) << upper;
    EXPECT_EQ(which, word);
  }
  EXPECT_TRUE(containsTell("bootstrap-runner", &which));
  EXPECT_EQ(which, "trap");
  EXPECT_FALSE(containsTell("svc-billing-export"));
  EXPECT_FALSE(containsTell("maria.lopez"));
}

TEST(LooksRandomTest, Examples) {
  EXPECT_TRUE(looksRandom("3f2a9c1b-7d4e-4a5b-9c8d-0e1f2a3b4c5d"));
  EXPECT_TRUE(looksRandom("user-3F2A9C1B7D4E4A5B9C8D0E1F2A3B4C5D"));
  EXPECT_TRUE(looksRandom("svc-a1b2c3d4e5f6"));   // 12 hex
  EXPECT_TRUE(looksRandom("xkqzprtvwm"));         // no vowels
  EXPECT_TRUE(looksRandom("svc-x7k2m9p4"));       // letters and digits interleaved
  EXPECT_TRUE(looksRandom("backup-1700000000"));  // a long number
  EXPECT_FALSE(looksRandom("svc-billing-export"));
  EXPECT_FALSE(looksRandom("ci-terraform-prod"));
  EXPECT_FALSE(looksRandom("backup-s3-sync"));
  EXPECT_FALSE(looksRandom("a.kowalski"));
  EXPECT_FALSE(looksRandom("jsmith2"));
  EXPECT_FALSE(looksRandom("/service-accounts/"));
  EXPECT_FALSE(looksRandom("deadbeef"));  // short hex is a word, not an ID
}

TEST(LooksGenericTest, Examples) {
  for (const char* g : {"user1", "test", "admin2", "Admin", "test-user", "tmp_3", "jdoe", "user"}) {
    EXPECT_TRUE(looksGeneric(g)) << g;
  }
  for (const char* ok :
       {"maria.lopez", "svc-billing-export", "jsmith2", "user-sync-prod", "testrail-integration"}) {
    EXPECT_FALSE(looksGeneric(ok)) << ok;
  }
}

TEST(IamRulesTest, NamesAndPaths) {
  EXPECT_TRUE(isValidIamUserName("a"));
  EXPECT_TRUE(isValidIamUserName("svc+billing=export,v2.prod@team_x-1"));
  EXPECT_FALSE(isValidIamUserName(""));
  EXPECT_FALSE(isValidIamUserName(std::string(65, 'a')));
  EXPECT_TRUE(isValidIamUserName(std::string(64, 'a')));
  EXPECT_FALSE(isValidIamUserName("has space"));
  EXPECT_FALSE(isValidIamUserName("slash/"));
  EXPECT_TRUE(isValidIamPath("/"));
  EXPECT_TRUE(isValidIamPath("/division_abc/subdivision_xyz/"));
  EXPECT_FALSE(isValidIamPath("/no-trailing"));
  EXPECT_FALSE(isValidIamPath("no-leading/"));
  EXPECT_FALSE(isValidIamPath("/sp ace/"));
  EXPECT_FALSE(isValidIamPath("/" + std::string(511, 'a') + "/"));
}

}  // namespace
}  // namespace ht::tokens
