// The credentials chain, shared-file profiles, assumed roles and endpoint/region resolution,
// with a map for the environment and files in a temporary HOME.
// ctest-label: slow (runs the AWS CLI as the reference client)
#include "aws/credentials.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/strings.h"
#include "support/test_support.h"

namespace ht::aws {
namespace {

using test::TempDir;
using test::writeText;

constexpr char kEnvSecret[] = "EnvSecretKey0123456789abcdefGHIJKLMNOPQR";
constexpr char kFileSecret[] = "FileSecretKey0123456789abcdefGHIJKLMNOPQ";

class CredentialsTest : public ::testing::Test {
 protected:
  CredentialsTest() : clock_(fromUnixSeconds(1767225600)) {
    env_["HOME"] = home_.path();
    std::filesystem::create_directories(home_ / ".aws");
  }

  EnvLookup env() const {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  void writeCredentials(const std::string& text) { writeText(home_ / ".aws/credentials", text); }
  void writeConfig(const std::string& text) { writeText(home_ / ".aws/config", text); }

  // A fake STS: records each call and hands out numbered keys valid for an hour.
  AssumeRoleFn fakeSts() {
    return [this](const Credentials& source, const AssumeRoleRequest& req) -> Result<Credentials> {
      calls_.push_back({source.access_key_id, req});
      if (req.role_arn.find("denied") != std::string::npos) {
        return Status::permissionDenied("STS: AccessDenied: not allowed (HTTP 403)");
      }
      Credentials c;
      c.access_key_id = "ASIAASSUMED" + std::to_string(calls_.size());
      c.secret_access_key = SecretString("assumedSecret" + std::to_string(calls_.size()));
      c.session_token = "token" + std::to_string(calls_.size());
      c.expiration = clock_.now() + std::chrono::hours(1);
      return c;
    };
  }

  Result<Credentials> getFrom(const ChainOptions& options, AssumeRoleFn fn = nullptr) {
    auto chain = makeDefaultChain(options, env(), std::move(fn), clock_);
    if (!chain) return chain.status();
    described_ = (*chain)->describe();
    return (*chain)->get();
  }

  struct Call {
    std::string source_key_id;
    AssumeRoleRequest request;
  };

  TempDir home_;
  std::map<std::string, std::string> env_;
  FixedClock clock_;
  std::vector<Call> calls_;
  std::string described_;
};

const char kTwoProfiles[] =
    "[default]\n"
    "aws_access_key_id = AKIADEFAULT000000001\n"
    "aws_secret_access_key = DefaultSecret0123456789abcdefGHIJKLMNOP\n"
    "\n"
    "[honey]\n"
    "aws_access_key_id = AKIAHONEY00000000001\n"
    "aws_secret_access_key = FileSecretKey0123456789abcdefGHIJKLMNOPQ\n"
    "aws_session_token = honeytoken\n";

TEST(ProcessEnvLookupTest, ReadsTheProcessEnvironment) {
  ::setenv("HT_CREDENTIALS_TEST_VAR", "v1", 1);
  ::unsetenv("HT_CREDENTIALS_TEST_UNSET");
  EnvLookup env = processEnvLookup();
  EXPECT_EQ(env("HT_CREDENTIALS_TEST_VAR"), "v1");
  EXPECT_EQ(env("HT_CREDENTIALS_TEST_UNSET"), std::nullopt);
  ::unsetenv("HT_CREDENTIALS_TEST_VAR");
}

TEST(StaticCredentialsTest, ReturnsWhatItWasGiven) {
  Credentials c;
  c.access_key_id = "AKIASTATIC";
  c.secret_access_key = SecretString("s");
  auto p = makeStaticCredentials(c);
  auto got = p->get();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->access_key_id, "AKIASTATIC");
  EXPECT_EQ(got->secret_access_key.reveal(), "s");
  EXPECT_EQ(p->describe(), "static credentials");
}

TEST_F(CredentialsTest, EnvironmentWinsOverTheDefaultProfileAndAwsProfile) {
  writeCredentials(kTwoProfiles);
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV0000000000001";
  env_["AWS_SECRET_ACCESS_KEY"] = kEnvSecret;
  env_["AWS_SESSION_TOKEN"] = "envtoken";
  env_["AWS_PROFILE"] = "honey";
  auto got = getFrom({});
  ASSERT_TRUE(got) << got.status().toString();
  EXPECT_EQ(got->access_key_id, "AKIAENV0000000000001");
  EXPECT_EQ(got->secret_access_key.reveal(), kEnvSecret);
  EXPECT_EQ(got->session_token, "envtoken");
  EXPECT_EQ(described_, "environment");
}

TEST_F(CredentialsTest, AProfileInHoneytrailsConfigBeatsTheEnvironment) {
  // As `aws --profile honey` does: keys left in a shell must not redirect to another account.
  writeCredentials(kTwoProfiles);
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV0000000000001";
  env_["AWS_SECRET_ACCESS_KEY"] = kEnvSecret;
  ChainOptions o;
  o.profile = "honey";
  auto got = getFrom(o);
  ASSERT_TRUE(got) << got.status().toString();
  EXPECT_EQ(got->access_key_id, "AKIAHONEY00000000001");
}

TEST_F(CredentialsTest, HalfTheEnvironmentIsAnError) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV0000000000001";
  auto got = getFrom({});
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST_F(CredentialsTest, ProfileFromTheCredentialsFile) {
  writeCredentials(kTwoProfiles);
  env_["AWS_PROFILE"] = "honey";
  auto got = getFrom({});
  ASSERT_TRUE(got) << got.status().toString();
  EXPECT_EQ(got->access_key_id, "AKIAHONEY00000000001");
  EXPECT_EQ(got->secret_access_key.reveal(), kFileSecret);
  EXPECT_EQ(got->session_token, "honeytoken");
  EXPECT_FALSE(got->expiration.has_value());
  EXPECT_EQ(described_, "profile honey (~/.aws/credentials)");

  env_.erase("AWS_PROFILE");
  auto def = getFrom({});
  ASSERT_TRUE(def) << def.status().toString();
  EXPECT_EQ(def->access_key_id, "AKIADEFAULT000000001");
}

TEST_F(CredentialsTest, ConfigFileUsesProfilePrefix) {
  writeConfig(
      "[default]\n"
      "region = eu-west-1\n"
      "[profile honey]\n"
      "aws_access_key_id = AKIACONFIG0000000001\n"
      "aws_secret_access_key = FileSecretKey0123456789abcdefGHIJKLMNOPQ\n"
      "[other]\n"  // without the prefix the CLI ignores it in the config file
      "aws_access_key_id = AKIAIGNORED000000001\n"
      "aws_secret_access_key = x\n");
  ChainOptions o;
  o.profile = "honey";
  auto got = getFrom(o);
  ASSERT_TRUE(got) << got.status().toString();
  EXPECT_EQ(got->access_key_id, "AKIACONFIG0000000001");
  EXPECT_EQ(described_, "profile honey (~/.aws/config)");

  o.profile = "other";
  auto other = getFrom(o);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.status().code(), StatusCode::kNotFound);
}

TEST_F(CredentialsTest, KeysComeWholeFromOneFileCredentialsFileFirst) {
  writeCredentials(
      "[honey]\n"
      "aws_access_key_id = AKIAFROMCREDS0000001\n"
      "aws_secret_access_key = FileSecretKey0123456789abcdefGHIJKLMNOPQ\n"
      "region = eu-north-1\n"
      "[split]\n"
      "aws_access_key_id = AKIASPLIT00000000001\n");
  writeConfig(
      "[profile honey]\n"
      "aws_access_key_id = AKIAFROMCONFIG000001\n"
      "aws_secret_access_key = ConfigSecret\n"
      "aws_session_token = config-token\n"
      "region = ap-south-1\n"
      "[profile split]\n"
      "aws_secret_access_key = FileSecretKey0123456789abcdefGHIJKLMNOPQ\n");
  ChainOptions o;
  o.profile = "honey";
  auto got = getFrom(o);
  ASSERT_TRUE(got) << got.status().toString();
  EXPECT_EQ(got->access_key_id, "AKIAFROMCREDS0000001");
  EXPECT_EQ(got->secret_access_key.reveal(), kFileSecret);
  EXPECT_TRUE(got->session_token.empty());  // not borrowed from the config file's pair
  EXPECT_EQ(described_, "profile honey (~/.aws/credentials)");
  // Other settings merge, the credentials file winning (botocore's full_config).
  auto settings = loadProfileSettings(o, env());
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->region, "eu-north-1");

