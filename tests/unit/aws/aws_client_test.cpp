// AwsClient against the scripted server over real HTTP: retries, backoff, Retry-After, error
// mapping, re-signing. No real sleeps: the client waits on a recording clock that moves on instead.
#include "aws/aws_client.h"

#include <gtest/gtest.h>

#include <set>

#include "core/strings.h"
#include "support/http_server.h"

namespace ht::aws {
namespace {

using test::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

constexpr char kKeyId[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kToken[] = "FwoGZXIvYXdzEXAMPLESESSIONTOKENvalue0123456789";

// Records each wait and moves the date on by it (rounded up to a second, plus one), so that
// the next attempt is signed at a visibly later time.
class RecordingClock final : public Clock {
 public:
  explicit RecordingClock(TimePoint start) : date_(start) {}
  TimePoint now() const override { return date_.now(); }
  SteadyTime steadyNow() const override { return SteadyTime() + steady_; }
  bool waitFor(std::chrono::nanoseconds d, std::stop_token stop) const override {
    if (stop.stop_requested()) return false;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d);
    delays.push_back(ms);
    steady_ += d;
    date_.advance(std::chrono::seconds((ms.count() + 999) / 1000 + 1));
    return true;
  }
  // Written by the client's thread only (the test's own).
  mutable std::vector<std::chrono::milliseconds> delays;

 private:
  mutable FixedClock date_;
  mutable std::chrono::nanoseconds steady_{0};
};

class FailingCredentials final : public CredentialsProvider {
 public:
  Result<Credentials> get() override { return Status::notFound("no credentials: test"); }
  std::string describe() const override { return "failing test provider"; }
};

Response xmlError(int status, const std::string& code, const std::string& message,
                  const std::string& request_id = "req-123") {
  return Response{status,
                  {{"Content-Type", "text/xml"}},
                  "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
                  "<Type>Sender</Type><Code>" +
                      code + "</Code><Message>" + message + "</Message></Error><RequestId>" +
                      request_id + "</RequestId></ErrorResponse>"};
}

class AwsClientTest : public ::testing::Test {
 protected:
  AwsClientTest()
      : transport_(net::makeCurlTransport(options())),
        credentials_(makeStaticCredentials(testCredentials())),
        clock_(fromUnixSeconds(1767225600)),  // 2026-01-01T00:00:00Z
        random_(42) {}

  static net::HttpOptions options() {
    net::HttpOptions o;
    o.connect_timeout_ms = 2000;
    o.request_timeout_ms = 5000;
    return o;
  }
  static Credentials testCredentials() {
    Credentials c;
    c.access_key_id = kKeyId;
    c.secret_access_key = SecretString(kSecret);
    c.session_token = kToken;
    return c;
  }

  AwsClient client(RetryPolicy policy = {}) {
    return AwsClient(*transport_, *credentials_, clock_, random_, policy);
  }

  ServiceRequest iamRequest() {
    ServiceRequest r;
    r.service = "iam";
    r.region = "us-east-1";
    r.method = "POST";
    r.url = server_.url() + "/";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    r.body = "Action=GetUser&Version=2010-05-08";
    return r;
  }

  ScriptedHttpServer server_;
  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<CredentialsProvider> credentials_;
  RecordingClock clock_;
  SeededRandomSource random_;
};

void expectNoSecret(const std::string& text) {
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
  EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  EXPECT_EQ(text.find("Signature="), std::string::npos) << text;
}

TEST(IsRetryableTest, StatusesAndCodes) {
  for (int s : {429, 500, 502, 503, 504}) EXPECT_TRUE(isRetryable({s, "", "", ""})) << s;
  for (int s : {400, 401, 403, 404, 409, 501}) EXPECT_FALSE(isRetryable({s, "", "", ""})) << s;
  for (const char* code :
       {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
        "InternalError", "ServiceUnavailable", "RequestTimeout", "RequestTimeoutException"}) {
    EXPECT_TRUE(isRetryable({400, code, "", ""})) << code;
  }
  // IAM's LimitExceeded is a quota, not a rate: retrying cannot help.
  for (const char* code :
       {"LimitExceeded", "LimitExceededException", "AccessDenied", "NoSuchEntity",
        "EntityAlreadyExists", "ValidationError", "throttling"}) {
    EXPECT_FALSE(isRetryable({400, code, "", ""})) << code;
  }
}

TEST_F(AwsClientTest, SuccessIsSignedAndReturnedAtOnce) {
  server_.enqueue({200, {{"Content-Type", "text/xml"}}, "<GetUserResponse/>"});
  AwsClient c = client();
  auto res = c.call(iamRequest());
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "<GetUserResponse/>");
  EXPECT_EQ(c.lastAttempts(), 1);
  EXPECT_TRUE(clock_.delays.empty());

