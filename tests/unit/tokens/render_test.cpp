// Every renderer is checked by the program that would read its output in the field (the AWS CLI,
// python-dotenv, sh and bash, CPython, Node, Terraform, bash running user data, a YAML loader),
// not by pattern matching. Tests skip, saying why, when a consumer is missing from the machine.
// The secrets below are made up; still, nothing here prints a secret when it fails: values are
// compared with EXPECT_TRUE and subprocess output is shown with the secrets redacted.
// ctest-label: slow (runs the AWS CLI, Python, Node and Terraform on what it renders)
#include "tokens/render.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/strings.h"
#include "support/test_support.h"
#include "tokens/ini.h"

namespace ht::tokens {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kKeyId = "AKIAR5JDQ7XEYH4TPLBM";
// Invented for these tests: 40 characters of AWS's secret alphabet, '+' and '/' included.
constexpr const char* kSecret = "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";
// Every character a quoting bug would trip over, to prove each format's escaping.
constexpr const char* kHostileSecret = R"(a'b"c\d$e`f#g%{h}${i}!j;k&l|m<n>o*p?q~r=s)";
constexpr const char* kProfile = "ci-deploy";
constexpr const char* kRegion = "eu-west-3";
constexpr const char* kPython = "/usr/bin/python3";

RenderInput makeInput(const std::string& secret = kSecret) {
  RenderInput in;
  in.key_id = kKeyId;
  in.secret = SecretString(secret);
  in.profile = kProfile;
  in.region = kRegion;
  return in;
}

std::string b64(std::string_view s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// What a failing test may show of a consumer's output: any line holding eight or more
// consecutive characters of a test secret is dropped, because consumers echo offending lines
// back in their own escaping (Terraform quotes the tfvars line), where an exact match would miss.
std::string redact(const std::string& text) {
  std::vector<std::string> windows;
  for (const std::string& secret :
       {std::string(kSecret), std::string(kHostileSecret), b64(kSecret), b64(kHostileSecret)}) {
    for (size_t i = 0; i + 8 <= secret.size(); ++i) windows.push_back(secret.substr(i, 8));
  }
  std::string out;
  for (const std::string& line : split(text, '\n')) {
    bool leaks = std::any_of(windows.begin(), windows.end(), [&](const std::string& w) {
      return line.find(w) != std::string::npos;
    });
    out += leaks ? "[line redacted: holds secret material]" : line;
    out += '\n';
  }
  return out;
}

struct Proc {
  int status = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
  bool ok() const { return status == 0; }
  std::string shown() const {
    return "exit " + std::to_string(status) + "\nstdout: " + redact(out) +
           "\nstderr: " + redact(err);
  }
};

// Consumers run with an explicit environment: no leaking of the developer's AWS_PROFILE or ~/.aws.
Proc run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
         const std::string& input = "", const std::string& cwd = "") {
  test::RunResult r = test::runClean(argv, env, input, cwd);
  return Proc{r.exit_code, std::move(r.out), std::move(r.err)};
}

// The first executable among candidates; bare names are looked up in the system directories
// (not the developer's PATH, where shims such as pyenv's may stand in for the real tool).
std::string findTool(std::initializer_list<const char*> candidates) {
  for (const char* c : candidates) {
    std::string name(c);
    if (name.front() == '/') {
      if (::access(c, X_OK) == 0) return name;
      continue;
    }
    for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin"}) {
      std::string path = std::string(dir) + "/" + name;
      if (::access(path.c_str(), X_OK) == 0) return path;
    }
  }
  return "";
}

using test::readText;
using test::TempDir;
using test::writeText;

mode_t modeOf(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

std::vector<std::string> baseEnv(const std::string& home) {
  return {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home, "LANG=C.UTF-8"};
}

// Runs python3 SCRIPT ARGS... and parses the JSON it prints.
json pythonJson(const std::string& script, const std::vector<std::string>& args,
                const std::string& home) {
  std::vector<std::string> argv = {kPython, "-c", script};
  argv.insert(argv.end(), args.begin(), args.end());
  Proc p = run(argv, baseEnv(home));
  EXPECT_TRUE(p.ok()) << p.shown();
  if (!p.ok()) return json();
  json j = json::parse(p.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << p.shown();
  return j;
}

bool pythonHas(const std::string& module) {
  if (::access(kPython, X_OK) != 0) return false;
  return run({kPython, "-c", "import " + module}, baseEnv("/tmp")).ok();
}

// The AWS CLI, with its files pointed at the temp dir. Debian's awscli is /usr/bin/aws.
class AwsCli {
 public:
  AwsCli() : path_(findTool({"/usr/bin/aws", "aws"})) {}
  bool available() const { return !path_.empty(); }
  // Empty file paths mean the CLI's defaults under HOME (~/.aws/...).
  Proc operator()(const std::string& home, const std::vector<std::string>& args,
                  const std::string& credentials = "", const std::string& config = "") const {
    std::vector<std::string> env = baseEnv(home);
    env.push_back("AWS_EC2_METADATA_DISABLED=true");  // never reach out for instance metadata
    env.push_back("AWS_PAGER=");
    if (!credentials.empty()) env.push_back("AWS_SHARED_CREDENTIALS_FILE=" + credentials);
    if (!config.empty()) env.push_back("AWS_CONFIG_FILE=" + config);
    std::vector<std::string> argv = {path_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, env);
  }

 private:
  std::string path_;
};

// Asserts that the AWS CLI resolves `profile` to key_id/secret/region from those files.
void expectAwsCliSees(const AwsCli& aws, const std::string& home, const std::string& profile,
                      const std::string& key_id, const std::string& secret,
                      const std::string& region, const std::string& credentials = "",
                      const std::string& config = "") {
  SCOPED_TRACE("profile " + profile);
  Proc list = aws(home, {"configure", "list", "--profile", profile}, credentials, config);
  ASSERT_TRUE(list.ok()) << list.shown();
  // The CLI masks the key as ****************PLBM.
  EXPECT_NE(list.out.find(key_id.substr(key_id.size() - 4)), std::string::npos) << list.shown();
  EXPECT_NE(list.out.find("shared-credentials-file"), std::string::npos) << list.shown();
  if (!region.empty()) {
    EXPECT_NE(list.out.find(region), std::string::npos) << list.shown();
    EXPECT_NE(list.out.find("config-file"), std::string::npos) << list.shown();
  }
  Proc sec = aws(home, {"configure", "get", "aws_secret_access_key", "--profile", profile},
                 credentials, config);
  EXPECT_TRUE(trim(sec.out) == secret) << "the CLI reads a different secret (not shown); "
                                       << "exit " << sec.status;
}

const char* kExistingCredentials =
    "# Work accounts. Ask #platform before rotating.\n"
    "[default]\n"
    "aws_access_key_id = AKIAEXAMPLEDEFAULT01\n"
    "aws_secret_access_key = not/a+real+secret+default+example+000001\n"
    "\n"
    "; staging uses the deploy user\n"
    "[staging]\n"
    "aws_access_key_id=AKIAEXAMPLESTAGING01\n"
    "aws_secret_access_key=not/a+real+secret+staging+example+000002\n";

const char* kExistingConfig =
    "[default]\n"
    "region = us-west-2\n"
    "# path-style for the on-prem gateway\n"
    "s3 =\n"
    "  addressing_style = path\n"
    "\n"
    "[profile staging]\n"
    "region = eu-central-1\n"
    "output = table\n";

// ---------------------------------------------------------------------------------------------

TEST(RenderTest, FormatNamesRoundTrip) {
  std::vector<std::string> names = renderFormatNames();
  ASSERT_EQ(names.size(), 11u);
  EXPECT_EQ(names.front(), "aws-credentials");
  for (const std::string& n : names) {
    RenderFormat f{};
    ASSERT_TRUE(parseRenderFormat(n, &f)) << n;
    EXPECT_EQ(renderFormatName(f), n);
  }
  RenderFormat f{};
  EXPECT_FALSE(parseRenderFormat("AWS-CREDENTIALS", &f));
  EXPECT_FALSE(parseRenderFormat("yaml", &f));
  EXPECT_TRUE(renderFormatMerges(RenderFormat::kShell));
  EXPECT_FALSE(renderFormatMerges(RenderFormat::kK8sSecret));
}

TEST(RenderTest, RejectsInputsAFormatCannotCarry) {
  auto code = [](RenderFormat f, const RenderInput& in) { return render(f, in).status().code(); };
  for (const char* bad :
       {"", "AKIA", "akiar5jdq7xeyh4tplbm", "AKIAR5JDQ7XEYH4TPLB!", "AKIA R5JDQ7XEYH4TPLBM"}) {
    RenderInput in = makeInput();
    in.key_id = bad;
    EXPECT_EQ(code(RenderFormat::kEnv, in), StatusCode::kInvalidArgument) << bad;
  }
  const std::string spaced = "Zq3+Wm8/Lp2xTk7R vB9nYc4Hs1Ge6Jd0Fa5Ui8Ko";
  for (const std::string& bad :
       {std::string(), spaced, std::string("line\nbreak"), std::string("tab\tin")}) {
    Result<std::string> r = render(RenderFormat::kAwsCredentials, makeInput(bad));
    ASSERT_FALSE(r.hasValue());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(bad.empty() || r.status().message().find(bad) == std::string::npos)
        << "the error message repeats the secret";
  }
  for (const char* bad : {"", "  ", "my profile", "a]b", "[x", "new\nline", "#x", ";x", "it's",
                          "q\"", "back\\slash", "DEFAULT", "caf\xC3\xA9"}) {
    RenderInput in = makeInput();
    in.profile = bad;
    EXPECT_EQ(code(RenderFormat::kAwsCredentials, in), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(code(RenderFormat::kAwsConfig, in), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(code(RenderFormat::kEc2UserData, in), StatusCode::kInvalidArgument) << bad;
  }
  for (const char* bad : {"", "EU-WEST-1", "eu west 1", "1eu", "eu-west-", "eu-west-1;rm"}) {
    RenderInput in = makeInput();
    in.region = bad;
    EXPECT_EQ(code(RenderFormat::kTerraform, in), StatusCode::kInvalidArgument) << bad;
  }
  for (const char* bad : {"Upper", "under_score", "-lead", "trail-", "a..b", ".a",
                          "this-name-is-fine-but-then.", "sp ace"}) {
    RenderInput in = makeInput();
    in.name = bad;
    EXPECT_EQ(code(RenderFormat::kK8sSecret, in), StatusCode::kInvalidArgument) << bad;
  }
  RenderInput in = makeInput();
  in.name = std::string(254, 'a');
  EXPECT_EQ(code(RenderFormat::kK8sSecret, in), StatusCode::kInvalidArgument);
  for (auto [format, bad] : std::vector<std::pair<RenderFormat, const char*>>{
           {RenderFormat::kPython, "class"},
           {RenderFormat::kPython, "boto3"},
           {RenderFormat::kPython, "9lives"},
           {RenderFormat::kJavaScript, "const"},
           {RenderFormat::kJavaScript, "S3Client"},
           {RenderFormat::kJavaScript, "my-client"},
           {RenderFormat::kGo, "func"},
           {RenderFormat::kGo, "err"},
           {RenderFormat::kGo, "_"},
           {RenderFormat::kLambdaEnv, "9X"},
           {RenderFormat::kLambdaEnv, "BAD-PREFIX"}}) {
    RenderInput named = makeInput();
    named.name = bad;
    EXPECT_EQ(code(format, named), StatusCode::kInvalidArgument)
        << renderFormatName(format) << " " << bad;
  }
  RenderInput relative = makeInput();
  relative.home_dir = "home/ubuntu";
  EXPECT_EQ(code(RenderFormat::kEc2UserData, relative), StatusCode::kInvalidArgument);
}

// An attacker who reads the file must not learn that it is a tripwire.
TEST(RenderTest, NoOutputGivesTheGameAway) {
  for (const std::string& name : renderFormatNames()) {
    RenderFormat f{};
    ASSERT_TRUE(parseRenderFormat(name, &f));
    Result<std::string> r = render(f, makeInput());
    ASSERT_TRUE(r.hasValue()) << name << ": " << r.status().toString();
    std::string lower = toLower(*r);
    for (const char* word : {"honey", "canary", "tripwire", "decoy"}) {
      EXPECT_EQ(lower.find(word), std::string::npos) << name << " mentions " << word;
    }
  }
}

TEST(RenderTest, MergeOnlyForMergeFormats) {
  for (RenderFormat f : {RenderFormat::kPython, RenderFormat::kJavaScript, RenderFormat::kGo,
                         RenderFormat::kTerraform, RenderFormat::kLambdaEnv,
                         RenderFormat::kEc2UserData, RenderFormat::kK8sSecret}) {
    Result<std::string> r = mergeInto(f, "x", makeInput(), "f");
    ASSERT_FALSE(r.hasValue());
    EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
    EXPECT_EQ(r.status().message(), std::string("merge not supported for ") + renderFormatName(f) +
                                        "; write to a new file");
  }
}

// ---------------------------------------------------------------------------------------------
// aws-credentials / aws-config

TEST(RenderTest, AwsCredentialsAndConfigFreshFilesReadByAwsCli) {
  AwsCli aws;
  if (!aws.available()) GTEST_SKIP() << "the AWS CLI is not installed";
  TempDir home;
  ASSERT_EQ(::mkdir((home / ".aws").c_str(), 0700), 0);
  const std::string creds = home / ".aws/credentials", config = home / ".aws/config";
  // The hostile secret shows the INI value survives configparser untouched.
  RenderInput in = makeInput(kHostileSecret);
  ASSERT_TRUE(renderIntoFile(RenderFormat::kAwsCredentials, in, creds).isOk());
  ASSERT_TRUE(renderIntoFile(RenderFormat::kAwsConfig, in, config).isOk());
  EXPECT_EQ(modeOf(creds), 0600u);
  EXPECT_EQ(modeOf(config), 0600u);
  EXPECT_EQ(readText(config), "[profile ci-deploy]\nregion = eu-west-3\noutput = json\n");
  // Default file locations under HOME, as an attacker's `aws` would find them.
  expectAwsCliSees(aws, home.path(), kProfile, kKeyId, kHostileSecret, kRegion);

  RenderInput def = makeInput();
  def.profile = "default";
  Result<std::string> cfg = render(RenderFormat::kAwsConfig, def);
  ASSERT_TRUE(cfg.hasValue());
  EXPECT_EQ(*cfg, "[default]\nregion = eu-west-3\noutput = json\n");
}

TEST(RenderTest, AwsCredentialsAndConfigMergeKeepsExistingProfiles) {
  AwsCli aws;
  if (!aws.available()) GTEST_SKIP() << "the AWS CLI is not installed";
  TempDir home;
  const std::string creds = home / "credentials", config = home / "config";
  writeText(creds, kExistingCredentials, 0644);  // too loose: the merge must tighten it
  writeText(config, kExistingConfig, 0640);
  RenderInput in = makeInput();
  ASSERT_TRUE(renderIntoFile(RenderFormat::kAwsCredentials, in, creds).isOk());
  ASSERT_TRUE(renderIntoFile(RenderFormat::kAwsConfig, in, config).isOk());

  std::string merged_creds = readText(creds), merged_config = readText(config);
  ASSERT_TRUE(startsWith(merged_creds, kExistingCredentials)) << "existing bytes changed";
  ASSERT_TRUE(startsWith(merged_config, kExistingConfig)) << "existing bytes changed";
  EXPECT_EQ(merged_config.substr(std::strlen(kExistingConfig)),
            "\n[profile ci-deploy]\nregion = eu-west-3\noutput = json\n");
  EXPECT_TRUE(merged_creds.substr(std::strlen(kExistingCredentials)) ==
              std::string("\n[ci-deploy]\naws_access_key_id = ") + kKeyId +
                  "\naws_secret_access_key = " + kSecret + "\n")
      << "appended credentials section differs (not shown)";
  EXPECT_EQ(modeOf(creds), 0600u);
  EXPECT_EQ(modeOf(config), 0600u);

  expectAwsCliSees(aws, home.path(), kProfile, kKeyId, kSecret, kRegion, creds, config);
  // The profiles that were there still work, nested s3 settings included.
  expectAwsCliSees(aws, home.path(), "staging", "AKIAEXAMPLESTAGING01",
                   "not/a+real+secret+staging+example+000002", "eu-central-1", creds, config);
  expectAwsCliSees(aws, home.path(), "default", "AKIAEXAMPLEDEFAULT01",
                   "not/a+real+secret+default+example+000001", "us-west-2", creds, config);
  Proc style = aws(home.path(), {"configure", "get", "s3.addressing_style", "--profile", "default"},
                   creds, config);
  EXPECT_EQ(trim(style.out), "path") << style.shown();
}

TEST(RenderTest, MergeFinishesAnUnterminatedLineAndKeepsCrlf) {
  AwsCli aws;
  if (!aws.available()) GTEST_SKIP() << "the AWS CLI is not installed";
  TempDir home;
  const std::string creds = home / "credentials", config = home / "config";
  const std::string old_creds =
      "[staging]\r\naws_access_key_id = AKIAEXAMPLESTAGING01\r\n"
      "aws_secret_access_key = not/a+real+secret+staging+example+000002";  // no final newline
  writeText(creds, old_creds, 0600);
  writeText(config, "[profile staging]\nregion = eu-central-1", 0600);
  RenderInput in = makeInput();
  ASSERT_TRUE(renderIntoFile(RenderFormat::kAwsCredentials, in, creds).isOk());
  ASSERT_TRUE(renderIntoFile(RenderFormat::kAwsConfig, in, config).isOk());
  std::string merged = readText(creds);
  ASSERT_TRUE(startsWith(merged, old_creds));
  EXPECT_TRUE(merged.substr(old_creds.size()) ==
              std::string("\r\n\r\n[ci-deploy]\r\naws_access_key_id = ") + kKeyId +
                  "\r\naws_secret_access_key = " + kSecret + "\r\n")
      << "appended section differs (not shown)";
  expectAwsCliSees(aws, home.path(), kProfile, kKeyId, kSecret, kRegion, creds, config);
  expectAwsCliSees(aws, home.path(), "staging", "AKIAEXAMPLESTAGING01",
                   "not/a+real+secret+staging+example+000002", "eu-central-1", creds, config);
}

TEST(RenderTest, MergeRefusesInvalidIniAndLeavesTheFileAlone) {
  TempDir dir;
  const std::string path = dir / "credentials";
  const std::string broken =
      "[default]\n"
      "aws_access_key_id = AKIAEXAMPLEDEFAULT01\n"
      "this line is neither\n";
  writeText(path, broken, 0600);
  for (RenderFormat f : {RenderFormat::kAwsCredentials, RenderFormat::kAwsConfig}) {
    Status st = renderIntoFile(f, makeInput(), path);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(st.message().rfind(path + " is not a valid INI file: line 3: ", 0), 0u)
        << st.message();
    EXPECT_EQ(readText(path), broken);
  }
  Result<std::string> r = mergeInto(RenderFormat::kAwsCredentials, "region = x\n[default]\n",
                                    makeInput(), "~/.aws/credentials");
  ASSERT_FALSE(r.hasValue());
  EXPECT_EQ(r.status().message().rfind("~/.aws/credentials is not a valid INI file: line 1: ", 0),
            0u)
      << r.status().message();
  r = mergeInto(RenderFormat::kAwsConfig, "[default\nregion = x\n", makeInput(), "cfg");
  ASSERT_FALSE(r.hasValue());
  EXPECT_EQ(r.status().message().rfind("cfg is not a valid INI file: line 1: ", 0), 0u);
}

TEST(RenderTest, MergeRefusesAnExistingProfile) {
  TempDir dir;
  const std::string path = dir / "credentials";
  const std::string existing = "[ci-deploy]\naws_access_key_id = AKIAEXAMPLEDEFAULT01\n";
  writeText(path, existing, 0600);
  Status st = renderIntoFile(RenderFormat::kAwsCredentials, makeInput(), path);
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.toString();
  EXPECT_EQ(readText(path), existing);

  // ~/.aws/config names a profile several ways; botocore reads all of these as "ci-deploy".
  for (const char* header : {"[profile ci-deploy]", "[profile  ci-deploy ]",
                             "[profile 'ci-deploy']", "[profile \"ci-deploy\"]"}) {
    Result<std::string> r = mergeInto(RenderFormat::kAwsConfig,
                                      std::string(header) + "\nregion = x\n", makeInput(), "cfg");
    EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists) << header;
  }
  RenderInput def = makeInput();
  def.profile = "default";
  for (const char* header : {"[default]", "[profile default]"}) {
    Result<std::string> r =
        mergeInto(RenderFormat::kAwsConfig, std::string(header) + "\nregion = x\n", def, "cfg");
    EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists) << header;
  }
  // A credentials section called "profile ci-deploy" is not the profile (botocore reads
  // credentials section names as they are), and [ci-deploy] in config is not it either.
  EXPECT_TRUE(
      mergeInto(RenderFormat::kAwsCredentials, "[profile ci-deploy]\nx = 1\n", makeInput(), "c")
          .hasValue());
  EXPECT_TRUE(
      mergeInto(RenderFormat::kAwsConfig, "[ci-deploy]\nx = 1\n", makeInput(), "c").hasValue());
}

TEST(RenderTest, MergeIntoEmptyFileHasNoLeadingBlankLine) {
  Result<std::string> r = mergeInto(RenderFormat::kAwsConfig, "", makeInput(), "c");
  ASSERT_TRUE(r.hasValue());
  EXPECT_EQ(*r, "[profile ci-deploy]\nregion = eu-west-3\noutput = json\n");
  r = mergeInto(RenderFormat::kAwsConfig, "[a]\nx = 1\n\n", makeInput(), "c");
  ASSERT_TRUE(r.hasValue());
  EXPECT_EQ(*r, "[a]\nx = 1\n\n[profile ci-deploy]\nregion = eu-west-3\noutput = json\n");
}

// ---------------------------------------------------------------------------------------------
// env / shell

const char* kDotenvDump = R"(
import dotenv, json, sys
print(json.dumps(dotenv.dotenv_values(sys.argv[1])))
)";

TEST(RenderTest, EnvReadByPythonDotenv) {
  if (!pythonHas("dotenv")) GTEST_SKIP() << "python3-dotenv is not installed";
  TempDir dir;
  // Quotes are needed but every dotenv loader reads single-quoted text the same way.
  const char* awkward = R"(a"b$c`d#e%{f}!g;h&i|j<k>l*m?n~o=p)";
  for (const char* secret : {kSecret, awkward}) {
    SCOPED_TRACE(secret == kSecret ? "plain secret" : "awkward secret");
    const std::string path = dir / (secret == kSecret ? "plain.env" : "awkward.env");
    ASSERT_TRUE(renderIntoFile(RenderFormat::kEnv, makeInput(secret), path).isOk());
    EXPECT_EQ(modeOf(path), 0600u);
    json v = pythonJson(kDotenvDump, {path}, dir.path());
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(v.size(), 3u);
    EXPECT_EQ(v.value("AWS_ACCESS_KEY_ID", ""), kKeyId);
    EXPECT_TRUE(v.value("AWS_SECRET_ACCESS_KEY", "") == secret) << "secret differs (not shown)";
    EXPECT_EQ(v.value("AWS_DEFAULT_REGION", ""), kRegion);
  }
  // Loaders disagree about backslashes, single quotes and "${" (python-dotenv expands it even in
  // single quotes), so such a secret is refused rather than written ambiguously.
  Result<std::string> hostile = render(RenderFormat::kEnv, makeInput(kHostileSecret));
  EXPECT_EQ(hostile.status().code(), StatusCode::kInvalidArgument);
  // A real key needs no quotes, so Docker's --env-file (which keeps quotes) reads it right too.
  Result<std::string> plain = render(RenderFormat::kEnv, makeInput());
  ASSERT_TRUE(plain.hasValue());
  EXPECT_TRUE(*plain == std::string("AWS_ACCESS_KEY_ID=") + kKeyId + "\nAWS_SECRET_ACCESS_KEY=" +
                            kSecret + "\nAWS_DEFAULT_REGION=eu-west-3\n")
      << "rendered .env differs (not shown)";
}