  // An id in one file and the secret in the other is not a key pair to the AWS CLI either.
  o.profile = "split";
  auto split = getFrom(o);
  ASSERT_FALSE(split);
  EXPECT_EQ(split.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(split.status().message(),
            "profile 'split' in ~/.aws/credentials has aws_access_key_id but no "
            "aws_secret_access_key");
}

// The same files read by the reference client, Debian's AWS CLI (botocore), must give the same
// answers: that is the contract with an operator's existing set-up.
TEST_F(CredentialsTest, AgreesWithTheAwsCli) {
  writeCredentials(
      "[honey]\n"
      "aws_access_key_id = AKIAFROMCREDS0000001\n"
      "aws_secret_access_key = FileSecretKey0123456789abcdefGHIJKLMNOPQ\n"
      "region = eu-north-1\n");
  writeConfig(
      "# comment\r\n"
      "; comment\r\n"
      "[default]\r\n"
      "region = sa-east-1\r\n"
      "[profile  honey ]\r\n"
      "s3 =\r\n"
      "  addressing_style = path\r\n"
      "  region = nested-not-used\r\n"
      "Region=us-west-2\r\n"
      "endpoint_url: http://localhost:4566\r\n"
      "aws_access_key_id = AKIAFROMCONFIG000001\r\n"
      "aws_secret_access_key = ConfigSecret\r\n"
      "[honey]\r\n"
      "region = ignored-without-profile-prefix\r\n");
  ChainOptions o;
  o.profile = "honey";
  auto settings = loadProfileSettings(o, env());
  ASSERT_TRUE(settings) << settings.status().toString();
  auto got = getFrom(o);
  ASSERT_TRUE(got) << got.status().toString();
  auto def = loadProfileSettings({}, env());
  ASSERT_TRUE(def);
  EXPECT_EQ(settings->region, "eu-north-1");
  EXPECT_EQ(settings->endpoint_url, "http://localhost:4566");
  EXPECT_EQ(def->region, "sa-east-1");

  std::vector<std::string> clean_env = {"HOME=" + home_.path(), "PATH=/usr/bin:/bin",
                                        "LC_ALL=C.UTF-8"};
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), test::awsCli());
    test::RunResult r = test::runClean(args, clean_env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return trim(r.out);
  };
  EXPECT_EQ(cli({"configure", "get", "region", "--profile", "honey"}), settings->region);
  EXPECT_EQ(cli({"configure", "get", "endpoint_url", "--profile", "honey"}),
            settings->endpoint_url);
  EXPECT_EQ(cli({"configure", "get", "region"}), def->region);
  // "configure list" shows the last four characters of the key it would sign with.
  std::string list = cli({"configure", "list", "--profile", "honey"});
  EXPECT_NE(list.find("****************0001 shared-credentials-file"), std::string::npos) << list;
  EXPECT_EQ(got->access_key_id, "AKIAFROMCREDS0000001");
}

