#include "tokens/render.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "core/files.h"
#include "core/strings.h"
#include "tokens/ini.h"

namespace ht::tokens {
namespace {

struct FormatName {
  RenderFormat format;
  const char* name;
};

constexpr std::array<FormatName, 11> kFormatNames = {{
    {RenderFormat::kAwsCredentials, "aws-credentials"},
    {RenderFormat::kAwsConfig, "aws-config"},
    {RenderFormat::kEnv, "env"},
    {RenderFormat::kShell, "shell"},
    {RenderFormat::kPython, "python"},
    {RenderFormat::kJavaScript, "javascript"},
    {RenderFormat::kGo, "go"},
    {RenderFormat::kTerraform, "terraform"},
    {RenderFormat::kLambdaEnv, "lambda-env"},
    {RenderFormat::kEc2UserData, "ec2-user-data"},
    {RenderFormat::kK8sSecret, "k8s-secret"},
}};

constexpr const char* kDefaultK8sName = "aws-credentials";
constexpr const char* kDefaultLambdaPrefix = "BACKUP";
constexpr const char* kDefaultPythonClient = "s3";
constexpr const char* kDefaultJavaScriptClient = "s3";
constexpr const char* kDefaultGoClient = "client";
// Variables a planted file must not override: the keys are what an attacker comes for, and
// overriding them in a merge would make the file's owner silently use the token instead.
constexpr const char* kAccessKeyVar = "AWS_ACCESS_KEY_ID";
constexpr const char* kSecretKeyVar = "AWS_SECRET_ACCESS_KEY";
constexpr const char* kRegionVar = "AWS_DEFAULT_REGION";
constexpr mode_t kPrivateMode = 0600;

// ---------------------------------------------------------------------------------------------
// Input validation. Messages name the field but never echo the secret.

bool isUpperAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isIdentChar(char c) { return isAlpha(c) || (c >= '0' && c <= '9') || c == '_'; }

Status validateKeyId(const std::string& id) {
  // IAM's documented AccessKeyId length is 16-128; real ones are 20 upper-case characters.
  if (id.size() < 16 || id.size() > 128 || !std::all_of(id.begin(), id.end(), isUpperAlnum)) {
    return Status::invalidArgument("access key ID must be 16-128 upper-case letters and digits");
  }
  return Status::ok();
}

Status validateSecret(const SecretString& secret) {
  std::string_view s = secret.reveal();
  bool printable = std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  // No white space or control bytes: every format below then needs only its quote characters
  // escaped, and an INI value or heredoc line cannot be cut short.
  if (s.empty() || s.size() > 128 || !printable) {
    return Status::invalidArgument(
        "secret access key must be 1-128 printable ASCII characters without spaces");
  }
  return Status::ok();
}

Status validateRegion(const std::string& region) {
  bool ok =
      !region.empty() && region.size() <= 32 && isAlpha(region.front()) && region.back() != '-' &&
      std::all_of(region.begin(), region.end(), [](char c) { return isLowerAlnum(c) || c == '-'; });
  if (!ok) return Status::invalidArgument("region '" + region + "' is not an AWS region name");
  return Status::ok();
}

// Profile names end up in "[name]" and "[profile name]" headers. botocore reads the latter with
// shlex.split and ignores it unless it splits into exactly two words, so white space and quotes
// would make the profile vanish; brackets, comment starters and line breaks would corrupt the file.
Status validateProfile(const std::string& profile) {
  if (profile.empty()) return Status::invalidArgument("profile name is empty");
  bool ok = std::all_of(profile.begin(), profile.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '[' && c != ']' && c != '"' && c != '\'' && c != '\\';
  });
  if (!ok || profile.front() == '#' || profile.front() == ';') {
    return Status::invalidArgument(
        "profile name must be printable ASCII without spaces, brackets, quotes or backslashes, "
        "and must not start with '#' or ';'");
  }
  if (profile == "DEFAULT") {
    // configparser treats [DEFAULT] as defaults for every section, not as a profile.
    return Status::invalidArgument("profile name 'DEFAULT' is reserved by the INI parser");
  }
  return Status::ok();
}

bool isDns1123Subdomain(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  for (const std::string& label : split(name, '.')) {
    if (label.empty() || !isLowerAlnum(label.front()) || !isLowerAlnum(label.back())) return false;
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return isLowerAlnum(c) || c == '-'; })) {
      return false;
    }
  }
  return true;
}

