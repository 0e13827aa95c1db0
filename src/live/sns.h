// Amazon SNS HTTP(S) deliveries: parsing, signature verification and the signing-certificate
// cache. A message is trusted only when its signature verifies against a certificate fetched
// from https://sns.<region>.amazonaws.com/...pem (or a configured SNS endpoint for emulators),
// and its topic is one the operator allowed.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace ht::live {

struct SnsMessage {
  std::string type;  // Notification | SubscriptionConfirmation | UnsubscribeConfirmation
  std::string message_id;
  std::string token;  // SubscriptionConfirmation / UnsubscribeConfirmation
  std::string topic_arn;
  std::string subject;  // Notification only, may be absent
  bool has_subject = false;
  std::string message;
  std::string timestamp;
  std::string signature_version;  // "1" (SHA1withRSA) or "2" (SHA256withRSA)
  std::string signature;          // base64
  std::string signing_cert_url;
  std::string subscribe_url;
  std::string unsubscribe_url;
};

// Parses the JSON body SNS posts. Accepts both the HTTP spelling (SigningCertURL, UnsubscribeURL)
// and the Lambda-event spelling (SigningCertUrl, UnsubscribeUrl). InvalidArgument naming the
// field for a missing required field or a non-string value; Corruption for non-JSON.
Result<SnsMessage> parseSnsMessage(std::string_view body);

// The exact string SNS signs: "Key\nValue\n" pairs in the documented order for the type
// (Notification: Message, MessageId, Subject if present, Timestamp, TopicArn, Type;
// confirmations: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type).
std::string snsStringToSign(const SnsMessage& m);

// Checks a SigningCertURL (or SubscribeURL) before anything is fetched: https, host
// sns.<region>.amazonaws.com (or .amazonaws.com.cn), path ending in .pem for certificates, no
// userinfo, no port other than 443. allowed_hosts_extra lets a configured emulator host through
// (exact host[:port] match, http allowed only for those). "" = acceptable, else the reason.
std::string checkSnsUrl(std::string_view url, bool is_certificate,
                        const std::vector<std::string>& allowed_hosts_extra = {});

// Fetches a URL's body (a certificate); injected so that tests and air-gapped sites need no
// network. Returns the body or an error.
using SnsFetcher = std::function<Result<std::string>(const std::string& url)>;

struct SnsVerifierOptions {
  std::vector<std::string> topic_arns;           // accepted topics; empty = none accepted
  std::string cert_dir;                          // cache directory (created 0700 when missing)
  bool fetch_certs = true;                       // false = only certificates already in cert_dir
  std::vector<std::string> allowed_hosts_extra;  // see checkSnsUrl
  // Certificates are checked for their validity period against this clock (tests inject the
  // time the fixtures were signed) and for a subject/SAN of sns.amazonaws.com or the URL's host.
  const Clock* clock = nullptr;  // nullptr = system clock
};

enum class SnsVerdict {
  kAccepted,
  kBadRequest,      // not an SNS message at all (400)
  kForbiddenTopic,  // well-formed but for a topic not configured (403)
  kBadSignature,    // bad cert URL, unfetchable/invalid cert, or signature mismatch (403)
};

struct SnsVerification {
  SnsVerdict verdict = SnsVerdict::kBadRequest;
  std::string reason;  // for logs and counters; never contains the message body
  SnsMessage message;
};

class SnsVerifier {
 public:
  SnsVerifier(SnsVerifierOptions options, SnsFetcher fetcher);
  // Parses and verifies one delivery body. Thread-safe.
  SnsVerification verify(std::string_view body);
  // Certificates fetched over the network so far (the rest came from the cache).
  uint64_t fetches() const;

 private:
  Result<std::string> certificatePem(const std::string& url);
  SnsVerifierOptions options_;
  SnsFetcher fetcher_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> memory_cache_;  // url -> PEM
  uint64_t fetches_ = 0;
};

// The host[:port] of a configured SNS endpoint ("http://localhost:4566/" -> "localhost:4566"; a
// value without a scheme is taken as host[:port][/path]): the form allowed_hosts_extra takes, so
// that an emulator's endpoint (aws.endpoint_url, AWS_ENDPOINT_URL_SNS) is trusted for its
// certificates.
std::string snsEndpointHost(std::string_view endpoint);

// The cache file name for a certificate URL: its host and file name, made filesystem-safe
// ("sns.us-east-1.amazonaws.com_SimpleNotificationService-abc.pem").
std::string snsCertCacheName(std::string_view url);

}  // namespace ht::live