TEST_F(CredentialsTest, CommentsNestedKeysAndCrlfAreHandled) {
  writeConfig(
      "# a comment\r\n"
      "; another\r\n"
      "[profile  honey ]\r\n"
      "s3 =\r\n"
      "  addressing_style = path\r\n"
      "  region = nested-not-used\r\n"
      "Region=us-west-2\r\n"
      "aws_access_key_id: AKIACOLON00000000001\r\n"
      "aws_secret_access_key = FileSecretKey0123456789abcdefGHIJKLMNOPQ\r\n"
      "endpoint_url = http://localhost:4566\r\n");
  ChainOptions o;
  o.profile = "honey";
  auto got = getFrom(o);
  ASSERT_TRUE(got) << got.status().toString();
  EXPECT_EQ(got->access_key_id, "AKIACOLON00000000001");
  EXPECT_EQ(got->secret_access_key.reveal(), kFileSecret);
  auto settings = loadProfileSettings(o, env());
  ASSERT_TRUE(settings) << settings.status().toString();
  EXPECT_EQ(settings->region, "us-west-2");
  EXPECT_EQ(settings->endpoint_url, "http://localhost:4566");
}

TEST_F(CredentialsTest, FilesFromOptionsAndEnvironmentVariables) {
  TempDir other;
  writeText(other / "creds",
            "[x]\naws_access_key_id = AKIAOPTION0000000001\naws_secret_access_key = s\n");
  writeText(other / "envcreds",
            "[x]\naws_access_key_id = AKIAENVFILE000000001\naws_secret_access_key = s\n");
  ChainOptions o;
  o.profile = "x";
  env_["AWS_SHARED_CREDENTIALS_FILE"] = other / "envcreds";
  auto from_env = getFrom(o);
  ASSERT_TRUE(from_env) << from_env.status().toString();
  EXPECT_EQ(from_env->access_key_id, "AKIAENVFILE000000001");
  o.credentials_file = other / "creds";
  auto from_option = getFrom(o);
  ASSERT_TRUE(from_option) << from_option.status().toString();
  EXPECT_EQ(from_option->access_key_id, "AKIAOPTION0000000001");
}