TEST(RenderTest, EnvMergeKeepsTheAppsSettings) {
  if (!pythonHas("dotenv")) GTEST_SKIP() << "python3-dotenv is not installed";
  TempDir dir;
  const std::string path = dir / ".env";
  const std::string existing =
      "# app settings\n"
      "DATABASE_URL=postgres://app@db:5432/app\n"
      "AWS_DEFAULT_REGION=ap-southeast-2\n"
      "export FEATURE_FLAGS='beta,new-ui'";  // no final newline
  writeText(path, existing, 0664);
  ASSERT_TRUE(renderIntoFile(RenderFormat::kEnv, makeInput(), path).isOk());
  std::string merged = readText(path);
  ASSERT_TRUE(startsWith(merged, existing));
  EXPECT_EQ(modeOf(path), 0600u);
  json v = pythonJson(kDotenvDump, {path}, dir.path());
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.value("DATABASE_URL", ""), "postgres://app@db:5432/app");
  EXPECT_EQ(v.value("FEATURE_FLAGS", ""), "beta,new-ui");
  EXPECT_EQ(v.value("AWS_DEFAULT_REGION", ""), "ap-southeast-2");  // the app's region stays
  EXPECT_EQ(v.value("AWS_ACCESS_KEY_ID", ""), kKeyId);
  EXPECT_TRUE(v.value("AWS_SECRET_ACCESS_KEY", "") == std::string(kSecret));

  for (const char* assigned :
       {"AWS_ACCESS_KEY_ID=AKIAEXAMPLEDEFAULT01\n", "export AWS_ACCESS_KEY_ID=x\n",
        "  AWS_ACCESS_KEY_ID = x\n", "FOO=1; AWS_SECRET_ACCESS_KEY=y\n"}) {
    Result<std::string> r = mergeInto(RenderFormat::kEnv, assigned, makeInput(), ".env");
    EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists) << assigned;
  }
  for (const char* not_assigned :
       {"# AWS_ACCESS_KEY_ID=old\n", "MY_AWS_ACCESS_KEY_ID=x\n", "echo $AWS_ACCESS_KEY_ID\n"}) {
    EXPECT_TRUE(mergeInto(RenderFormat::kEnv, not_assigned, makeInput(), ".env").hasValue())
        << not_assigned;
  }
}

