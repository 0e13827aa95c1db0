// What kind of client made a call, and what the caller was after, from the user agent and the
// call itself. Used to tell a scanner verifying a leaked key from a person exploring by hand.
#pragma once

#include <string>

#include "detect/event.h"

namespace ht::detect {

struct Classification {
  // aws-cli, boto3, botocore, sdk-js, sdk-go, sdk-java, sdk-dotnet, sdk-ruby, sdk-php, sdk-rust,
  // console, aws-internal, terraform, trufflehog, pacu, scoutsuite, prowler, cloudfox, ...,
  // curl, browser, unknown
  std::string client;
  std::string client_version;   // when the user agent says
  bool offensive_tool = false;  // a known attack or secret-scanning tool
  // identity-check, enumeration, data-access, write, privilege-change, other
  std::string intent;
};

Classification classify(const CloudTrailEvent& event);

}  // namespace ht::detect