TEST_F(CredentialsTest, MissingProfileNamesProfileAndFiles) {
  writeCredentials(kTwoProfiles);
  ChainOptions o;
  o.profile = "nope";
  auto got = getFrom(o);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(got.status().message(),
            "no credentials: not in the environment, and profile 'nope' is not in "
            "~/.aws/credentials or ~/.aws/config");

  // No files at all and nothing in the environment.
  TempDir empty_home;
  env_["HOME"] = empty_home.path();
  auto none = getFrom({});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.status().message(),
            "no credentials: not in the environment, and profile 'default' is not in "
            "~/.aws/credentials or ~/.aws/config");
}

TEST_F(CredentialsTest, ProfileWithoutKeysSaysWhatIsMissingWithoutTheSecret) {
  writeCredentials("[half]\naws_secret_access_key = " + std::string(kFileSecret) + "\n");
  writeConfig(
      "[profile sso]\nsso_session = corp\nregion = eu-west-1\n[profile empty]\nregion = x\n");
  ChainOptions o;
  o.profile = "half";
  auto half = getFrom(o);
  ASSERT_FALSE(half);
  EXPECT_EQ(half.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(half.status().message().find("no aws_access_key_id"), std::string::npos);
  EXPECT_EQ(half.status().message().find(kFileSecret), std::string::npos);

  o.profile = "sso";
  auto sso = getFrom(o);
  ASSERT_FALSE(sso);
  EXPECT_EQ(sso.status().code(), StatusCode::kUnsupported);

  o.profile = "empty";
  auto empty = getFrom(o);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("profile 'empty' in ~/.aws/config has no credentials"),
            std::string::npos)
      << empty.status().message();
}

