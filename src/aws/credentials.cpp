// The credentials chain, the shared-file profiles and the endpoint resolver, following what the
// AWS CLI (botocore) does with the same environment and files, so that an operator's working
// `aws --profile honey` set-up works unchanged. Secrets read here go straight into SecretString
// and are never part of an error message: errors name profiles, keys and files only.
#include "aws/credentials.h"

#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "core/files.h"
#include "core/strings.h"

namespace ht::aws {

EnvLookup processEnvLookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

namespace {

// Assumed-role credentials are renewed this long before they expire, as the SDKs do, so that a
// request signed just before expiry does not arrive just after it.
constexpr std::chrono::seconds kRefreshBeforeExpiry(5 * 60);

std::string envValue(const EnvLookup& env, const std::string& name) {
  if (!env) return {};
  std::optional<std::string> v = env(name);
  return v ? *v : std::string();
}

// --- A minimal reader for the AWS shared files --------------------------------------------------
// Sections, "key = value" (or "key: value", as configparser allows), whole-line comments with #
// or ;. Keys are lower-cased (configparser does). Indented lines are continuation lines or the
// sub-keys of a nested block ("s3 =\n  addressing_style = path"); nothing read here uses them,
// so they are skipped. Inline comments are not stripped, exactly like botocore.

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;

IniFile parseAwsIni(std::string_view text) {
  IniFile file;
  IniSection* current = nullptr;
  for (std::string line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (line[0] == ' ' || line[0] == '\t') continue;
    if (t[0] == '[') {
      size_t close = t.rfind(']');
      current = close == std::string::npos ? nullptr : &file[trim(t.substr(1, close - 1))];
      continue;
    }
    if (current == nullptr) continue;  // keys before any section belong to nothing
    size_t delim = t.find_first_of("=:");
    if (delim == std::string::npos) continue;
    (*current)[toLower(trim(t.substr(0, delim)))] = trim(t.substr(delim + 1));
  }
  return file;
}

// The config file names profiles "[profile NAME]", except "[default]".
IniFile configProfiles(const IniFile& raw) {
  IniFile out;
  if (auto it = raw.find("default"); it != raw.end()) out["default"] = it->second;
  for (const auto& [name, keys] : raw) {
    if (!startsWith(name, "profile") || name.size() <= 7 ||
        !std::isspace(static_cast<unsigned char>(name[7]))) {
      continue;
    }
    std::string profile = trim(std::string_view(name).substr(8));
    if (profile.empty() || profile.find_first_of(" \t") != std::string::npos) continue;
    // "[profile default]" wins over "[default]" for the keys both set.
    for (const auto& [k, v] : keys) out[profile][k] = v;
  }
  return out;
}

struct SharedFiles {
  std::string credentials_path;
  std::string config_path;
  std::string credentials_shown;  // with $HOME written as ~, for messages
  std::string config_shown;
  IniFile credentials;  // by profile name
  IniFile config;       // by profile name ("profile " already stripped)

