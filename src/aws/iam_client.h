// The IAM Query API (Version 2010-05-08, form-encoded POST to the global endpoint, signed for
// us-east-1) and STS, with every XML response parsed into typed results by pure functions that
// tests call directly on recorded AWS responses.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "core/clock.h"
#include "core/status.h"

namespace ht::aws {

struct IamUser {
  std::string user_name;
  std::string user_id;  // AIDA...
  std::string arn;
  std::string path;
  std::optional<TimePoint> create_date;
  std::vector<std::pair<std::string, std::string>> tags;
};

struct AccessKey {
  std::string user_name;
  std::string access_key_id;
  std::string status;  // Active | Inactive
  SecretString secret_access_key;  // only from CreateAccessKey
  std::optional<TimePoint> create_date;
};

struct AccessKeyLastUsed {
  std::string user_name;
  std::optional<TimePoint> last_used_date;  // absent: never used
  std::string service_name;                 // "N/A" when never used
  std::string region;                       // "N/A" when never used
};

struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
};

// Pure parsers of response documents (no I/O). Errors are Corruption naming the element.
Result<IamUser> parseGetUserResponse(std::string_view xml);     // also CreateUser
Result<IamUser> parseCreateUserResponse(std::string_view xml);
Result<AccessKey> parseCreateAccessKeyResponse(std::string_view xml);
Result<std::vector<AccessKey>> parseListAccessKeysResponse(std::string_view xml);
Result<AccessKeyLastUsed> parseGetAccessKeyLastUsedResponse(std::string_view xml);
Result<std::vector<std::string>> parseListUserPoliciesResponse(std::string_view xml);
Result<std::string> parseGetUserPolicyResponse(std::string_view xml);  // URL-decoded document
Result<std::vector<std::string>> parseListAttachedUserPoliciesResponse(std::string_view xml);  // ARNs
Result<Credentials> parseAssumeRoleResponse(std::string_view xml);
Result<CallerIdentity> parseGetCallerIdentityResponse(std::string_view xml);
// Actions without a result (DeleteUser, PutUserPolicy, UpdateAccessKey, ...) must still answer
// with their own <ActionResponse> document, so that a 200 from something else (a proxy's HTML
// page, a wrong endpoint) is never taken for success.
Status checkActionResponse(std::string_view xml, std::string_view action);

class IamClient {
 public:
  // endpoint: e.g. "https://iam.amazonaws.com" (EndpointResolver::endpoint("IAM")).
  IamClient(AwsClient& client, std::string endpoint);

  Result<IamUser> createUser(const std::string& name, const std::string& path,
                             const std::vector<std::pair<std::string, std::string>>& tags);
  Result<IamUser> getUser(const std::string& name);
  Status deleteUser(const std::string& name);
  Status putUserPolicy(const std::string& user, const std::string& policy_name,
                       const std::string& policy_json);
  Status deleteUserPolicy(const std::string& user, const std::string& policy_name);
  Result<std::vector<std::string>> listUserPolicies(const std::string& user);
  Result<std::string> getUserPolicy(const std::string& user, const std::string& policy_name);
  Result<std::vector<std::string>> listAttachedUserPolicies(const std::string& user);
  Status detachUserPolicy(const std::string& user, const std::string& policy_arn);
  Result<AccessKey> createAccessKey(const std::string& user);
  Result<std::vector<AccessKey>> listAccessKeys(const std::string& user);
  Status updateAccessKey(const std::string& user, const std::string& key_id, const std::string& status);
  Status deleteAccessKey(const std::string& user, const std::string& key_id);
  Result<AccessKeyLastUsed> getAccessKeyLastUsed(const std::string& key_id);

  // The AWS error of the last failed call (code EntityAlreadyExists, NoSuchEntity, ...).
  const AwsError& lastError() const { return client_.lastError(); }

 private:
  Result<net::HttpResponse> call(const std::string& action,
                            std::vector<std::pair<std::string, std::string>> params);
  AwsClient& client_;
  std::string endpoint_;
};

class StsClient {
 public:
  StsClient(AwsClient& client, std::string endpoint, std::string region);
  Result<CallerIdentity> getCallerIdentity();
  Result<Credentials> assumeRole(const AssumeRoleRequest& request);

 private:
  AwsClient& client_;
  std::string endpoint_;
  std::string region_;
};

// The form body of a Query API call: Action, Version, then params, each percent-encoded.
std::string queryBody(const std::string& action, const std::string& version,
                      const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace ht::aws