TEST(RenderTest, ShellSourcedByShAndBash) {
  TempDir dir;
  for (const char* secret : {kSecret, kHostileSecret}) {
    SCOPED_TRACE(secret == kSecret ? "plain secret" : "hostile secret");
    const std::string path = dir / (secret == kSecret ? "plain.sh" : "hostile.sh");
    ASSERT_TRUE(renderIntoFile(RenderFormat::kShell, makeInput(secret), path).isOk());
    EXPECT_TRUE(startsWith(readText(path), "#!/bin/sh\n"));
    for (const char* shell : {"/bin/sh", "/bin/bash", "/usr/bin/dash"}) {
      if (::access(shell, X_OK) != 0) continue;
      SCOPED_TRACE(shell);
      Proc p = run({shell, "-c",
                    ". \"$1\" && printf '%s\\n%s\\n%s' \"$AWS_ACCESS_KEY_ID\" "
                    "\"$AWS_SECRET_ACCESS_KEY\" \"$AWS_DEFAULT_REGION\"",
                    "sh", path},
                   baseEnv(dir.path()));
      ASSERT_TRUE(p.ok()) << p.shown();
      std::vector<std::string> vals = split(p.out, '\n');
      ASSERT_EQ(vals.size(), 3u) << p.shown();
      EXPECT_EQ(vals[0], kKeyId);
      EXPECT_TRUE(vals[1] == secret) << "secret differs (not shown)";
      EXPECT_EQ(vals[2], kRegion);
      // Exported, not just set: a child process sees them.
      Proc child = run({shell, "-c", ". \"$1\" && env", "sh", path}, baseEnv(dir.path()));
      EXPECT_NE(child.out.find(std::string("AWS_ACCESS_KEY_ID=") + kKeyId), std::string::npos);
    }
  }
}