TEST_F(CredentialsTest, RoleArnWithSourceProfileAssumesTheRole) {
  writeCredentials(kTwoProfiles);
  writeConfig(
      "[profile deploy]\n"
      "role_arn = arn:aws:iam::111122223333:role/honeytrail\n"
      "source_profile = honey\n"
      "external_id = ext-42\n"
      "role_session_name = ht-session\n"
      "duration_seconds = 900\n");
  ChainOptions o;
  o.profile = "deploy";
  auto got = getFrom(o, fakeSts());
  ASSERT_TRUE(got) << got.status().toString();
  EXPECT_EQ(got->access_key_id, "ASIAASSUMED1");
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_EQ(calls_[0].source_key_id, "AKIAHONEY00000000001");
  EXPECT_EQ(calls_[0].request.role_arn, "arn:aws:iam::111122223333:role/honeytrail");
  EXPECT_EQ(calls_[0].request.external_id, "ext-42");
  EXPECT_EQ(calls_[0].request.session_name, "ht-session");
  EXPECT_EQ(calls_[0].request.duration_seconds, 900);
  EXPECT_EQ(described_,
            "role arn:aws:iam::111122223333:role/honeytrail assumed with profile honey "
            "(~/.aws/credentials)");
}

TEST_F(CredentialsTest, RoleChainsThroughTwoProfilesAndItself) {
  writeCredentials(kTwoProfiles);
  writeConfig(
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
      "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = honey\n");
  ChainOptions o;
  o.profile = "a";
  auto got = getFrom(o, fakeSts());
  ASSERT_TRUE(got) << got.status().toString();
  ASSERT_EQ(calls_.size(), 2u);
  EXPECT_EQ(calls_[0].request.role_arn, "arn:aws:iam::1:role/b");
  EXPECT_EQ(calls_[0].source_key_id, "AKIAHONEY00000000001");
  EXPECT_EQ(calls_[1].request.role_arn, "arn:aws:iam::1:role/a");
  EXPECT_EQ(calls_[1].source_key_id, "ASIAASSUMED1");
  EXPECT_EQ(got->access_key_id, "ASIAASSUMED2");

  // A source profile that has keys lends them, even when it names a role of its own.
  calls_.clear();
  writeConfig(
      "[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = both\n"
      "[profile both]\nrole_arn = arn:aws:iam::1:role/both\nsource_profile = honey\n"
      "aws_access_key_id = AKIABOTH000000000001\naws_secret_access_key = s\n"
      "[profile self]\nrole_arn = arn:aws:iam::1:role/self\nsource_profile = self\n"
      "aws_access_key_id = AKIASELF000000000001\naws_secret_access_key = s\n");
  o.profile = "top";
  auto top = getFrom(o, fakeSts());
  ASSERT_TRUE(top) << top.status().toString();
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_EQ(calls_[0].source_key_id, "AKIABOTH000000000001");
  // Asked for directly, the same profile assumes its role.
  o.profile = "both";
  auto both = getFrom(o, fakeSts());
  ASSERT_TRUE(both) << both.status().toString();
  EXPECT_EQ(calls_.back().request.role_arn, "arn:aws:iam::1:role/both");
  EXPECT_EQ(calls_.back().source_key_id, "AKIAHONEY00000000001");

  o.profile = "self";
  auto self = getFrom(o, fakeSts());
  ASSERT_TRUE(self) << self.status().toString();
  EXPECT_EQ(calls_.back().source_key_id, "AKIASELF000000000001");
  EXPECT_EQ(calls_.back().request.role_arn, "arn:aws:iam::1:role/self");
}

TEST_F(CredentialsTest, SourceProfileCyclesAreDetected) {
  writeConfig(
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
      "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n"
      "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n");
  ChainOptions o;
  o.profile = "a";
  auto got = getFrom(o, fakeSts());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("source_profile cycle: a -> b -> c -> a"),
            std::string::npos)
      << got.status().message();
  EXPECT_TRUE(calls_.empty());
}