  auto seen = server_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, "Action=GetUser&Version=2010-05-08");
  ASSERT_NE(seen[0].header("Authorization"), nullptr);
  const std::string& auth = *seen[0].header("Authorization");
  EXPECT_NE(auth.find("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/"
                      "aws4_request"),
            std::string::npos)
      << auth;
  ASSERT_NE(seen[0].header("X-Amz-Date"), nullptr);
  EXPECT_EQ(*seen[0].header("X-Amz-Date"), "20260101T000000Z");
  ASSERT_NE(seen[0].header("X-Amz-Security-Token"), nullptr);
  EXPECT_EQ(*seen[0].header("X-Amz-Security-Token"), kToken);
  EXPECT_EQ(seen[0].header("x-amz-content-sha256"), nullptr);  // not an S3 request
}

TEST_F(AwsClientTest, S3RequestsCarryThePayloadHash) {
  server_.enqueue({200, {}, ""});
  ServiceRequest r;
  r.service = "s3";
  r.region = "eu-west-1";
  r.method = "PUT";
  r.url = server_.url() + "/bucket/key";
  r.body = "hello";
  r.s3 = true;
  AwsClient c = client();
  auto res = c.call(r);
  ASSERT_TRUE(res) << res.status().toString();
  auto seen = server_.requests();
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_NE(seen[0].header("x-amz-content-sha256"), nullptr);
  EXPECT_EQ(*seen[0].header("x-amz-content-sha256"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");  // sha256("hello")
  EXPECT_NE(seen[0].header("Authorization")->find("/eu-west-1/s3/aws4_request"), std::string::npos);
}

TEST_F(AwsClientTest, RetriesA503ThenSucceeds) {
  server_.enqueue({503, {}, "<Error><Code>ServiceUnavailable</Code></Error>"});
  server_.enqueue({200, {}, "<ok/>"});
  AwsClient c = client();
  auto res = c.call(iamRequest());
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->body, "<ok/>");
  EXPECT_EQ(c.lastAttempts(), 2);
  ASSERT_EQ(clock_.delays.size(), 1u);
  EXPECT_LE(clock_.delays[0].count(), 100);  // first retry: [0, base]
  EXPECT_EQ(server_.requestCount(), 2u);
}

TEST_F(AwsClientTest, RetriesThrottlingIn400ThenSucceeds) {
  server_.enqueue(xmlError(400, "Throttling", "Rate exceeded"));
  server_.enqueue(xmlError(400, "Throttling", "Rate exceeded"));
  server_.enqueue({200, {}, "<ok/>"});
  AwsClient c = client();
  auto res = c.call(iamRequest());
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(c.lastAttempts(), 3);
  EXPECT_EQ(clock_.delays.size(), 2u);
}

TEST_F(AwsClientTest, TransportErrorsAreRetried) {
  Response drop;
  drop.drop = true;
  server_.enqueue(drop);
  server_.enqueue({200, {}, "<ok/>"});
  AwsClient c = client();
  auto res = c.call(iamRequest());
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(c.lastAttempts(), 2);
}

TEST_F(AwsClientTest, RetryAfterIsTheMinimumWait) {
  server_.enqueue({503, {{"Retry-After", "3"}}, ""});
  server_.enqueue({429, {{"Retry-After", "3600"}}, ""});  // capped at max_delay
  server_.enqueue({200, {}, "<ok/>"});
  AwsClient c = client();
  auto res = c.call(iamRequest());
  ASSERT_TRUE(res) << res.status().toString();
  ASSERT_EQ(clock_.delays.size(), 2u);
  EXPECT_EQ(clock_.delays[0].count(), 3000);
  EXPECT_EQ(clock_.delays[1].count(), 20000);
}

TEST_F(AwsClientTest, BackoffIsFullJitterUnderACappedExponential) {
  server_.setHandler([](const ScriptedHttpServer::Request&) { return Response{500, {}, ""}; });
  RetryPolicy policy;
  policy.max_attempts = 12;
  policy.base_delay_ms = 100;
  policy.max_delay_ms = 2000;
  AwsClient c = client(policy);
  auto res = c.call(iamRequest());
  ASSERT_FALSE(res);
  ASSERT_EQ(clock_.delays.size(), 11u);
  std::set<int64_t> distinct;
  for (size_t i = 0; i < clock_.delays.size(); ++i) {
    int64_t cap = std::min<int64_t>(2000, int64_t{100} << i);
    EXPECT_GE(clock_.delays[i].count(), 0);
    EXPECT_LE(clock_.delays[i].count(), cap) << "retry " << i;
    distinct.insert(clock_.delays[i].count());
  }
  EXPECT_GT(distinct.size(), 3u);  // jittered, not a fixed schedule
}

TEST_F(AwsClientTest, AccessDeniedReturnsAtOnce) {
  server_.enqueue(xmlError(403, "AccessDenied",
                           "User: arn:aws:iam::123456789012:user/x is not authorized to perform: "
                           "iam:GetUser",
                           "rid-9"));
  AwsClient c = client();
  auto res = c.call(iamRequest());
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(res.status().message(),
            "IAM: AccessDenied: User: arn:aws:iam::123456789012:user/x is not authorized to "
            "perform: iam:GetUser (HTTP 403, request id rid-9)");
  EXPECT_EQ(c.lastAttempts(), 1);
  EXPECT_TRUE(clock_.delays.empty());
  EXPECT_EQ(c.lastError().http_status, 403);
  EXPECT_EQ(c.lastError().code, "AccessDenied");
  EXPECT_EQ(c.lastError().request_id, "rid-9");
}

TEST_F(AwsClientTest, ErrorCodesMapToStatusCodes) {
  struct Case {
    int status;
    const char* code;
    StatusCode want;
  };
  for (const Case& k : {Case{404, "NoSuchEntity", StatusCode::kNotFound},
                        Case{404, "NoSuchKey", StatusCode::kNotFound},
                        Case{404, "NoSuchBucket", StatusCode::kNotFound},
                        Case{409, "EntityAlreadyExists", StatusCode::kAlreadyExists},
                        Case{409, "BucketAlreadyOwnedByYou", StatusCode::kAlreadyExists},
                        Case{409, "LimitExceeded", StatusCode::kFailedPrecondition},
                        Case{409, "DeleteConflict", StatusCode::kFailedPrecondition},
                        Case{400, "ValidationError", StatusCode::kInvalidArgument},
                        Case{400, "MalformedPolicyDocument", StatusCode::kInvalidArgument},
                        Case{403, "SignatureDoesNotMatch", StatusCode::kPermissionDenied},
                        Case{400, "AccessDeniedException", StatusCode::kPermissionDenied},
                        Case{501, "NotImplemented", StatusCode::kUnsupported}}) {
    server_.enqueue(xmlError(k.status, k.code, "msg"));
    AwsClient c = client();
    auto res = c.call(iamRequest());
    ASSERT_FALSE(res) << k.code;
    EXPECT_EQ(res.status().code(), k.want) << k.code << ": " << res.status().toString();
    EXPECT_EQ(c.lastError().code, k.code);
    EXPECT_EQ(c.lastAttempts(), 1) << k.code;
  }
}

TEST_F(AwsClientTest, RequestIdFromHeadersWhenTheBodyHasNone) {
  server_.enqueue({404, {{"x-amz-request-id", "HDR-ID"}}, ""});  // S3 HEAD: no body
  ServiceRequest r;
  r.service = "s3";
  r.region = "us-east-1";
  r.method = "HEAD";
  r.url = server_.url() + "/bucket/missing";
  r.s3 = true;
  AwsClient c = client();
  auto res = c.call(r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), StatusCode::kNotFound);
  EXPECT_NE(res.status().message().find("S3: "), std::string::npos) << res.status().message();
  EXPECT_NE(res.status().message().find("HTTP 404, request id HDR-ID"), std::string::npos)
      << res.status().message();
  EXPECT_EQ(c.lastError().request_id, "HDR-ID");
}