TEST(RenderTest, ShellMergeAppendsToAnExistingScript) {
  TempDir dir;
  const std::string path = dir / "profile.sh";
  const std::string existing =
      "# shellcheck shell=sh\n"
      "export PATH=\"$HOME/bin:$PATH\"\n"
      "EDITOR=vim; export EDITOR\n";
  writeText(path, existing, 0755);
  ASSERT_TRUE(renderIntoFile(RenderFormat::kShell, makeInput(), path).isOk());
  std::string merged = readText(path);
  ASSERT_TRUE(startsWith(merged, existing));
  EXPECT_EQ(merged.find("#!/bin/sh", existing.size()), std::string::npos);
  EXPECT_EQ(modeOf(path), 0700u);  // group/other bits dropped, owner's execute bit kept
  Proc p = run({"/bin/sh", "-c",
                ". \"$1\" && printf '%s %s %s' \"$EDITOR\" \"$AWS_ACCESS_KEY_ID\" "
                "\"$AWS_DEFAULT_REGION\"",
                "sh", path},
               baseEnv(dir.path()));
  ASSERT_TRUE(p.ok()) << p.shown();
  EXPECT_EQ(p.out, std::string("vim ") + kKeyId + " " + kRegion);
  Status again = renderIntoFile(RenderFormat::kShell, makeInput(), path);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.toString();
}