bool isIdentifier(const std::string& s) {
  return !s.empty() && s.size() <= 64 && (isAlpha(s.front()) || s.front() == '_') &&
         std::all_of(s.begin(), s.end(), isIdentChar) && s != "_";
}

// Keywords plus the identifiers each snippet already uses, so a chosen client name can neither
// break the syntax nor shadow something the snippet needs.
constexpr std::string_view kPythonTaken =
    "False None True and as assert async await break class continue def del elif else "
    "except finally for from global if import in is lambda nonlocal not or pass raise "
    "return try while with yield boto3 bucket print __name__";
constexpr std::string_view kJavaScriptTaken =
    "break case catch class const continue debugger default delete do else enum export "
    "extends false finally for function if implements import in instanceof interface let "
    "new null package private protected public return static super switch this throw true "
    "try typeof var void while with yield await arguments eval require module exports "
    "S3Client ListBucketsCommand listBuckets Buckets b";
constexpr std::string_view kGoTaken =
    "break case chan const continue default defer else fallthrough for func go goto if "
    "import interface map package range return select struct switch type var context fmt "
    "log config credentials s3 cfg err out b main awsAccessKeyID awsSecretAccessKey "
    "awsRegion";

bool isWordIn(std::string_view word, std::string_view words) {
  for (const std::string& w : split(words, ' ')) {
    if (w == word) return true;
  }
  return false;
}

Result<std::string> clientName(const RenderInput& in, const char* fallback, std::string_view taken,
                               const char* language) {
  std::string name = in.name.empty() ? fallback : in.name;
  if (!isIdentifier(name) || isWordIn(name, taken)) {
    return Status::invalidArgument("name '" + name + "' cannot be the client variable in the " +
                                   language +
                                   " snippet (need an identifier that is not a keyword)");
  }
  return name;
}

Status validateCommon(const RenderInput& in) {
  HT_RETURN_IF_ERROR(validateKeyId(in.key_id));
  HT_RETURN_IF_ERROR(validateSecret(in.secret));
  return validateRegion(in.region);
}

// ---------------------------------------------------------------------------------------------
// Quoting, one function per consumer's rules.

// A double-quoted literal for languages whose only specials among printable ASCII are the quote
// and the backslash (Python, JavaScript, Go interpreted strings).
std::string cQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// HCL also interpolates "${" and "%{"; doubling the sigil makes them literal.
std::string hclQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' || c == '\\') out += '\\';
    if ((c == '$' || c == '%') && i + 1 < s.size() && s[i + 1] == '{') out += c;
    out += c;
  }
  out += '"';
  return out;
}

// POSIX sh: inside single quotes nothing is special; a quote is closed, escaped and reopened.
std::string shellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

// dotenv has no single standard, so values are written the way every common loader
// (python-dotenv, Node dotenv, Docker Compose, Docker --env-file) reads alike: unquoted, which
// covers every real AWS key. Anything else goes in single quotes, which is only unambiguous
// without quotes, backslashes (escapes to python-dotenv, literal to the others) and "${"
// (python-dotenv expands it even inside single quotes and has no escape for it).
bool dotenvPlain(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return isIdentChar(c) || std::strchr("+/=.,:@%-", c) != nullptr;
  });
}

bool dotenvRepresentable(std::string_view s) {
  return dotenvPlain(s) || (s.find_first_of("'\\") == std::string_view::npos &&
                            s.find("${") == std::string_view::npos);
}

std::string dotenvValue(std::string_view s) {
  if (dotenvPlain(s)) return std::string(s);
  return "'" + std::string(s) + "'";
}