TEST_F(CredentialsTest, RoleProfileProblems) {
  writeConfig(
      "[profile nosource]\nrole_arn = arn:aws:iam::1:role/x\n"
      "[profile ec2]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Ec2InstanceMetadata\n"
      "[profile dangling]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = ghost\n");
  ChainOptions o;
  o.profile = "nosource";
  EXPECT_EQ(getFrom(o, fakeSts()).status().code(), StatusCode::kInvalidArgument);
  o.profile = "ec2";
  EXPECT_EQ(getFrom(o, fakeSts()).status().code(), StatusCode::kUnsupported);
  o.profile = "dangling";
  auto dangling = getFrom(o, fakeSts());
  ASSERT_FALSE(dangling);
  EXPECT_EQ(dangling.status().code(), StatusCode::kNotFound);
  EXPECT_NE(dangling.status().message().find("source_profile 'ghost'"), std::string::npos)
      << dangling.status().message();
  // Without an STS client there is no way to assume the role.
  writeCredentials(kTwoProfiles);
  writeConfig("[profile r]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = honey\n");
  o.profile = "r";
  EXPECT_EQ(getFrom(o, nullptr).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(CredentialsTest, AssumedCredentialsAreCachedUntilFiveMinutesBeforeExpiry) {
  writeCredentials(kTwoProfiles);
  writeConfig("[profile r]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = honey\n");
  ChainOptions o;
  o.profile = "r";
  auto chain = makeDefaultChain(o, env(), fakeSts(), clock_);
  ASSERT_TRUE(chain) << chain.status().toString();
  auto first = (*chain)->get();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->access_key_id, "ASIAASSUMED1");
  EXPECT_EQ(calls_.size(), 1u);

  clock_.advance(std::chrono::minutes(54));
  auto cached = (*chain)->get();
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->access_key_id, "ASIAASSUMED1");
  EXPECT_EQ(calls_.size(), 1u);

  clock_.advance(std::chrono::minutes(1));  // exactly five minutes left: renew
  auto renewed = (*chain)->get();
  ASSERT_TRUE(renewed);
  EXPECT_EQ(renewed->access_key_id, "ASIAASSUMED2");
  EXPECT_EQ(calls_.size(), 2u);
}

TEST_F(CredentialsTest, ConfiguredRoleIsAssumedOnTopOfTheChain) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV0000000000001";
  env_["AWS_SECRET_ACCESS_KEY"] = kEnvSecret;
  ChainOptions o;
  o.role_arn = "arn:aws:iam::444455556666:role/honey-admin";
  o.external_id = "cfg-ext";
  auto got = getFrom(o, fakeSts());
  ASSERT_TRUE(got) << got.status().toString();
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_EQ(calls_[0].source_key_id, "AKIAENV0000000000001");
  EXPECT_EQ(calls_[0].request.role_arn, "arn:aws:iam::444455556666:role/honey-admin");
  EXPECT_EQ(calls_[0].request.external_id, "cfg-ext");
  EXPECT_EQ(calls_[0].request.session_name, "honeytrail");
  EXPECT_EQ(described_, "role arn:aws:iam::444455556666:role/honey-admin assumed with environment");

  // On top of a profile role: two hops.
  calls_.clear();
  env_.erase("AWS_ACCESS_KEY_ID");
  env_.erase("AWS_SECRET_ACCESS_KEY");
  writeCredentials(kTwoProfiles);
  writeConfig("[profile r]\nrole_arn = arn:aws:iam::1:role/first\nsource_profile = honey\n");
  o.profile = "r";
  auto two = getFrom(o, fakeSts());
  ASSERT_TRUE(two) << two.status().toString();
  ASSERT_EQ(calls_.size(), 2u);
  EXPECT_EQ(calls_[1].source_key_id, "ASIAASSUMED1");
  EXPECT_EQ(two->access_key_id, "ASIAASSUMED2");

  o.profile.clear();
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV0000000000001";
  env_["AWS_SECRET_ACCESS_KEY"] = kEnvSecret;
  auto no_sts = makeDefaultChain(o, env(), nullptr, clock_);
  ASSERT_FALSE(no_sts);
  EXPECT_EQ(no_sts.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(CredentialsTest, AssumeRoleFailureNamesTheRoleAndSource) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV0000000000001";
  env_["AWS_SECRET_ACCESS_KEY"] = kEnvSecret;
  ChainOptions o;
  o.role_arn = "arn:aws:iam::1:role/denied";
  auto got = getFrom(o, fakeSts());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(
      got.status().message().find("assuming role arn:aws:iam::1:role/denied with environment"),
      std::string::npos)
      << got.status().message();
  EXPECT_EQ(got.status().message().find(kEnvSecret), std::string::npos);
}