// ---------------------------------------------------------------------------------------------
// Source code snippets

// Parses with ast (the literals as written) and then runs the module against a stand-in boto3
// (what the client really receives).
const char* kPythonInspect = R"(
import ast, json, runpy, sys, types
path = sys.argv[1]
tree = ast.parse(open(path).read(), path)
calls = [n for n in ast.walk(tree)
         if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
         and n.func.attr == "client" and isinstance(n.func.value, ast.Name)
         and n.func.value.id == "boto3"]
assert len(calls) == 1, "expected one boto3.client call"
literal = {k.arg: ast.literal_eval(k.value) for k in calls[0].keywords}
literal["service"] = ast.literal_eval(calls[0].args[0])
seen = {}
def client(service, **kwargs):
    seen.update(kwargs, service=service)
    return types.SimpleNamespace()
sys.modules["boto3"] = types.SimpleNamespace(client=client)
module = runpy.run_path(path, run_name="app.storage")
print(json.dumps({"ast": literal, "run": seen, "client_var": sys.argv[2] in module}))
)";

TEST(RenderTest, PythonParsesAndCallsBoto3WithTheKey) {
  if (::access(kPython, X_OK) != 0) GTEST_SKIP() << "no " << kPython;
  TempDir dir;
  for (const char* secret : {kSecret, kHostileSecret}) {
    SCOPED_TRACE(secret == kSecret ? "plain secret" : "hostile secret");
    RenderInput in = makeInput(secret);
    in.name = secret == kSecret ? "" : "reports_bucket";
    const std::string path = dir / (secret == kSecret ? "storage.py" : "reports.py");
    ASSERT_TRUE(renderIntoFile(RenderFormat::kPython, in, path).isOk());
    json v = pythonJson(kPythonInspect, {path, in.name.empty() ? "s3" : in.name}, dir.path());
    ASSERT_TRUE(v.is_object());
    for (const char* view : {"ast", "run"}) {
      SCOPED_TRACE(view);
      const json& kw = v[view];
      EXPECT_EQ(kw.value("service", ""), "s3");
      EXPECT_EQ(kw.value("aws_access_key_id", ""), kKeyId);
      EXPECT_TRUE(kw.value("aws_secret_access_key", "") == secret) << "secret differs (not shown)";
      EXPECT_EQ(kw.value("region_name", ""), kRegion);
    }
    EXPECT_EQ(v.value("client_var", false), true);
  }
}