std::string base64(std::string_view s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bodies. Each returns text with "\n" line breaks; merges convert to the file's own style.

std::string credentialsHeader(const RenderInput& in) { return "[" + in.profile + "]"; }

std::string configHeader(const RenderInput& in) {
  return in.profile == "default" ? "[default]" : "[profile " + in.profile + "]";
}

// The key lines `aws configure` itself writes.
std::string credentialsBody(const RenderInput& in) {
  return "aws_access_key_id = " + in.key_id + "\n" +
         "aws_secret_access_key = " + std::string(in.secret.reveal()) + "\n";
}

std::string configBody(const RenderInput& in) {
  return "region = " + in.region + "\noutput = json\n";
}

std::string envBody(const RenderInput& in, bool with_region) {
  std::string out = std::string(kAccessKeyVar) + "=" + dotenvValue(in.key_id) + "\n" +
                    kSecretKeyVar + "=" + dotenvValue(in.secret.reveal()) + "\n";
  if (with_region) out += std::string(kRegionVar) + "=" + dotenvValue(in.region) + "\n";
  return out;
}

std::string shellBody(const RenderInput& in, bool with_region) {
  std::string out = std::string("export ") + kAccessKeyVar + "=" + shellQuote(in.key_id) + "\n" +
                    "export " + kSecretKeyVar + "=" + shellQuote(in.secret.reveal()) + "\n";
  if (with_region) out += std::string("export ") + kRegionVar + "=" + shellQuote(in.region) + "\n";
  return out;
}

Result<std::string> renderPython(const RenderInput& in) {
  HT_ASSIGN_OR_RETURN(std::string client,
                      clientName(in, kDefaultPythonClient, kPythonTaken, "Python"));
  return "import boto3\n"
         "\n"
         "# TODO: read these from the environment before this goes to prod\n" +
         client + " = boto3.client(\n" +
         "    \"s3\",\n"
         "    aws_access_key_id=" +
         cQuote(in.key_id) + ",\n" + "    aws_secret_access_key=" + cQuote(in.secret.reveal()) +
         ",\n" + "    region_name=" + cQuote(in.region) + ",\n" +
         ")\n"
         "\n"
         "\n"
         "if __name__ == \"__main__\":\n"
         "    for bucket in " +
         client + ".list_buckets()[\"Buckets\"]:\n" + "        print(bucket[\"Name\"])\n";
}

// CommonJS rather than ESM so the file runs as plain .js without a package.json "type" field.
Result<std::string> renderJavaScript(const RenderInput& in) {
  HT_ASSIGN_OR_RETURN(std::string client,
                      clientName(in, kDefaultJavaScriptClient, kJavaScriptTaken, "JavaScript"));
  return "const { S3Client, ListBucketsCommand } = require(\"@aws-sdk/client-s3\");\n"
         "\n"
         "// TODO: move to environment variables before deploying\n"
         "const " +
         client + " = new S3Client({\n" + "  region: " + cQuote(in.region) + ",\n" +
         "  credentials: {\n"
         "    accessKeyId: " +
         cQuote(in.key_id) + ",\n" + "    secretAccessKey: " + cQuote(in.secret.reveal()) + ",\n" +
         "  },\n"
         "});\n"
         "\n"
         "async function listBuckets() {\n"
         "  const { Buckets } = await " +
         client + ".send(new ListBucketsCommand({}));\n" +
         "  return Buckets.map((b) => b.Name);\n"
         "}\n"
         "\n"
         "module.exports = { " +
         client + ", listBuckets };\n";
}

// gofmt's layout (tabs, aligned const block) so the file does not stand out in a Go repository.
Result<std::string> renderGo(const RenderInput& in) {
  HT_ASSIGN_OR_RETURN(std::string client, clientName(in, kDefaultGoClient, kGoTaken, "Go"));
  return "package main\n"
         "\n"
         "import (\n"
         "\t\"context\"\n"
         "\t\"fmt\"\n"
         "\t\"log\"\n"
         "\n"
         "\t\"github.com/aws/aws-sdk-go-v2/config\"\n"
         "\t\"github.com/aws/aws-sdk-go-v2/credentials\"\n"
         "\t\"github.com/aws/aws-sdk-go-v2/service/s3\"\n"
         ")\n"
         "\n"
         "// TODO: load from the environment once the build host has an instance role\n"
         "const (\n"
         "\tawsAccessKeyID     = " +
         cQuote(in.key_id) + "\n" + "\tawsSecretAccessKey = " + cQuote(in.secret.reveal()) + "\n" +
         "\tawsRegion          = " + cQuote(in.region) + "\n" +
         ")\n"
         "\n"
         "func main() {\n"
         "\tcfg, err := config.LoadDefaultConfig(context.TODO(),\n"
         "\t\tconfig.WithRegion(awsRegion),\n"
         "\t\tconfig.WithCredentialsProvider(\n"
         "\t\t\tcredentials.NewStaticCredentialsProvider(awsAccessKeyID, awsSecretAccessKey, "
         "\"\"),\n"
         "\t\t),\n"
         "\t)\n"
         "\tif err != nil {\n"
         "\t\tlog.Fatalf(\"unable to load AWS config: %v\", err)\n"
         "\t}\n"
         "\t" +
         client + " := s3.NewFromConfig(cfg)\n" + "\tout, err := " + client +
         ".ListBuckets(context.TODO(), &s3.ListBucketsInput{})\n" +
         "\tif err != nil {\n"
         "\t\tlog.Fatalf(\"listing buckets: %v\", err)\n"
         "\t}\n"
         "\tfor _, b := range out.Buckets {\n"
         "\t\tfmt.Println(*b.Name)\n"
         "\t}\n"
         "}\n";
}

// `terraform fmt` layout: the equals signs aligned.
std::string renderTerraform(const RenderInput& in) {
  return "aws_access_key = " + hclQuote(in.key_id) + "\n" +
         "aws_secret_key = " + hclQuote(in.secret.reveal()) + "\n" +
         "aws_region     = " + hclQuote(in.region) + "\n";
}

// Lambda reserves AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and
// AWS_DEFAULT_REGION (the runtime fills them from the execution role), and
// update-function-configuration rejects them. So the token goes under a prefix, the way
// functions that reach a second account really name such keys; an attacker dumping the
// function's configuration still sees what they are.
Result<std::string> renderLambdaEnv(const RenderInput& in) {
  std::string prefix = in.name.empty() ? kDefaultLambdaPrefix : in.name;
  bool ok = prefix.size() <= 40 && !prefix.empty() && isAlpha(prefix.front()) &&
            std::all_of(prefix.begin(), prefix.end(), isIdentChar);
  if (!ok) {
    return Status::invalidArgument("lambda-env prefix '" + prefix +
                                   "' must be a letter followed by letters, digits or '_'");
  }
  return "{\n"
         "  \"Variables\": {\n"
         "    " +
         jsonQuote(prefix + "_AWS_ACCESS_KEY_ID") + ": " + jsonQuote(in.key_id) + ",\n" + "    " +
         jsonQuote(prefix + "_AWS_SECRET_ACCESS_KEY") + ": " + jsonQuote(in.secret.reveal()) +
         ",\n" + "    " + jsonQuote(prefix + "_AWS_REGION") + ": " + jsonQuote(in.region) + "\n" +
         "  }\n"
         "}\n";
}

Status validateHomeDir(const std::string& dir) {
  bool ok = !dir.empty() && dir.front() == '/' && dir.size() <= 4096 &&
            std::none_of(dir.begin(), dir.end(),
                         [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  if (!ok) return Status::invalidArgument("home directory must be an absolute path");
  return Status::ok();
}

// Appends rather than overwrites, leaves a profile that is already there alone (a second
// [profile] header would make every AWS tool on the host refuse the file), and hands the files to
// the home directory's owner because user data runs as root. TARGET_HOME overrides the directory
// so the script can be exercised without touching a real home.
std::string renderEc2UserData(const RenderInput& in) {
  return "#!/bin/bash\n"
         "# Instance bootstrap: AWS CLI profile for the backup job.\n"
         "set -euo pipefail\n"
         "umask 077\n"
         "\n"
         "target_home=" +
         shellQuote(in.home_dir) + "\n" +
         "target_home=\"${TARGET_HOME:-$target_home}\"\n"
         "mkdir -p \"$target_home/.aws\"\n"
         "chmod 700 \"$target_home/.aws\"\n"
         "\n"
         "# add_section FILE HEADER < BODY\n"
         "add_section() {\n"
         "  local file=\"$1\" header=\"$2\"\n"
         "  if [ -f \"$file\" ] && grep -qxF -- \"$header\" \"$file\"; then\n"
         "    echo \"$header already in $file, leaving it as is\" >&2\n"
         "    return 0\n"
         "  fi\n"
         "  if [ -s \"$file\" ]; then\n"
         "    # finish an unterminated last line, then leave a blank line\n"
         "    if [ -n \"$(tail -c 1 \"$file\")\" ]; then echo >> \"$file\"; fi\n"
         "    echo >> \"$file\"\n"
         "  fi\n"
         "  { printf '%s\\n' \"$header\"; cat; } >> \"$file\"\n"
         "  chmod 600 \"$file\"\n"
         "}\n"
         "\n"
         "add_section \"$target_home/.aws/credentials\" " +
         shellQuote(credentialsHeader(in)) + " <<'CREDENTIALS'\n" + credentialsBody(in) +
         "CREDENTIALS\n" +
         "\n"
         "add_section \"$target_home/.aws/config\" " +
         shellQuote(configHeader(in)) + " <<'CONFIG'\n" + configBody(in) + "CONFIG\n" +
         "\n"
         "if [ \"$(id -u)\" = 0 ]; then\n"
         "  chown -R \"$(stat -c %u:%g \"$target_home\")\" \"$target_home/.aws\"\n"
         "fi\n";
}

Result<std::string> renderK8sSecret(const RenderInput& in) {
  std::string name = in.name.empty() ? kDefaultK8sName : in.name;
  if (!isDns1123Subdomain(name)) {
    return Status::invalidArgument("Secret name '" + name +
                                   "' is not a DNS-1123 subdomain (lower-case letters, digits, "
                                   "'-' and '.', starting and ending with a letter or digit)");
  }
  return "apiVersion: v1\n"
         "kind: Secret\n"
         "metadata:\n"
         "  name: " +
         name + "\n" +
         "type: Opaque\n"
         "data:\n"
         "  AWS_ACCESS_KEY_ID: " +
         base64(in.key_id) + "\n" + "  AWS_SECRET_ACCESS_KEY: " + base64(in.secret.reveal()) +
         "\n" + "  AWS_DEFAULT_REGION: " + base64(in.region) + "\n";
}

// ---------------------------------------------------------------------------------------------
// Merging.

std::string withLineEnding(std::string text, const std::string& eol) {
  if (eol == "\n") return text;
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\n') {
      out += eol;
    } else {
      out += c;
    }
  }
  secureZero(text.data(), text.size());
  return out;
}

std::string detectLineEnding(std::string_view text) {
  size_t i = text.find_first_of("\r\n");
  if (i == std::string_view::npos || text[i] == '\n') return "\n";
  return (i + 1 < text.size() && text[i + 1] == '\n') ? "\r\n" : "\r";
}

// What goes between existing content and an appended block: a line break to finish an
// unterminated last line, then one blank line unless the file is empty or already ends in one.
std::string separator(std::string_view existing, const std::string& eol) {
  if (existing.empty()) return "";
  auto is_break = [](char c) { return c == '\n' || c == '\r'; };
  if (!is_break(existing.back())) return eol + eol;
  std::string_view body =
      existing.substr(0, existing.size() - (endsWith(existing, "\r\n") ? 2 : 1));
  size_t last_break = body.find_last_of("\r\n");
  std::string_view last_line =
      last_break == std::string_view::npos ? body : body.substr(last_break + 1);
  return trim(last_line).empty() ? "" : eol;
}

// shlex.split in POSIX mode, enough for section names: None on unbalanced quotes (botocore then
// skips the section).
std::optional<std::vector<std::string>> shlexSplit(std::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else if (c == '\'') {
      size_t end = s.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      cur += s.substr(i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < s.size() && s[j] != '"'; ++j) {
        if (s[j] == '\\' && j + 1 < s.size() && std::strchr("\\\"$`", s[j + 1]) != nullptr) ++j;
        cur += s[j];
      }
      if (j >= s.size()) return std::nullopt;
      i = j;
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 >= s.size()) return std::nullopt;
      cur += s[++i];
      in_word = true;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

// The profile a ~/.aws/config section defines, as botocore's build_profile_map decides it.
std::optional<std::string> configProfileOf(const std::string& section) {
  if (section == "default") return section;
  if (!startsWith(section, "profile")) return std::nullopt;
  auto words = shlexSplit(section);
  if (!words || words->size() != 2) return std::nullopt;
  return (*words)[1];
}

Result<std::string> mergeIni(RenderFormat format, std::string_view existing, const RenderInput& in,
                             const std::string& label) {
  Result<IniDocument> doc = parseIni(existing);
  if (!doc) {
    return Status::invalidArgument(label + " is not a valid INI file: " + doc.status().message());
  }
  for (const IniSection& s : doc->sections) {
    bool same = format == RenderFormat::kAwsCredentials ? trim(s.name) == in.profile
                                                        : configProfileOf(s.name) == in.profile;
    if (same) {
      return Status::alreadyExists("profile '" + in.profile + "' already exists in " + label +
                                   " (line " + std::to_string(s.line) + ")");
    }
  }
  std::string block = format == RenderFormat::kAwsCredentials
                          ? credentialsHeader(in) + "\n" + credentialsBody(in)
                          : configHeader(in) + "\n" + configBody(in);
  std::string out(existing);
  out += separator(existing, doc->line_ending);
  out += withLineEnding(std::move(block), doc->line_ending);
  return out;
}

// Whether a dotenv or sh file assigns `var`: "VAR=", "export VAR=", "VAR = " (dotenv), or an
// assignment after ';', '&&' and the like. Comment lines do not count.
bool assigns(std::string_view text, std::string_view var) {
  for (const std::string& raw : split(text, '\n')) {
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    for (size_t pos = line.find(var); pos != std::string::npos; pos = line.find(var, pos + 1)) {
      if (pos > 0 && std::strchr(" \t;&|({", line[pos - 1]) == nullptr) continue;
      size_t after = pos + var.size();
      while (after < line.size() && (line[after] == ' ' || line[after] == '\t')) ++after;
      if (after < line.size() && line[after] == '=') return true;
    }
  }
  return false;
}

Result<std::string> mergeVariables(RenderFormat format, std::string_view existing,
                                   const RenderInput& in, const std::string& label) {
  for (const char* var : {kAccessKeyVar, kSecretKeyVar}) {
    if (assigns(existing, var)) {
      return Status::alreadyExists(label + " already assigns " + var);
    }
  }
  bool with_region = !assigns(existing, kRegionVar);
  std::string eol = detectLineEnding(existing);
  std::string out(existing);
  out += separator(existing, eol);
  out += withLineEnding(
      format == RenderFormat::kEnv ? envBody(in, with_region) : shellBody(in, with_region), eol);
  return out;
}

Status validateFor(RenderFormat format, const RenderInput& in) {
  HT_RETURN_IF_ERROR(validateCommon(in));
  switch (format) {
    case RenderFormat::kAwsCredentials:
    case RenderFormat::kAwsConfig:
      return validateProfile(in.profile);
    case RenderFormat::kEc2UserData:
      HT_RETURN_IF_ERROR(validateProfile(in.profile));
      return validateHomeDir(in.home_dir);
    case RenderFormat::kEnv:
      if (!dotenvRepresentable(in.secret.reveal())) {
        return Status::invalidArgument(
            "secret access key contains ', \\ or ${, which dotenv loaders read differently");
      }
      return Status::ok();
    default:
      return Status::ok();
  }
}

std::string errnoText() { return std::strerror(errno); }

}  // namespace

bool parseRenderFormat(std::string_view name, RenderFormat* out) {
  for (const FormatName& f : kFormatNames) {
    if (name == f.name) {
      *out = f.format;
      return true;
    }
  }
  return false;
}

const char* renderFormatName(RenderFormat format) {
  for (const FormatName& f : kFormatNames) {
    if (f.format == format) return f.name;
  }
  return "unknown";
}

std::vector<std::string> renderFormatNames() {
  std::vector<std::string> out;
  for (const FormatName& f : kFormatNames) out.emplace_back(f.name);
  return out;
}

bool renderFormatMerges(RenderFormat format) {
  return format == RenderFormat::kAwsCredentials || format == RenderFormat::kAwsConfig ||
         format == RenderFormat::kEnv || format == RenderFormat::kShell;
}

Result<std::string> render(RenderFormat format, const RenderInput& in) {
  HT_RETURN_IF_ERROR(validateFor(format, in));
  switch (format) {
    case RenderFormat::kAwsCredentials:
      return credentialsHeader(in) + "\n" + credentialsBody(in);
    case RenderFormat::kAwsConfig:
      return configHeader(in) + "\n" + configBody(in);
    case RenderFormat::kEnv:
      return envBody(in, true);
    case RenderFormat::kShell:
      return "#!/bin/sh\n# AWS access for the deploy scripts; source this file.\n" +
             shellBody(in, true);
    case RenderFormat::kPython:
      return renderPython(in);
    case RenderFormat::kJavaScript:
      return renderJavaScript(in);
    case RenderFormat::kGo:
      return renderGo(in);
    case RenderFormat::kTerraform:
      return renderTerraform(in);
    case RenderFormat::kLambdaEnv:
      return renderLambdaEnv(in);
    case RenderFormat::kEc2UserData:
      return renderEc2UserData(in);
    case RenderFormat::kK8sSecret:
      return renderK8sSecret(in);
  }
  return Status::internal("unhandled render format");
}

Result<std::string> mergeInto(RenderFormat format, std::string_view existing, const RenderInput& in,
                              const std::string& file_label_for_errors) {
  if (!renderFormatMerges(format)) {
    return Status::unsupported(std::string("merge not supported for ") + renderFormatName(format) +
                               "; write to a new file");
  }
  HT_RETURN_IF_ERROR(validateFor(format, in));
  if (format == RenderFormat::kAwsCredentials || format == RenderFormat::kAwsConfig) {
    return mergeIni(format, existing, in, file_label_for_errors);
  }
  return mergeVariables(format, existing, in, file_label_for_errors);
}

Status renderIntoFile(RenderFormat format, const RenderInput& in, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec)) {
    return Status::notFound("directory " + parent.string() + " does not exist");
  }

  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists && errno != ENOENT)
    return Status::ioError("cannot stat " + path + ": " + errnoText());

  if (!renderFormatMerges(format) || !exists) {
    HT_ASSIGN_OR_RETURN(std::string content, render(format, in));
    Status written = writeFileExclusive(path, content, kPrivateMode);
    secureZero(content.data(), content.size());
    return written;
  }

  if (!S_ISREG(st.st_mode)) return Status::invalidArgument(path + " is not a regular file");
  // Replace the file a symlink points to, not the link: dotfile managers keep ~/.aws that way.
  std::string target = fs::canonical(path, ec).string();
  if (ec) return Status::ioError("cannot resolve " + path + ": " + ec.message());
  HT_ASSIGN_OR_RETURN(std::string existing, readFile(target));
  Result<std::string> merged = mergeInto(format, existing, in, path);
  secureZero(existing.data(), existing.size());  // may hold the owner's real keys
  if (!merged) return merged.status();
  std::string content = std::move(merged).value();
  Status written = writeFileAtomic(target, content, st.st_mode & 0700);
  secureZero(content.data(), content.size());
  HT_RETURN_IF_ERROR(written);

  // The replacement belongs to whoever ran this; give it back to the file's owner (root merging
  // into /home/alice/.aws/credentials must not lock alice out of her own profiles).
  struct stat now {};
  if (::stat(target.c_str(), &now) == 0 && (now.st_uid != st.st_uid || now.st_gid != st.st_gid) &&
      ::chown(target.c_str(), st.st_uid, st.st_gid) != 0) {
    return Status::permissionDenied("merged into " + path +
                                    " but could not restore its owner: " + errnoText());
  }
  return Status::ok();
}

}  // namespace ht::tokens