TEST_F(AwsClientTest, RetriesExhaustedIsIoErrorSayingHowManyAttempts) {
  server_.setHandler([](const ScriptedHttpServer::Request&) {
    return xmlError(400, "Throttling", "Rate exceeded", "rid-last");
  });
  AwsClient c = client();
  auto res = c.call(iamRequest());
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), StatusCode::kIoError);
  EXPECT_EQ(res.status().message(),
            "IAM: Throttling: Rate exceeded (HTTP 400, request id rid-last); gave up after 5 "
            "attempts");
  EXPECT_EQ(c.lastAttempts(), 5);
  EXPECT_EQ(clock_.delays.size(), 4u);  // no wait after the last attempt
  EXPECT_EQ(server_.requestCount(), 5u);
  EXPECT_EQ(c.lastError().code, "Throttling");
}

TEST_F(AwsClientTest, TransportFailuresExhaustedNameTheHost) {
  int port;
  {
    ScriptedHttpServer gone;
    port = gone.port();
  }
  ServiceRequest r = iamRequest();
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/?X-Amz-Signature=abc";
  RetryPolicy policy;
  policy.max_attempts = 3;
  AwsClient c = client(policy);
  auto res = c.call(r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), StatusCode::kIoError);
  const std::string& msg = res.status().message();
  EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << msg;
  EXPECT_NE(msg.find("gave up after 3 attempts"), std::string::npos) << msg;
  EXPECT_EQ(c.lastError().http_status, 0);
  expectNoSecret(msg);
  EXPECT_EQ(msg.find(kKeyId), std::string::npos) << msg;
}