// `node --check`, then a run with @aws-sdk/client-s3 replaced by a recorder.
const char* kNodeInspect = R"(
const Module = require("module");
const load = Module._load;
let config = null;
Module._load = function (request, parent, isMain) {
  if (request === "@aws-sdk/client-s3") {
    return {
      S3Client: class { constructor(c) { config = c; } async send() { return { Buckets: [] }; } },
      ListBucketsCommand: class {},
    };
  }
  return load.apply(this, arguments);
};
const exported = require(process.argv[1]);
process.stdout.write(JSON.stringify({ config, exports: Object.keys(exported) }));
)";

TEST(RenderTest, JavaScriptChecksAndBuildsTheClient) {
  std::string node = findTool({"/usr/bin/node", "node"});
  if (node.empty()) GTEST_SKIP() << "node is not installed";
  TempDir dir;
  for (const char* secret : {kSecret, kHostileSecret}) {
    SCOPED_TRACE(secret == kSecret ? "plain secret" : "hostile secret");
    const std::string path = dir / (secret == kSecret ? "s3.js" : "hostile.js");
    RenderInput in = makeInput(secret);
    ASSERT_TRUE(renderIntoFile(RenderFormat::kJavaScript, in, path).isOk());
    Proc check = run({node, "--check", path}, baseEnv(dir.path()));
    ASSERT_TRUE(check.ok()) << check.shown();
    Proc p = run({node, "-e", kNodeInspect, path}, baseEnv(dir.path()));
    ASSERT_TRUE(p.ok()) << p.shown();
    json v = json::parse(p.out, nullptr, false);
    ASSERT_TRUE(v.is_object()) << p.shown();
    EXPECT_EQ(v["config"].value("region", ""), kRegion);
    EXPECT_EQ(v["config"]["credentials"].value("accessKeyId", ""), kKeyId);
    EXPECT_TRUE(v["config"]["credentials"].value("secretAccessKey", "") == secret)
        << "secret differs (not shown)";
    EXPECT_EQ(v["exports"], json::parse(R"(["s3","listBuckets"])"));
  }
}

