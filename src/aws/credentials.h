// Where AWS credentials, region and endpoints come from, following the AWS CLI/SDK conventions:
// environment variables, then the shared credentials and config files (profiles), optionally
// assuming a role (sts:AssumeRole) into the honey account; endpoints from AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_<SERVICE>, the profile's endpoint_url, or honeytrail's own config.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "aws/sigv4.h"
#include "core/clock.h"
#include "core/status.h"

namespace ht::aws {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup processEnvLookup();

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Cached until shortly before expiry.
  virtual Result<Credentials> get() = 0;
  virtual std::string describe() const = 0;  // "environment", "profile honey (~/.aws/credentials)"
};

// Fixed credentials (tests, or a key handed over in code).
std::unique_ptr<CredentialsProvider> makeStaticCredentials(Credentials credentials);

struct AssumeRoleRequest {
  std::string role_arn;
  std::string session_name = "honeytrail";
  std::string external_id;
  int duration_seconds = 3600;
};
// Implemented by the STS client; kept as a function so that credentials do not depend on it.
using AssumeRoleFn = std::function<Result<Credentials>(const Credentials& source, const AssumeRoleRequest&)>;

struct ProfileSettings {
  std::string region;
  std::string endpoint_url;
  std::string role_arn;
  std::string source_profile;
  std::string external_id;
  std::string role_session_name;
};

struct ChainOptions {
  std::string profile;           // "" = $AWS_PROFILE or "default"
  std::string role_arn;          // honeytrail config: assume this role after the chain
  std::string external_id;
  std::string credentials_file;  // "" = $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
  std::string config_file;       // "" = $AWS_CONFIG_FILE or ~/.aws/config
};

// Environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN), then the profile in the
// shared files (role_arn + source_profile there assumes a role, as the CLI does), then
// options.role_arn on top. Errors name the profile and file.
Result<std::unique_ptr<CredentialsProvider>> makeDefaultChain(const ChainOptions& options,
                                                              const EnvLookup& env,
                                                              AssumeRoleFn assume_role,
                                                              const Clock& clock);

Result<ProfileSettings> loadProfileSettings(const ChainOptions& options, const EnvLookup& env);

// Resolves a service's endpoint URL and region. service_id is the SDK's env-var form
// ("IAM", "STS", "S3"): AWS_ENDPOINT_URL_IAM, then AWS_ENDPOINT_URL, then the profile's
// endpoint_url, then the configured override, then the AWS default for the region.
struct EndpointOverrides {
  std::string all;                              // honeytrail config aws.endpoint_url
  std::map<std::string, std::string> service;   // per service id
};
class EndpointResolver {
 public:
  EndpointResolver(EnvLookup env, ProfileSettings profile, EndpointOverrides overrides,
                   std::string region);
  // e.g. "https://iam.amazonaws.com", "https://s3.eu-west-1.amazonaws.com"; no trailing slash.
  std::string endpoint(const std::string& service_id) const;
  bool isCustom(const std::string& service_id) const;  // S3 then uses path-style addressing
  // The region to sign for: region() for regional services; for IAM on its default (global)
  // endpoint, the partition's home region (us-east-1 in the aws partition).
  std::string signingRegion(const std::string& service_id) const;
  // AWS_REGION, AWS_DEFAULT_REGION, profile region, configured, "us-east-1".
  const std::string& region() const { return region_; }

 private:
  EnvLookup env_;
  ProfileSettings profile_;
  EndpointOverrides overrides_;
  std::string region_;
};

}  // namespace ht::aws