TEST_F(CredentialsTest, ProfileSettings) {
  writeConfig(
      "[default]\nregion = eu-central-1\n"
      "[profile honey]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:4566/\n"
      "role_arn = arn:aws:iam::1:role/r\nsource_profile = default\nexternal_id = e\n"
      "role_session_name = n\n");
  auto def = loadProfileSettings({}, env());
  ASSERT_TRUE(def) << def.status().toString();
  EXPECT_EQ(def->region, "eu-central-1");
  EXPECT_TRUE(def->endpoint_url.empty());

  ChainOptions o;
  o.profile = "honey";
  auto honey = loadProfileSettings(o, env());
  ASSERT_TRUE(honey) << honey.status().toString();
  EXPECT_EQ(honey->region, "eu-west-1");
  EXPECT_EQ(honey->endpoint_url, "http://127.0.0.1:4566/");
  EXPECT_EQ(honey->role_arn, "arn:aws:iam::1:role/r");
  EXPECT_EQ(honey->source_profile, "default");
  EXPECT_EQ(honey->external_id, "e");
  EXPECT_EQ(honey->role_session_name, "n");

  env_["AWS_PROFILE"] = "honey";
  auto via_env = loadProfileSettings({}, env());
  ASSERT_TRUE(via_env);
  EXPECT_EQ(via_env->region, "eu-west-1");

  // A named profile that does not exist is an error; a missing default is just empty.
  o.profile = "ghost";
  auto ghost = loadProfileSettings(o, env());
  ASSERT_FALSE(ghost);
  EXPECT_EQ(ghost.status().code(), StatusCode::kNotFound);
  env_.erase("AWS_PROFILE");
  TempDir empty_home;
  env_["HOME"] = empty_home.path();
  auto none = loadProfileSettings({}, env());
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->region.empty());
}

// --- EndpointResolver ---------------------------------------------------------------------------

