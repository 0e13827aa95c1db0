// A CloudTrail record, reduced to what detection, enrichment and alerting need. Parsed from the
// record's JSON with type checks: a field of the wrong type is an error naming the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace ht::detect {

struct UserIdentity {
  std::string type;          // IAMUser, AssumedRole, Root, AWSService, FederatedUser, ...
  std::string principal_id;  // AIDA... for a user; AROA...:session for a role
  std::string arn;
  std::string account_id;
  std::string access_key_id;  // AKIA... or ASIA...
  std::string user_name;
  std::string invoked_by;  // AWS service acting for the caller
  std::string session_issuer_arn;
  std::string session_issuer_principal_id;
};

struct CloudTrailEvent {
  std::string event_id;
  std::string event_time;  // as recorded
  std::optional<TimePoint> time;
  std::string event_source;  // iam.amazonaws.com
  std::string event_name;    // ListUsers
  std::string aws_region;
  std::string source_ip;
  std::string user_agent;
  std::string error_code;
  std::string error_message;
  std::string recipient_account_id;
  std::string request_id;
  std::string event_type;      // AwsApiCall, AwsServiceEvent, AwsConsoleSignIn, ...
  std::string event_category;  // Management, Data, Insight
  std::optional<bool> read_only;
  UserIdentity identity;
  std::string request_parameters;  // raw JSON text ("" when absent or null)
  std::string response_elements;   // raw JSON text ("" when absent or null)
  // Copied out of requestParameters because detection needs them by value: the target of
  // AttachUserPolicy (quarantine) and of IAM calls naming the honey user. "" when absent.
  std::string request_user_name;   // requestParameters.userName
  std::string request_policy_arn;  // requestParameters.policyArn
};

// InvalidArgument naming the field for wrong types ("userIdentity.accessKeyId: expected a
// string, got a number"); Corruption for text that is not a JSON object.
Result<CloudTrailEvent> parseEvent(std::string_view record_json);

}  // namespace ht::detect