TEST_F(AwsClientTest, EveryAttemptIsSignedAgain) {
  server_.enqueue({503, {}, ""});
  server_.enqueue({500, {}, ""});
  server_.enqueue({200, {}, "<ok/>"});
  AwsClient c = client();
  auto res = c.call(iamRequest());
  ASSERT_TRUE(res) << res.status().toString();
  auto seen = server_.requests();
  ASSERT_EQ(seen.size(), 3u);
  std::set<std::string> dates, auths;
  for (const auto& r : seen) {
    ASSERT_NE(r.header("X-Amz-Date"), nullptr);
    ASSERT_NE(r.header("Authorization"), nullptr);
    dates.insert(*r.header("X-Amz-Date"));
    auths.insert(*r.header("Authorization"));
    // Signed once per attempt, not once on top of the previous attempt's headers.
    int n = 0;
    for (const auto& [name, value] : r.headers) n += toLower(name) == "authorization";
    EXPECT_EQ(n, 1);
  }
  EXPECT_EQ(dates.size(), 3u);
  EXPECT_EQ(auths.size(), 3u);
  EXPECT_EQ(*seen[0].header("X-Amz-Date"), "20260101T000000Z");
}

TEST_F(AwsClientTest, NoSecretInErrorMessages) {
  // A misbehaving endpoint (a proxy, a fake) that echoes what it received.
  server_.setHandler([](const ScriptedHttpServer::Request& r) {
    std::string echoed = "secret " + std::string(kSecret) + " token " + std::string(kToken);
    if (const std::string* a = r.header("Authorization")) echoed += " auth " + *a;
    return xmlError(403, "InvalidClientTokenId", echoed);
  });
  AwsClient c = client();
  auto res = c.call(iamRequest());
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), StatusCode::kPermissionDenied);
  expectNoSecret(res.status().toString());
  expectNoSecret(c.lastError().message);

  server_.setHandler([](const ScriptedHttpServer::Request&) {
    return xmlError(503, "ServiceUnavailable", std::string("busy ") + kSecret);
  });
  auto res2 = c.call(iamRequest());
  ASSERT_FALSE(res2);
  EXPECT_EQ(res2.status().code(), StatusCode::kIoError);
  expectNoSecret(res2.status().toString());
}

TEST_F(AwsClientTest, CredentialFailuresStopBeforeSending) {
  FailingCredentials failing;
  AwsClient c(*transport_, failing, clock_, random_);
  auto res = c.call(iamRequest());
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), StatusCode::kNotFound);
  EXPECT_NE(res.status().message().find("failing test provider"), std::string::npos);
  EXPECT_EQ(server_.requestCount(), 0u);
  EXPECT_EQ(c.lastAttempts(), 0);
}

TEST_F(AwsClientTest, LastErrorIsClearedBySuccess) {
  server_.enqueue(xmlError(404, "NoSuchEntity", "gone"));
  server_.enqueue({200, {}, "<ok/>"});
  AwsClient c = client();
  ASSERT_FALSE(c.call(iamRequest()));
  EXPECT_EQ(c.lastError().code, "NoSuchEntity");
  ASSERT_TRUE(c.call(iamRequest()));
  EXPECT_TRUE(c.lastError().code.empty());
  EXPECT_EQ(c.lastError().http_status, 0);
}

}  // namespace
}  // namespace ht::aws