  std::string both() const { return credentials_shown + " or " + config_shown; }
  bool has(const std::string& profile) const {
    return credentials.count(profile) != 0 || config.count(profile) != 0;
  }
  // Both files' keys for a profile; the credentials file wins, as in botocore.
  IniSection merged(const std::string& profile) const {
    IniSection out;
    if (auto it = config.find(profile); it != config.end()) out = it->second;
    if (auto it = credentials.find(profile); it != credentials.end()) {
      for (const auto& [k, v] : it->second) out[k] = v;
    }
    return out;
  }
  // Which file(s) a profile came from, for describe() and messages.
  std::string whereIs(const std::string& profile) const {
    bool in_creds = credentials.count(profile) != 0, in_config = config.count(profile) != 0;
    if (in_creds && in_config) return credentials_shown + " and " + config_shown;
    return in_creds ? credentials_shown : config_shown;
  }
};

std::string expandHome(const std::string& path, const std::string& home) {
  if (!home.empty() && (path == "~" || startsWith(path, "~/"))) return home + path.substr(1);
  return path;
}

std::string showHome(const std::string& path, const std::string& home) {
  if (home.empty() || !startsWith(path, home + "/")) return path;
  std::string shown = "~";
  shown.append(path, home.size(), std::string::npos);
  return shown;
}

Result<IniFile> readIni(const std::string& path, const std::string& shown) {
  if (path.empty() || !fileExists(path)) return IniFile{};
  Result<std::string> text = readFile(path);
  if (!text) return text.status().withContext("reading AWS shared file " + shown);
  return parseAwsIni(*text);
}

Result<SharedFiles> loadSharedFiles(const ChainOptions& options, const EnvLookup& env) {
  std::string home = envValue(env, "HOME");
  auto pick = [&](const std::string& configured, const char* var, const char* fallback) {
    std::string p = configured;
    if (p.empty()) p = envValue(env, var);
    if (p.empty())
      p = home.empty() ? std::string(fallback) : home + std::string(fallback).substr(1);
    return expandHome(p, home);
  };
  SharedFiles files;
  files.credentials_path =
      pick(options.credentials_file, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
  files.config_path = pick(options.config_file, "AWS_CONFIG_FILE", "~/.aws/config");
  files.credentials_shown = showHome(files.credentials_path, home);
  files.config_shown = showHome(files.config_path, home);
  HT_ASSIGN_OR_RETURN(files.credentials, readIni(files.credentials_path, files.credentials_shown));
  HT_ASSIGN_OR_RETURN(IniFile raw_config, readIni(files.config_path, files.config_shown));
  files.config = configProfiles(raw_config);
  return files;
}

std::string get(const IniSection& s, const char* key) {
  auto it = s.find(key);
  return it == s.end() ? std::string() : it->second;
}

// The profile to use and whether someone chose it (a chosen profile that is missing is an error;
// a missing "default" just means there is none).
std::pair<std::string, bool> profileName(const ChainOptions& options, const EnvLookup& env) {
  if (!options.profile.empty()) return {options.profile, true};
  std::string from_env = envValue(env, "AWS_PROFILE");
  if (!from_env.empty()) return {from_env, true};
  return {"default", false};
}

// --- Providers ----------------------------------------------------------------------------------

class StaticProvider final : public CredentialsProvider {
 public:
  StaticProvider(Credentials credentials, std::string what)
      : credentials_(std::move(credentials)), what_(std::move(what)) {}
  Result<Credentials> get() override { return credentials_; }
  std::string describe() const override { return what_; }

 private:
  Credentials credentials_;
  std::string what_;
};

class AssumeRoleProvider final : public CredentialsProvider {
 public:
  AssumeRoleProvider(std::unique_ptr<CredentialsProvider> source, AssumeRoleRequest request,
                     AssumeRoleFn assume_role, const Clock& clock)
      : source_(std::move(source)),
        request_(std::move(request)),
        assume_role_(std::move(assume_role)),
        clock_(clock) {}

  Result<Credentials> get() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (cached_ &&
        (!cached_->expiration || clock_.now() + kRefreshBeforeExpiry < *cached_->expiration)) {
      return *cached_;
    }
    Result<Credentials> source = source_->get();
    if (!source) {
      return source.status().withContext("assuming role " + request_.role_arn +
                                         ": source credentials from " + source_->describe());
    }
    Result<Credentials> assumed = assume_role_(*source, request_);
    if (!assumed) {
      return assumed.status().withContext("assuming role " + request_.role_arn + " with " +
                                          source_->describe());
    }
    if (assumed->empty()) {
      return Status::corruption("assuming role " + request_.role_arn + ": STS returned no key");
    }
    cached_ = std::move(assumed).value();
    return *cached_;
  }

  std::string describe() const override {
    return "role " + request_.role_arn + " assumed with " + source_->describe();
  }

 private:
  std::unique_ptr<CredentialsProvider> source_;
  AssumeRoleRequest request_;
  AssumeRoleFn assume_role_;
  const Clock& clock_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

bool hasStaticKeys(const SharedFiles& files, const std::string& name) {
  for (const IniFile* file : {&files.credentials, &files.config}) {
    auto it = file->find(name);
    if (it != file->end() && !get(it->second, "aws_access_key_id").empty()) return true;
  }
  return false;
}

// A key pair comes whole from one file, the credentials file first: botocore's providers read
// the files separately, so an id in one file and a secret in the other is not a key to the CLI.
Result<std::unique_ptr<CredentialsProvider>> staticFromProfile(const SharedFiles& files,
                                                               const std::string& name) {
  const std::pair<const IniFile*, const std::string*> sources[] = {
      {&files.credentials, &files.credentials_shown}, {&files.config, &files.config_shown}};
  for (const auto& [file, shown] : sources) {
    auto it = file->find(name);
    if (it == file->end()) continue;
    const IniSection& keys = it->second;
    std::string id = get(keys, "aws_access_key_id");
    if (id.empty()) continue;
    std::string secret = get(keys, "aws_secret_access_key");
    if (secret.empty()) {
      return Status::invalidArgument("profile '" + name + "' in " + *shown +
                                     " has aws_access_key_id but no aws_secret_access_key");
    }
    Credentials c;
    c.access_key_id = id;
    c.secret_access_key = SecretString(secret);
    c.session_token = get(keys, "aws_session_token");
    return std::unique_ptr<CredentialsProvider>(
        std::make_unique<StaticProvider>(std::move(c), "profile " + name + " (" + *shown + ")"));
  }

  IniSection keys = files.merged(name);
  std::string where = "profile '" + name + "' in " + files.whereIs(name);
  if (!get(keys, "aws_secret_access_key").empty()) {
    return Status::invalidArgument(where + " has aws_secret_access_key but no aws_access_key_id");
  }
  const char* why = nullptr;
  if (!get(keys, "sso_session").empty() || !get(keys, "sso_start_url").empty()) {
    why = "uses IAM Identity Center (sso_*), which honeytrail does not support";
  } else if (!get(keys, "credential_process").empty()) {
    why = "uses credential_process, which honeytrail does not support";
  } else if (!get(keys, "web_identity_token_file").empty()) {
    why = "uses web_identity_token_file, which honeytrail does not support";
  }
  if (why != nullptr) {
    return Status::unsupported(where + " " + why +
                               "; give it aws_access_key_id/aws_secret_access_key or role_arn "
                               "with source_profile");
  }
  return Status::invalidArgument(
      where +
      " has no credentials (aws_access_key_id and aws_secret_access_key, or role_arn "
      "with source_profile)");
}

Result<std::unique_ptr<CredentialsProvider>> resolveProfile(const SharedFiles& files,
                                                            const std::string& name,
                                                            const AssumeRoleFn& assume_role,
                                                            const Clock& clock,
                                                            std::vector<std::string>* visiting) {
  // The profile asked for assumes its role even when it also has keys; a source profile with
  // keys just lends them (botocore does both).
  const bool as_source = !visiting->empty();
  for (const std::string& seen : *visiting) {
    if (seen != name) continue;
    std::string path;
    for (const std::string& p : *visiting) path += p + " -> ";
    return Status::invalidArgument("source_profile cycle: " + path + name + " (in " + files.both() +
                                   ")");
  }
  IniSection keys = files.merged(name);
  std::string role_arn = get(keys, "role_arn");
  if (role_arn.empty() || (as_source && hasStaticKeys(files, name))) {
    return staticFromProfile(files, name);
  }

  std::string where = "profile '" + name + "' in " + files.whereIs(name);
  std::string source_profile = get(keys, "source_profile");
  if (source_profile.empty()) {
    if (!get(keys, "credential_source").empty()) {
      return Status::unsupported(where +
                                 " uses credential_source, which honeytrail does not "
                                 "support; use source_profile");
    }
    return Status::invalidArgument(where + " has role_arn but no source_profile");
  }
  if (!assume_role) {
    return Status::failedPrecondition(where + " assumes a role, but no STS client is available");
  }
  AssumeRoleRequest request;
  request.role_arn = role_arn;
  if (std::string s = get(keys, "role_session_name"); !s.empty()) request.session_name = s;
  request.external_id = get(keys, "external_id");
  if (std::string d = get(keys, "duration_seconds"); !d.empty()) {
    char* end = nullptr;
    long v = std::strtol(d.c_str(), &end, 10);
    if (end == d.c_str() || *end != '\0' || v < 900 || v > 43200) {
      return Status::invalidArgument(where + ": duration_seconds must be 900 to 43200");
    }
    request.duration_seconds = static_cast<int>(v);
  }

  std::unique_ptr<CredentialsProvider> source;
  if (source_profile == name) {
    // The CLI allows a profile to be its own source: its static keys assume its role.
    HT_ASSIGN_OR_RETURN(source, staticFromProfile(files, name));
  } else {
    if (!files.has(source_profile)) {
      return Status::notFound(where + " names source_profile '" + source_profile +
                              "', which is not in " + files.both());
    }
    visiting->push_back(name);
    auto resolved = resolveProfile(files, source_profile, assume_role, clock, visiting);
    visiting->pop_back();
    if (!resolved) return resolved.status();
    source = std::move(resolved).value();
  }
  return std::unique_ptr<CredentialsProvider>(std::make_unique<AssumeRoleProvider>(
      std::move(source), std::move(request), assume_role, clock));
}

// --- Endpoints ----------------------------------------------------------------------------------

// "s3 control" -> "S3_CONTROL", as the SDKs spell service ids in environment variable names.
std::string envServiceId(std::string_view service_id) {
  std::string out;
  for (char c : trim(service_id)) {
    out += c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string stripTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool envIsTrue(const EnvLookup& env, const std::string& name) {
  return toLower(trim(envValue(env, name))) == "true";
}

std::string dnsSuffix(const std::string& region) {
  return startsWith(region, "cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

}  // namespace

std::unique_ptr<CredentialsProvider> makeStaticCredentials(Credentials credentials) {
  return std::make_unique<StaticProvider>(std::move(credentials), "static credentials");
}

Result<std::unique_ptr<CredentialsProvider>> makeDefaultChain(const ChainOptions& options,
                                                              const EnvLookup& env,
                                                              AssumeRoleFn assume_role,
                                                              const Clock& clock) {
  std::string profile = profileName(options, env).first;
  std::string env_id = envValue(env, "AWS_ACCESS_KEY_ID");
  std::string env_secret = envValue(env, "AWS_SECRET_ACCESS_KEY");
  bool env_has_keys = !env_id.empty() || !env_secret.empty();

  std::unique_ptr<CredentialsProvider> base;
  // A profile named in honeytrail's own config beats keys in the environment, as --profile does
  // for the AWS CLI: a developer's shell keys must not redirect honeytrail to another account.
  // AWS_PROFILE, being environment too, does not.
  if (env_has_keys && options.profile.empty()) {
    if (env_id.empty() || env_secret.empty()) {
      return Status::invalidArgument(
          env_id.empty() ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                         : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    }
    Credentials c;
    c.access_key_id = env_id;
    c.secret_access_key = SecretString(env_secret);
    c.session_token = envValue(env, "AWS_SESSION_TOKEN");
    base = std::make_unique<StaticProvider>(std::move(c), "environment");
  } else {
    HT_ASSIGN_OR_RETURN(SharedFiles files, loadSharedFiles(options, env));
    if (!files.has(profile)) {
      std::string msg = env_has_keys ? "no credentials: profile '" + profile + "' is not in " +
                                           files.both() +
                                           " (keys in the environment are not used when a "
                                           "profile is configured)"
                                     : "no credentials: not in the environment, and profile '" +
                                           profile + "' is not in " + files.both();
      return Status::notFound(msg);
    }
    std::vector<std::string> visiting;
    HT_ASSIGN_OR_RETURN(base, resolveProfile(files, profile, assume_role, clock, &visiting));
  }

  if (options.role_arn.empty()) return base;
  if (!assume_role) {
    return Status::failedPrecondition("aws.role_arn " + options.role_arn +
                                      " is set, but no STS client is available");
  }
  AssumeRoleRequest request;
  request.role_arn = options.role_arn;
  request.external_id = options.external_id;
  return std::unique_ptr<CredentialsProvider>(std::make_unique<AssumeRoleProvider>(
      std::move(base), std::move(request), std::move(assume_role), clock));
}

Result<ProfileSettings> loadProfileSettings(const ChainOptions& options, const EnvLookup& env) {
  auto [profile, chosen] = profileName(options, env);
  HT_ASSIGN_OR_RETURN(SharedFiles files, loadSharedFiles(options, env));
  ProfileSettings s;
  if (!files.has(profile)) {
    if (chosen) return Status::notFound("profile '" + profile + "' is not in " + files.both());
    return s;
  }
  IniSection keys = files.merged(profile);
  s.region = get(keys, "region");
  s.endpoint_url = get(keys, "endpoint_url");
  s.role_arn = get(keys, "role_arn");
  s.source_profile = get(keys, "source_profile");
  s.external_id = get(keys, "external_id");
  s.role_session_name = get(keys, "role_session_name");
  return s;
}

EndpointResolver::EndpointResolver(EnvLookup env, ProfileSettings profile,
                                   EndpointOverrides overrides, std::string region)
    : env_(std::move(env)), profile_(std::move(profile)), overrides_(std::move(overrides)) {
  for (const std::string& r : {envValue(env_, "AWS_REGION"), envValue(env_, "AWS_DEFAULT_REGION"),
                               profile_.region, region, std::string("us-east-1")}) {
    if (!trim(r).empty()) {
      region_ = trim(r);
      break;
    }
  }
}

bool EndpointResolver::isCustom(const std::string& service_id) const {
  std::string id = envServiceId(service_id);
  if (!envIsTrue(env_, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    if (!envValue(env_, "AWS_ENDPOINT_URL_" + id).empty()) return true;
    if (!envValue(env_, "AWS_ENDPOINT_URL").empty()) return true;
    if (!profile_.endpoint_url.empty()) return true;
  }
  for (const auto& [key, url] : overrides_.service) {
    if (envServiceId(key) == id && !url.empty()) return true;
  }
  return !overrides_.all.empty();
}

std::string EndpointResolver::endpoint(const std::string& service_id) const {
  std::string id = envServiceId(service_id);
  // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns off the SDK-wide settings (environment and
  // profile), as it does for the CLI; honeytrail's own config still applies.
  if (!envIsTrue(env_, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    if (std::string v = envValue(env_, "AWS_ENDPOINT_URL_" + id); !v.empty()) {
      return stripTrailingSlash(v);
    }
    if (std::string v = envValue(env_, "AWS_ENDPOINT_URL"); !v.empty())
      return stripTrailingSlash(v);
    if (!profile_.endpoint_url.empty()) return stripTrailingSlash(profile_.endpoint_url);
  }
  for (const auto& [key, url] : overrides_.service) {
    if (envServiceId(key) == id && !url.empty()) return stripTrailingSlash(url);
  }
  if (!overrides_.all.empty()) return stripTrailingSlash(overrides_.all);

  if (id == "IAM") {
    // IAM is global: one endpoint per partition, whatever region() says. Requests to it are
    // signed for the partition's home region (us-east-1 for aws), see signingRegion().
    if (startsWith(region_, "cn-")) return "https://iam.cn-north-1.amazonaws.com.cn";
    if (startsWith(region_, "us-gov-")) return "https://iam.us-gov.amazonaws.com";
    return "https://iam.amazonaws.com";
  }
  std::string host = toLower(id);
  for (char& c : host) {
    if (c == '_') c = '-';
  }
  return "https://" + host + "." + region_ + "." + dnsSuffix(region_);
}

std::string EndpointResolver::signingRegion(const std::string& service_id) const {
  if (envServiceId(service_id) == "IAM") {
    if (startsWith(region_, "cn-")) return "cn-north-1";
    if (startsWith(region_, "us-gov-")) return "us-gov-west-1";
    return "us-east-1";
  }
  return region_;
}

}  // namespace ht::aws