// Reads a Go interpreted string literal starting at s[pos] == '"'.
std::string goString(const std::string& s, size_t pos) {
  std::string out;
  for (size_t i = pos + 1; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

// No Go toolchain on this machine (go, gofmt are absent), so the structure is checked here: one
// package clause, brackets balanced outside string literals and comments, gofmt's tab indentation,
// and the constants carrying exactly the key. gofmt -l runs too when it is installed.
TEST(RenderTest, GoSnippetIsWellFormed) {
  TempDir dir;
  for (const char* secret : {kSecret, kHostileSecret}) {
    SCOPED_TRACE(secret == kSecret ? "plain secret" : "hostile secret");
    Result<std::string> r = render(RenderFormat::kGo, makeInput(secret));
    ASSERT_TRUE(r.hasValue()) << r.status().toString();
    const std::string& src = *r;
    EXPECT_TRUE(startsWith(src, "package main\n\nimport (\n"));
    EXPECT_NE(src.find("credentials.NewStaticCredentialsProvider(awsAccessKeyID, "
                       "awsSecretAccessKey, \"\")"),
              std::string::npos);
    std::vector<char> stack;
    bool balanced = true;
    for (size_t i = 0; i < src.size() && balanced; ++i) {
      char c = src[i];
      if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
        i = src.find('\n', i);
      } else if (c == '"') {
        for (++i; i < src.size() && src[i] != '"' && src[i] != '\n'; ++i) {
          if (src[i] == '\\') ++i;
        }
        balanced = i < src.size() && src[i] == '"';
      } else if (c == '(' || c == '{' || c == '[') {
        stack.push_back(c);
      } else if (c == ')' || c == '}' || c == ']') {
        char open = c == ')' ? '(' : c == '}' ? '{' : '[';
        balanced = !stack.empty() && stack.back() == open;
        if (balanced) stack.pop_back();
      }
    }
    EXPECT_TRUE(balanced && stack.empty()) << "unbalanced brackets or quotes";
    for (const std::string& line : split(src, '\n')) {
      EXPECT_FALSE(startsWith(line, " ")) << "gofmt indents with tabs: " << redact(line);
    }
    auto constValue = [&](const std::string& name) {
      size_t at = src.find("\t" + name + " ");
      if (at == std::string::npos) return std::string("<missing>");
      return goString(src, src.find('"', at));
    };
    EXPECT_EQ(constValue("awsAccessKeyID"), kKeyId);
    EXPECT_TRUE(constValue("awsSecretAccessKey") == secret) << "secret differs (not shown)";
    EXPECT_EQ(constValue("awsRegion"), kRegion);

    std::string gofmt = findTool({"gofmt", "/usr/local/go/bin/gofmt", "/usr/lib/go/bin/gofmt"});
    if (!gofmt.empty()) {
      const std::string path = dir / "main.go";
      fs::remove(path);
      writeText(path, src, 0600);
      Proc p = run({gofmt, "-l", "-e", path}, baseEnv(dir.path()));
      EXPECT_TRUE(p.ok() && p.out.empty()) << p.shown();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// terraform

TEST(RenderTest, TerraformReadsTheTfvars) {
  std::string terraform = findTool({"/usr/local/bin/terraform", "terraform"});
  if (terraform.empty()) GTEST_SKIP() << "terraform is not installed";
  TempDir dir;
  writeText(dir / "main.tf",
            "variable \"aws_access_key\" { type = string }\n"
            "variable \"aws_secret_key\" {\n  type      = string\n  sensitive = true\n}\n"
            "variable \"aws_region\" { type = string }\n"
            "output \"region\" { value = var.aws_region }\n");
  // No providers, so console needs neither `terraform init` nor the network; CHECKPOINT_DISABLE
  // stops the version check from phoning home.
  std::vector<std::string> env = baseEnv(dir.path());
  env.push_back("CHECKPOINT_DISABLE=1");
  env.push_back("TF_IN_AUTOMATION=1");
  for (const char* secret : {kSecret, kHostileSecret}) {
    SCOPED_TRACE(secret == kSecret ? "plain secret" : "hostile secret");
    const std::string vars = dir / (secret == kSecret ? "plain.tfvars" : "hostile.tfvars");
    ASSERT_TRUE(renderIntoFile(RenderFormat::kTerraform, makeInput(secret), vars).isOk());
    Proc fmt = run({terraform, "fmt", "-no-color", "-check", vars}, env);
    EXPECT_TRUE(fmt.ok()) << "not in terraform fmt layout: " << fmt.shown();
    // base64 keeps the console's own string quoting out of the comparison.
    Proc p =
        run({terraform, "-chdir=" + dir.path(), "console", "-no-color", "-var-file=" + vars}, env,
            "base64encode(jsonencode([var.aws_access_key, nonsensitive(var.aws_secret_key), "
            "var.aws_region]))\n");
    ASSERT_TRUE(p.ok()) << p.shown();
    std::string encoded = trim(p.out);
    ASSERT_TRUE(encoded.size() >= 2 && encoded.front() == '"' && encoded.back() == '"')
        << p.shown();
    encoded = encoded.substr(1, encoded.size() - 2);
    std::string decoded(encoded.size(), '\0');
    size_t len = 0;
    ASSERT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                                encoded.c_str(), encoded.size(), nullptr, &len, nullptr,
                                sodium_base64_VARIANT_ORIGINAL),
              0);
    decoded.resize(len);
    json v = json::parse(decoded, nullptr, false);
    ASSERT_TRUE(v.is_array() && v.size() == 3);
    EXPECT_EQ(v[0], kKeyId);
    EXPECT_TRUE(v[1] == secret) << "secret differs (not shown)";
    EXPECT_EQ(v[2], kRegion);
  }
}

// ---------------------------------------------------------------------------------------------
// lambda-env

// The shape `aws lambda update-function-configuration --environment file://` takes, with
// Lambda's own rules on names (pattern, reserved keys) and total size.
const char* kLambdaInspect = R"(
import json, re, sys
raw = open(sys.argv[1], "rb").read()
doc = json.loads(raw)
assert set(doc) == {"Variables"}, "top level must be exactly Variables"
env = doc["Variables"]
reserved = {"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
            "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
            "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ"}
for k, v in env.items():
    assert re.fullmatch(r"[a-zA-Z]([a-zA-Z0-9_])+", k), "bad name " + k
    assert k not in reserved, "reserved name " + k
    assert isinstance(v, str)
assert sum(len(k) + len(v) for k, v in env.items()) <= 4096, "over Lambda's 4 KB"
print(json.dumps(env))
)";

TEST(RenderTest, LambdaEnvironmentHasLambdasShape) {
  if (::access(kPython, X_OK) != 0) GTEST_SKIP() << "no " << kPython;
  TempDir dir;
  for (const char* secret : {kSecret, kHostileSecret}) {
    SCOPED_TRACE(secret == kSecret ? "plain secret" : "hostile secret");
    RenderInput in = makeInput(secret);
    in.name = secret == kSecret ? "" : "ARCHIVE";
    const std::string prefix = in.name.empty() ? "BACKUP" : in.name;
    const std::string path = dir / (prefix + ".json");
    ASSERT_TRUE(renderIntoFile(RenderFormat::kLambdaEnv, in, path).isOk());
    json env = pythonJson(kLambdaInspect, {path}, dir.path());
    ASSERT_TRUE(env.is_object());
    EXPECT_EQ(env.size(), 3u);
    EXPECT_EQ(env.value(prefix + "_AWS_ACCESS_KEY_ID", ""), kKeyId);
    EXPECT_TRUE(env.value(prefix + "_AWS_SECRET_ACCESS_KEY", "") == secret)
        << "secret differs (not shown)";
    EXPECT_EQ(env.value(prefix + "_AWS_REGION", ""), kRegion);
  }
}

// ---------------------------------------------------------------------------------------------
// ec2-user-data

TEST(RenderTest, Ec2UserDataWritesProfilesTheAwsCliReads) {
  AwsCli aws;
  if (!aws.available()) GTEST_SKIP() << "the AWS CLI is not installed";
  std::string bash = findTool({"/bin/bash", "bash"});
  if (bash.empty()) GTEST_SKIP() << "bash is not installed";
  TempDir dir;
  const std::string home = dir / "home", script = dir / "user-data.sh";
  ASSERT_EQ(::mkdir(home.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((home + "/.aws").c_str(), 0755), 0);
  // The instance already has a profile, its file lacks a final newline and is too open.
  const std::string existing =
      "[staging]\naws_access_key_id = AKIAEXAMPLESTAGING01\n"
      "aws_secret_access_key = not/a+real+secret+staging+example+000002";
  writeText(home + "/.aws/credentials", existing, 0644);

  RenderInput in = makeInput(kHostileSecret);
  in.home_dir = "/home/o'brien";  // never touched: TARGET_HOME points at the temp dir
  ASSERT_TRUE(renderIntoFile(RenderFormat::kEc2UserData, in, script).isOk());
  EXPECT_TRUE(startsWith(readText(script), "#!/bin/bash\n"));
  Proc syntax = run({bash, "-n", script}, baseEnv(dir.path()));
  ASSERT_TRUE(syntax.ok()) << syntax.shown();

  std::vector<std::string> env = baseEnv(dir.path());
  env.push_back("TARGET_HOME=" + home);
  Proc first = run({bash, script}, env);
  ASSERT_TRUE(first.ok()) << first.shown();
  // Running it twice (a re-provisioned instance) must not add a second section.
  Proc second = run({bash, script}, env);
  ASSERT_TRUE(second.ok()) << second.shown();
  EXPECT_NE(second.err.find("already in"), std::string::npos) << second.shown();

  std::string creds = readText(home + "/.aws/credentials");
  ASSERT_TRUE(startsWith(creds, existing));
  EXPECT_TRUE(creds.substr(existing.size()) ==
              std::string("\n\n[ci-deploy]\naws_access_key_id = ") + kKeyId +
                  "\naws_secret_access_key = " + kHostileSecret + "\n")
      << "appended section differs (not shown)";
  EXPECT_EQ(readText(home + "/.aws/config"),
            "[profile ci-deploy]\nregion = eu-west-3\noutput = json\n");
  EXPECT_EQ(modeOf(home + "/.aws"), 0700u);
  EXPECT_EQ(modeOf(home + "/.aws/credentials"), 0600u);
  EXPECT_EQ(modeOf(home + "/.aws/config"), 0600u);
  EXPECT_FALSE(fs::exists("/home/o'brien"));

  expectAwsCliSees(aws, home, kProfile, kKeyId, kHostileSecret, kRegion);
  expectAwsCliSees(aws, home, "staging", "AKIAEXAMPLESTAGING01",
                   "not/a+real+secret+staging+example+000002", "");
}

// ---------------------------------------------------------------------------------------------
// k8s-secret

const char* kYamlInspect = R"(
import base64, json, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
print(json.dumps({
    "apiVersion": doc["apiVersion"], "kind": doc["kind"], "type": doc["type"],
    "metadata": doc["metadata"],
    "data": {k: base64.b64decode(v, validate=True).decode() for k, v in doc["data"].items()},
}))
)";

TEST(RenderTest, K8sSecretParsesAndDecodes) {
  if (!pythonHas("yaml")) GTEST_SKIP() << "python3-yaml is not installed";
  TempDir dir;
  for (const char* secret : {kSecret, kHostileSecret}) {
    SCOPED_TRACE(secret == kSecret ? "plain secret" : "hostile secret");
    RenderInput in = makeInput(secret);
    in.name = secret == kSecret ? "" : "billing-exporter.aws";
    const std::string name = in.name.empty() ? "aws-credentials" : in.name;
    const std::string path = dir / (name + ".yaml");
    ASSERT_TRUE(renderIntoFile(RenderFormat::kK8sSecret, in, path).isOk());
    json v = pythonJson(kYamlInspect, {path}, dir.path());
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(v.value("apiVersion", ""), "v1");
    EXPECT_EQ(v.value("kind", ""), "Secret");
    EXPECT_EQ(v.value("type", ""), "Opaque");
    EXPECT_EQ(v["metadata"], json({{"name", name}}));
    EXPECT_EQ(v["data"].size(), 3u);
    EXPECT_EQ(v["data"].value("AWS_ACCESS_KEY_ID", ""), kKeyId);
    EXPECT_TRUE(v["data"].value("AWS_SECRET_ACCESS_KEY", "") == secret)
        << "secret differs (not shown)";
    EXPECT_EQ(v["data"].value("AWS_DEFAULT_REGION", ""), kRegion);

    // kubectl's built-in kustomize loads manifests offline (create --dry-run needs a server).
    std::string kubectl = findTool({"kubectl"});
    if (!kubectl.empty()) {
      const std::string kdir = dir / ("kustomize-" + name);
      fs::create_directory(kdir);
      fs::copy_file(path, kdir + "/secret.yaml");
      writeText(kdir + "/kustomization.yaml", "resources:\n- secret.yaml\n");
      Proc p = run({kubectl, "kustomize", kdir}, baseEnv(dir.path()));
      EXPECT_TRUE(p.ok()) << p.shown();
      EXPECT_NE(p.out.find("name: " + name), std::string::npos) << p.shown();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// renderIntoFile

TEST(RenderTest, NewFileFormatsCreateExclusivelyWithMode0600) {
  TempDir dir;
  const std::string path = dir / "config.py";
  ASSERT_TRUE(renderIntoFile(RenderFormat::kPython, makeInput(), path).isOk());
  EXPECT_EQ(modeOf(path), 0600u);
  std::string before = readText(path);
  Status again = renderIntoFile(RenderFormat::kPython, makeInput(), path);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.toString();
  EXPECT_EQ(readText(path), before);

  Status missing = renderIntoFile(RenderFormat::kEnv, makeInput(), dir / "no/such/dir/.env");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.toString();
  Status bad = renderIntoFile(RenderFormat::kEnv, makeInput("has space"), dir / ".env");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir / ".env"));
}

TEST(RenderTest, MergeFollowsASymlinkAndKeepsIt) {
  TempDir dir;
  fs::create_directory(dir / "dotfiles");
  const std::string target = dir / "dotfiles/credentials", link = dir / "credentials";
  writeText(target, kExistingCredentials, 0600);
  fs::create_symlink(target, link);
  ASSERT_TRUE(renderIntoFile(RenderFormat::kAwsCredentials, makeInput(), link).isOk());
  EXPECT_TRUE(fs::is_symlink(link));
  std::string merged = readText(target);
  EXPECT_TRUE(startsWith(merged, kExistingCredentials));
  Result<IniDocument> doc = parseIni(merged);
  ASSERT_TRUE(doc.hasValue()) << doc.status().toString();
  EXPECT_NE(doc->findSection(kProfile), nullptr);
}

TEST(RenderTest, MergeRefusesADirectory) {
  TempDir dir;
  fs::create_directory(dir / "credentials");
  Status st = renderIntoFile(RenderFormat::kAwsCredentials, makeInput(), dir / "credentials");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.toString();
}

}  // namespace
}  // namespace ht::tokens
