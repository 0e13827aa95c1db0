// AwsClient::call: sign, send, and retry what AWS documents as transient. Every attempt is signed
// afresh, because a SigV4 signature carries the time (X-Amz-Date) and AWS rejects one more than
// five minutes old; a long backoff would otherwise turn throttling into SignatureDoesNotMatch.
#include "aws/aws_client.h"

#include <thread>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "core/strings.h"

namespace ht::aws {

namespace {

// Error codes the AWS SDKs retry (throttling and transient service faults). IAM's
// LimitExceeded is deliberately absent: it is a quota ("too many access keys"), and retrying
// does not make room.
constexpr std::string_view kRetryableCodes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "InternalError",
    "ServiceUnavailable",
    "RequestTimeout",
    "RequestTimeoutException",
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// "IAM: EntityAlreadyExists: User x already exists. (HTTP 409, request id 1234)"
std::string describe(const std::string& service, const AwsError& e) {
  std::string out =
      upper(service) + ": " + (e.code.empty() ? "HTTP" + std::to_string(e.http_status) : e.code);
  if (!e.message.empty()) out += ": " + e.message;
  out += " (HTTP " + std::to_string(e.http_status);
  if (!e.request_id.empty()) out += ", request id " + e.request_id;
  out += ")";
  return out;
}

// What the caller should do about a final, non-retryable error.
Status statusFor(const AwsError& e, std::string message) {
  const std::string& c = e.code;
  if (e.http_status == 403 || startsWith(c, "AccessDenied")) {
    return Status::permissionDenied(std::move(message));
  }
  if (c == "NoSuchEntity" || c == "NoSuchKey" || c == "NoSuchBucket" || e.http_status == 404) {
    return Status::notFound(std::move(message));
  }
  // 409s that are not "already exists": the thing is there but in the way.
  // IAM's LimitExceeded is a 409 too, but a quota: nothing exists that the caller asked for.
  if (c == "DeleteConflict" || c == "BucketNotEmpty" || c == "ConcurrentModification" ||
      c == "OperationAborted" || c == "LimitExceeded" || c == "EntityTemporarilyUnmodifiable") {
    return Status::failedPrecondition(std::move(message));
  }
  if (c == "EntityAlreadyExists" || c == "BucketAlreadyExists" || c == "BucketAlreadyOwnedByYou" ||
      e.http_status == 409) {
    return Status::alreadyExists(std::move(message));
  }
  if (e.http_status == 501) return Status::unsupported(std::move(message));
  if (e.http_status >= 500) return Status::ioError(std::move(message));
  return Status::invalidArgument(std::move(message));
}

// Replaces every occurrence of needle (a secret) in text.
void scrub(std::string* text, std::string_view needle) {
  if (needle.empty()) return;
  for (size_t pos = text->find(needle); pos != std::string::npos; pos = text->find(needle, pos)) {
    text->replace(pos, needle.size(), "[REDACTED]");
  }
}

// Retry-After in delta-seconds (the form AWS services send); nullopt for anything else.
std::optional<int64_t> retryAfterSeconds(const net::HttpResponse& response) {
  const std::string* v = response.header("Retry-After");
  if (v == nullptr) return std::nullopt;
  std::string t = trim(*v);
  if (t.empty() || t.size() > 9) return std::nullopt;
  int64_t s = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
    s = s * 10 + (c - '0');
  }
  return s;
}

}  // namespace

bool isRetryable(const AwsError& error) {
  switch (error.http_status) {
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      break;
  }
  return std::find(std::begin(kRetryableCodes), std::end(kRetryableCodes), error.code) !=
         std::end(kRetryableCodes);
}

AwsClient::AwsClient(net::HttpTransport& transport, CredentialsProvider& credentials, const Clock& clock,
                     RandomSource& random, RetryPolicy policy)
    : transport_(transport),
      credentials_(credentials),
      clock_(clock),
      random_(random),
      policy_(policy) {}

Result<net::HttpResponse> AwsClient::call(const ServiceRequest& request) {
  last_error_ = AwsError{};
  last_attempts_ = 0;
  const int max_attempts = std::max(1, policy_.max_attempts);
  const int64_t max_delay = std::max(0, policy_.max_delay_ms);
  std::string last_failure;
  Credentials creds;

  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    // Asked every attempt: the provider caches, and a retry may outlive short-lived credentials.
    auto got = credentials_.get();
    if (!got) {
      return got.status().withContext(upper(request.service) + ": credentials from " +
                                      credentials_.describe());
    }
    creds = std::move(got).value();
    last_attempts_ = attempt + 1;

    net::HttpRequest http;
    http.method = request.method;
    http.url = request.url;
    http.headers = request.headers;
    http.body = request.body;
    SigningParams params;
    params.region = request.region;
    params.service = request.service;
    params.time = clock_.now();
    params.s3_style_uri = request.s3;
    params.add_content_sha256_header = request.s3;
    Status signed_ok = signRequest(&http, creds, params);
    if (!signed_ok) return signed_ok.withContext(upper(request.service) + ": signing");

    auto sent = transport_.send(http);
    std::optional<int64_t> retry_after;
    if (!sent) {
      // Connection refused, reset, timeout, TLS: the request may not have arrived; retry.
      last_error_ = AwsError{0, "", sent.status().message(), ""};
      last_failure = upper(request.service) + ": " + sent.status().message();
      if (sent.status().code() != StatusCode::kIoError) {
        return sent.status().withContext(upper(request.service));
      }
    } else {
      net::HttpResponse& response = *sent;
      if (response.status >= 200 && response.status < 300) {
        last_error_ = AwsError{};
        return std::move(response);
      }
      AwsError err = parseErrorBody(response.status, response.body);
      if (err.request_id.empty()) {
        for (const char* name : {"x-amzn-RequestId", "x-amz-request-id"}) {
          if (const std::string* id = response.header(name)) {
            err.request_id = *id;
            break;
          }
        }
      }
      // AWS does not echo secrets, but a proxy or a fake might; a secret never reaches a Status.
      scrub(&err.message, creds.secret_access_key.reveal());
      scrub(&err.message, creds.session_token);
      for (const net::HttpHeader& h : http.headers) {
        if (toLower(h.name) == "authorization") scrub(&err.message, h.value);
      }
      last_error_ = err;
      last_failure = describe(request.service, err);
      if (!isRetryable(err)) return statusFor(err, last_failure);
      retry_after = retryAfterSeconds(response);
    }
    if (attempt + 1 >= max_attempts) break;

    // Full jitter: uniform in [0, min(max_delay, base * 2^attempt)], attempt counted from 0.
    int64_t cap = std::max(0, policy_.base_delay_ms);
    for (int i = 0; i < attempt && cap < max_delay; ++i) cap *= 2;
    cap = std::min(cap, max_delay);
    int64_t delay = random_.uniform(static_cast<uint32_t>(cap) + 1);
    if (retry_after) delay = std::max(delay, std::min(*retry_after * 1000, max_delay));
    clock_.sleepFor(std::chrono::milliseconds(delay));
  }
  scrub(&last_failure, creds.secret_access_key.reveal());
  scrub(&last_failure, creds.session_token);
  return Status::ioError(last_failure + "; gave up after " + std::to_string(last_attempts_) +
                         (last_attempts_ == 1 ? " attempt" : " attempts"));
}

}  // namespace ht::aws
