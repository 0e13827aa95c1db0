// AwsClient: signs a request for a service, sends it, and retries what AWS says to retry
// (throttling, 5xx, transport errors) with capped exponential backoff and full jitter, honouring
// Retry-After, as the AWS SDKs do. Service clients (IAM, STS, S3) build requests on top of it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "net/http.h"
#include "aws/key_id.h"
#include "aws/sigv4.h"
#include "core/clock.h"

namespace ht::aws {


struct RetryPolicy {
  int max_attempts = 5;      // first try included
  int base_delay_ms = 100;   // delay before retry n is random in [0, min(max, base * 2^n)]
  int max_delay_ms = 20000;
};

struct ServiceRequest {
  std::string service;  // signing name
  std::string region;
  std::string method = "GET";
  std::string url;      // absolute, from the EndpointResolver
  std::vector<net::HttpHeader> headers;
  std::string body;
  bool s3 = false;      // S3 signing rules (x-amz-content-sha256, URI as given)
};

// What a failed call tells the caller: the HTTP status and AWS's error code and message, parsed
// from the error document when there is one (Status message carries them too).
struct AwsError {
  int http_status = 0;
  std::string code;     // EntityAlreadyExists, NoSuchEntity, AccessDenied, Throttling, ...
  std::string message;
  std::string request_id;
};

// Error code and message from an AWS XML error body (<ErrorResponse><Error>... or S3's <Error>).
AwsError parseErrorBody(int http_status, std::string_view body);
bool isRetryable(const AwsError& error);

class AwsClient {
 public:
  // The clock signs each attempt and waits out the backoff between attempts.
  AwsClient(net::HttpTransport& transport, CredentialsProvider& credentials, const Clock& clock,
            RandomSource& random, RetryPolicy policy = {});

  // Returns the 2xx response; any other final outcome is a non-OK Status whose message names the
  // service, the AWS error code and message. lastError() then holds the parsed error.
  Result<net::HttpResponse> call(const ServiceRequest& request);
  const AwsError& lastError() const { return last_error_; }
  int lastAttempts() const { return last_attempts_; }

 private:
  net::HttpTransport& transport_;
  CredentialsProvider& credentials_;
  const Clock& clock_;
  RandomSource& random_;
  RetryPolicy policy_;
  AwsError last_error_;
  int last_attempts_ = 0;
};

}  // namespace ht::aws