EnvLookup mapEnv(std::map<std::string, std::string> m) {
  return [m = std::move(m)](const std::string& name) -> std::optional<std::string> {
    auto it = m.find(name);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EndpointResolverTest, AwsDefaults) {
  EndpointResolver r(mapEnv({}), {}, {}, "eu-west-1");
  EXPECT_EQ(r.region(), "eu-west-1");
  EXPECT_EQ(r.endpoint("IAM"), "https://iam.amazonaws.com");
  EXPECT_EQ(r.signingRegion("IAM"), "us-east-1");
  EXPECT_EQ(r.endpoint("STS"), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(r.signingRegion("STS"), "eu-west-1");
  EXPECT_EQ(r.endpoint("S3"), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(r.endpoint("CloudTrail"), "https://cloudtrail.eu-west-1.amazonaws.com");
  for (const char* id : {"IAM", "STS", "S3"}) EXPECT_FALSE(r.isCustom(id)) << id;

  EndpointResolver cn(mapEnv({}), {}, {}, "cn-north-1");
  EXPECT_EQ(cn.endpoint("IAM"), "https://iam.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(cn.signingRegion("IAM"), "cn-north-1");
  EXPECT_EQ(cn.endpoint("S3"), "https://s3.cn-north-1.amazonaws.com.cn");
  EndpointResolver gov(mapEnv({}), {}, {}, "us-gov-west-1");
  EXPECT_EQ(gov.endpoint("IAM"), "https://iam.us-gov.amazonaws.com");
}

TEST(EndpointResolverTest, Precedence) {
  ProfileSettings profile;
  profile.endpoint_url = "http://profile:1";
  EndpointOverrides overrides;
  overrides.all = "http://config-all:2/";
  overrides.service["S3"] = "http://config-s3:3";
  std::map<std::string, std::string> env = {{"AWS_ENDPOINT_URL_IAM", "http://env-iam:4/"},
                                            {"AWS_ENDPOINT_URL", "http://env-all:5"}};

  EndpointResolver all(mapEnv(env), profile, overrides, "us-east-1");
  EXPECT_EQ(all.endpoint("IAM"), "http://env-iam:4");  // trailing slash dropped
  EXPECT_EQ(all.endpoint("iam"), "http://env-iam:4");
  EXPECT_EQ(all.endpoint("STS"), "http://env-all:5");
  EXPECT_EQ(all.endpoint("S3"), "http://env-all:5");
  EXPECT_TRUE(all.isCustom("S3"));

  env.erase("AWS_ENDPOINT_URL");
  EndpointResolver no_env_all(mapEnv(env), profile, overrides, "us-east-1");
  EXPECT_EQ(no_env_all.endpoint("IAM"), "http://env-iam:4");
  EXPECT_EQ(no_env_all.endpoint("STS"), "http://profile:1");

  EndpointResolver no_profile(mapEnv(env), {}, overrides, "us-east-1");
  EXPECT_EQ(no_profile.endpoint("S3"), "http://config-s3:3");
  EXPECT_EQ(no_profile.endpoint("STS"), "http://config-all:2");

  // The SDK-wide switch turns off environment and profile endpoints, not honeytrail's config.
  env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "TRUE";
  env["AWS_ENDPOINT_URL"] = "http://env-all:5";
  EndpointResolver ignoring(mapEnv(env), profile, overrides, "us-east-1");
  EXPECT_EQ(ignoring.endpoint("IAM"), "http://config-all:2");
  EXPECT_EQ(ignoring.endpoint("S3"), "http://config-s3:3");
  EndpointResolver ignoring_plain(mapEnv(env), profile, {}, "us-east-1");
  EXPECT_EQ(ignoring_plain.endpoint("IAM"), "https://iam.amazonaws.com");
  EXPECT_FALSE(ignoring_plain.isCustom("S3"));

  env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "false";
  EndpointResolver not_ignoring(mapEnv(env), profile, {}, "us-east-1");
  EXPECT_EQ(not_ignoring.endpoint("IAM"), "http://env-iam:4");
}

TEST(EndpointResolverTest, ServiceIdsWithSpaces) {
  EndpointResolver r(mapEnv({{"AWS_ENDPOINT_URL_ELASTIC_BEANSTALK", "http://eb"}}), {}, {},
                     "us-east-1");
  EXPECT_EQ(r.endpoint("Elastic Beanstalk"), "http://eb");
  EXPECT_FALSE(r.isCustom("S3"));
  EXPECT_TRUE(r.isCustom("elastic beanstalk"));
}

TEST(EndpointResolverTest, RegionPrecedence) {
  ProfileSettings profile;
  profile.region = "eu-west-1";
  EXPECT_EQ(
      EndpointResolver(mapEnv({{"AWS_REGION", "ap-south-1"}, {"AWS_DEFAULT_REGION", "ap-east-1"}}),
                       profile, {}, "sa-east-1")
          .region(),
      "ap-south-1");
  EXPECT_EQ(
      EndpointResolver(mapEnv({{"AWS_DEFAULT_REGION", "ap-east-1"}}), profile, {}, "sa-east-1")
          .region(),
      "ap-east-1");
  EXPECT_EQ(EndpointResolver(mapEnv({{"AWS_REGION", ""}}), profile, {}, "sa-east-1").region(),
            "eu-west-1");
  EXPECT_EQ(EndpointResolver(mapEnv({}), {}, {}, "sa-east-1").region(), "sa-east-1");
  EXPECT_EQ(EndpointResolver(mapEnv({}), {}, {}, "").region(), "us-east-1");
  EXPECT_EQ(EndpointResolver(mapEnv({{"AWS_REGION", "eu-north-1"}}), {}, {}, "").endpoint("STS"),
            "https://sts.eu-north-1.amazonaws.com");
}

}  // namespace
}  // namespace ht::aws
