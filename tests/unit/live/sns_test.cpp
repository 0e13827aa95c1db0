#include "live/sns.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/files.h"
#include "support/test_signing.h"
#include "support/test_support.h"

namespace ht::live {
namespace {

using nlohmann::json;

const std::string kSnsData = std::string(HT_SHARED_TESTDATA) + "/sns";
const std::string kRizenDir = kSnsData + "/rizen-AWS-SNS-Verify";
const std::string kPhpDir = kSnsData + "/aws-php-sns-message-validator";
const std::string kRizenPem =
    kRizenDir + "/SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem";
const std::string kPhpPem =
    kPhpDir + "/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";

// Inside each certificate's validity period, a few days after the messages were signed.
TimePoint at(const char* text) { return *parseTime(text); }
const TimePoint kRizenTime = at("2015-03-01T00:00:00Z");
const TimePoint kPhpTime = at("2022-07-29T00:00:00Z");

mode_t modeOf(const std::string& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

struct Fixture {
  std::string body;
  std::string pem_path;
  TimePoint time;
};

std::vector<json> loadArray(const std::string& path) {
  json doc = json::parse(test::readText(path));
  return doc.get<std::vector<json>>();
}

// All 11 real AWS-signed messages with the certificate and time that verify them.
std::vector<Fixture> realMessages() {
  std::vector<Fixture> out;
  out.push_back(
      {test::readText(kRizenDir + "/notification_2015-02-20.json"), kRizenPem, kRizenTime});
  for (const char* file : {"/http_notifications.json", "/lambda_style_notifications.json"}) {
    for (const json& m : loadArray(kPhpDir + file)) out.push_back({m.dump(), kPhpPem, kPhpTime});
  }
  return out;
}

json phpMessage(size_t i) { return loadArray(kPhpDir + "/http_notifications.json").at(i); }

std::string certUrlOf(const std::string& body) {
  json j = json::parse(body);
  return j.contains("SigningCertURL") ? j["SigningCertURL"].get<std::string>()
                                      : j["SigningCertUrl"].get<std::string>();
}
std::string topicOf(const std::string& body) { return json::parse(body)["TopicArn"]; }

SnsFetcher failingFetcher() {
  return [](const std::string& url) -> Result<std::string> {
    ADD_FAILURE() << "the fetcher was called for " << url;
    return Status::ioError("no network in this test");
  };
}

// A verifier whose cache directory already holds the certificate for each fixture, so that no
// fetch may happen.
struct Seeded {
  test::TempDir dir;
  FixedClock clock{kPhpTime};
  std::unique_ptr<SnsVerifier> verifier;

  explicit Seeded(const std::vector<Fixture>& fixtures, TimePoint t) : clock(t) {
    SnsVerifierOptions o;
    o.cert_dir = dir.path();
    o.clock = &clock;
    for (const Fixture& f : fixtures) {
      o.topic_arns.push_back(topicOf(f.body));
      test::writeText(dir.file(snsCertCacheName(certUrlOf(f.body))), test::readText(f.pem_path));
    }
    verifier = std::make_unique<SnsVerifier>(o, failingFetcher());
  }
};

// ---------------------------------------------------------------------------------------------
// A self-made signing identity, for what no real message covers (huge messages, confirmations,
// emulator hosts, wrong certificate subjects).

const TimePoint kNow = at("2030-01-01T00:00:00Z");

const std::string kTopic = "arn:aws:sns:eu-west-1:123456789012:honeytrail";

// Builds a message, signs it with test::testRsaKey() and returns its JSON body.
std::string signedBody(json j, const std::string& version = "2") {
  j["SignatureVersion"] = version;
  j["Signature"] = "";
  auto parsed = parseSnsMessage(j.dump());
  EXPECT_TRUE(parsed.hasValue()) << parsed.status().toString();
  j["Signature"] =
      test::signBase64(snsStringToSign(*parsed), version == "1" ? EVP_sha1() : EVP_sha256());
  return j.dump();
}

// A verifier for kTopic at kNow whose cache directory already holds, under cert_url, a
// certificate for test::testRsaKey() with the subject sns.amazonaws.com.
struct SelfSignedVerifier {
  test::TempDir dir;
  FixedClock clock{kNow};
  std::unique_ptr<SnsVerifier> verifier;

  explicit SelfSignedVerifier(const std::string& cert_url) {
    test::writeText(dir.file(snsCertCacheName(cert_url)),
                    test::selfSignedCertPem(kNow - std::chrono::hours(24),
                                            kNow + std::chrono::hours(24), "sns.amazonaws.com"));
    SnsVerifierOptions o;
    o.cert_dir = dir.path();
    o.clock = &clock;
    o.topic_arns = {kTopic};
    verifier = std::make_unique<SnsVerifier>(o, failingFetcher());
  }
};

json notification(const std::string& cert_url) {
  return {{"Type", "Notification"},
          {"MessageId", "b5b2a3e0-0000-4000-8000-000000000001"},
          {"TopicArn", kTopic},
          {"Subject", "hello"},
          {"Message", "{\"Records\":[]}"},
          {"Timestamp", "2029-12-31T23:59:00.000Z"},
          {"SigningCertURL", cert_url}};
}

// ---------------------------------------------------------------------------------------------
// Parsing

TEST(SnsParseTest, ReadsHttpSpelling) {
  auto m = parseSnsMessage(test::readText(kRizenDir + "/notification_2015-02-20.json"));
  ASSERT_TRUE(m.hasValue()) << m.status().toString();
  EXPECT_EQ(m->type, "Notification");
  EXPECT_EQ(m->message_id, "a890c547-5d98-55e2-971d-8826fff56413");
  EXPECT_EQ(m->topic_arn, "arn:aws:sns:us-east-1:041977924901:foo");
  EXPECT_TRUE(m->has_subject);
  EXPECT_EQ(m->subject, "test subject");
  EXPECT_EQ(m->message, "test message");
  EXPECT_EQ(m->timestamp, "2015-02-20T20:59:25.401Z");
  EXPECT_EQ(m->signature_version, "1");
  EXPECT_EQ(m->signing_cert_url,
            "https://sns.us-east-1.amazonaws.com/"
            "SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem");
  EXPECT_EQ(m->unsubscribe_url.rfind("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe", 0),
            0u);
}

TEST(SnsParseTest, ReadsLambdaSpelling) {
  json j = loadArray(kPhpDir + "/lambda_style_notifications.json").at(0);
  ASSERT_TRUE(j.contains("SigningCertUrl"));
  auto m = parseSnsMessage(j.dump());
  ASSERT_TRUE(m.hasValue()) << m.status().toString();
  EXPECT_EQ(m->signing_cert_url, j["SigningCertUrl"].get<std::string>());
  EXPECT_EQ(m->unsubscribe_url, j["UnsubscribeUrl"].get<std::string>());
  EXPECT_FALSE(m->has_subject);
}

TEST(SnsParseTest, NullSubjectIsAbsent) {
  json j = phpMessage(2);
  j["Subject"] = nullptr;
  auto m = parseSnsMessage(j.dump());
  ASSERT_TRUE(m.hasValue()) << m.status().toString();
  EXPECT_FALSE(m->has_subject);
}

TEST(SnsParseTest, NonJsonIsCorruption) {
  for (const char* body : {"", "not json", "{\"Type\":", "Type=Notification"}) {
    auto m = parseSnsMessage(body);
    ASSERT_FALSE(m.hasValue()) << body;
    EXPECT_EQ(m.status().code(), StatusCode::kCorruption) << body;
  }
}

TEST(SnsParseTest, NonObjectIsInvalidArgument) {
  for (const char* body : {"[]", "[{\"Type\":\"Notification\"}]", "\"x\"", "42", "null"}) {
    auto m = parseSnsMessage(body);
    ASSERT_FALSE(m.hasValue()) << body;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(SnsParseTest, MissingRequiredFieldIsNamed) {
  for (const char* field : {"Type", "MessageId", "TopicArn", "Message", "Timestamp",
                            "SignatureVersion", "Signature", "SigningCertURL"}) {
    json j = phpMessage(0);
    j.erase(field);
    auto m = parseSnsMessage(j.dump());
    ASSERT_FALSE(m.hasValue()) << field;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(m.status().message().find(field), std::string::npos) << m.status().message();
  }
}

TEST(SnsParseTest, WrongTypeIsNamed) {
  for (const char* field :
       {"Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature",
        "SigningCertURL", "Subject", "UnsubscribeURL"}) {
    for (const json& bad : {json(1), json::array(), json::object(), json(true)}) {
      json j = phpMessage(2);
      j[field] = bad;
      auto m = parseSnsMessage(j.dump());
      ASSERT_FALSE(m.hasValue()) << field << " = " << bad.dump();
      EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(m.status().message().find(field), std::string::npos) << m.status().message();
    }
  }
}

TEST(SnsParseTest, UnknownTypeIsRejected) {
  json j = phpMessage(0);
  j["Type"] = "Gossip";
  auto m = parseSnsMessage(j.dump());
  ASSERT_FALSE(m.hasValue());
  EXPECT_NE(m.status().message().find("Type"), std::string::npos);
}

TEST(SnsParseTest, ConfirmationNeedsTokenAndSubscribeUrl) {
  json base = {{"Type", "SubscriptionConfirmation"},
               {"MessageId", "id"},
               {"Token", "tok"},
               {"TopicArn", kTopic},
               {"Message", "You have chosen to subscribe"},
               {"SubscribeURL", "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription"},
               {"Timestamp", "2030-01-01T00:00:00.000Z"},
               {"SignatureVersion", "1"},
               {"Signature", "AAAA"},
               {"SigningCertURL", "https://sns.eu-west-1.amazonaws.com/x.pem"}};
  ASSERT_TRUE(parseSnsMessage(base.dump()).hasValue());
  for (const char* field : {"Token", "SubscribeURL"}) {
    json j = base;
    j.erase(field);
    auto m = parseSnsMessage(j.dump());
    ASSERT_FALSE(m.hasValue()) << field;
    EXPECT_NE(m.status().message().find(field), std::string::npos) << m.status().message();
  }
}

TEST(SnsParseTest, ErrorsNeverQuoteTheBody) {
  auto m = parseSnsMessage("{\"Type\": \"Notification\", \"Message\": \"s3cr3t-payload\" oops}");
  ASSERT_FALSE(m.hasValue());
  EXPECT_EQ(m.status().message().find("s3cr3t"), std::string::npos) << m.status().message();
}

// ---------------------------------------------------------------------------------------------
// String to sign

TEST(SnsParseTest, NotificationStringToSign) {
  SnsMessage m;
  m.type = "Notification";
  m.message_id = "mid";
  m.topic_arn = "arn";
  m.message = "line1\nline2";
  m.timestamp = "ts";
  m.token = "ignored";
  m.subscribe_url = "ignored";
  EXPECT_EQ(snsStringToSign(m),
            "Message\nline1\nline2\nMessageId\nmid\nTimestamp\nts\nTopicArn\narn\nType\n"
            "Notification\n");
  m.subject = "";
  m.has_subject = true;  // an empty Subject that is present is still signed
  EXPECT_EQ(snsStringToSign(m),
            "Message\nline1\nline2\nMessageId\nmid\nSubject\n\nTimestamp\nts\nTopicArn\narn\n"
            "Type\nNotification\n");
}

TEST(SnsParseTest, SubscriptionConfirmationStringToSign) {
  json j = {
      {"Type", "SubscriptionConfirmation"},
      {"MessageId", "165545c9-2a5c-472c-8df2-7ff2be2b3b1b"},
      {"Token", "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a"},
      {"TopicArn", "arn:aws:sns:us-west-2:123456789012:MyTopic"},
      {"Message", "You have chosen to subscribe to the topic."},
      {"SubscribeURL",
       "https://sns.us-west-2.amazonaws.com/"
       "?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic"},
      {"Timestamp", "2012-04-26T20:45:04.751Z"},
      {"SignatureVersion", "1"},
      {"Signature", "EXAMPLE"},
      {"Subject", "not signed for confirmations"},
      {"SigningCertURL", "https://sns.us-west-2.amazonaws.com/SimpleNotificationService.pem"}};
  auto m = parseSnsMessage(j.dump());
  ASSERT_TRUE(m.hasValue()) << m.status().toString();
  EXPECT_EQ(snsStringToSign(*m),
            "Message\nYou have chosen to subscribe to the topic.\n"
            "MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
            "SubscribeURL\nhttps://sns.us-west-2.amazonaws.com/"
            "?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic\n"
            "Timestamp\n2012-04-26T20:45:04.751Z\n"
            "Token\n2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a\n"
            "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
            "Type\nSubscriptionConfirmation\n");
}

// ---------------------------------------------------------------------------------------------
// URL checks

TEST(SnsUrlTest, CertificateUrlTable) {
  const std::vector<std::string> extra = {"localhost:4566", "sns.emulator.test"};
  struct Case {
    const char* url;
    bool ok;
  };
  const Case cases[] = {
      {"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", true},
      {"https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem", true},
      {"https://sns.us-gov-west-1.amazonaws.com/a/b/c.pem", true},
      {"https://sns.us-east-1.amazonaws.com:443/x.pem", true},
      {"http://localhost:4566/x.pem", true},
      {"https://localhost:4566/x.pem", true},
      {"http://sns.emulator.test/x.pem", true},
      {"http://sns.us-east-1.amazonaws.com/x.pem", false},
      {"https://sns.us-east-1.amazonaws.com.evil.com/x.pem", false},
      {"https://sns.us-east-1.amazonaws.com.evil.example/x.pem", false},
      {"https://evil.com/sns.us-east-1.amazonaws.com/x.pem", false},
      {"https://sns.us-east-1.amazonaws.com@evil.com/x.pem", false},
      {"https://user@sns.us-east-1.amazonaws.com/x.pem", false},
      {"https://sns.us-east-1.amazonaws.com:8443/x.pem", false},
      {"https://sns.us-east-1.amazonaws.com:/x.pem", false},
      {"https://sns.us-east-1.amazonaws.com\\@evil.com/x.pem", false},
      {"https://sns.us-east-1.amazonaws.com\\x.pem", false},
      {"https://sns.us-east-1.amazonaws.com/x.txt", false},
      {"https://sns.us-east-1.amazonaws.com/x.pem?y", false},
      {"https://sns.us-east-1.amazonaws.com/x.pem#y", false},
      {"https://sns.us-east-1.amazonaws.com/", false},
      {"https://sns.us-east-1.amazonaws.com", false},
      {"https://sns..amazonaws.com/x.pem", false},
      {"https://sns.us_east-1.amazonaws.com/x.pem", false},
      {"https://SNS.US-EAST-1.AMAZONAWS.COM/x.pem", false},
      {"https://sns.us-east-1.amazonaws.com./x.pem", false},
      {"https://s3.us-east-1.amazonaws.com/x.pem", false},
      {"https://xsns.us-east-1.amazonaws.com/x.pem", false},
      {"https://sns.us-east-1.amazonaws.co/x.pem", false},
      {"https://sns.us-east-1.amazonaws.com.cn.evil.com/x.pem", false},
      {"https://sns.us-east-1.amazonaws.com /x.pem", false},
      {"ftp://sns.us-east-1.amazonaws.com/x.pem", false},
      {"//sns.us-east-1.amazonaws.com/x.pem", false},
      {"sns.us-east-1.amazonaws.com/x.pem", false},
      {"https:///x.pem", false},
      {"", false},
      {"http://localhost/x.pem", false},       // extra hosts match host[:port] exactly
      {"http://localhost:4567/x.pem", false},  //
      {"http://localhost:4566@evil.com/x.pem", false},
  };
  for (const Case& c : cases) {
    std::string why = checkSnsUrl(c.url, true, extra);
    EXPECT_EQ(why.empty(), c.ok) << c.url << " -> " << why;
  }
  // Without the extra hosts, the emulator is refused.
  EXPECT_FALSE(checkSnsUrl("http://localhost:4566/x.pem", true).empty());
  EXPECT_FALSE(checkSnsUrl("https://localhost:4566/x.pem", true).empty());
}

TEST(SnsUrlTest, SubscribeUrlMayHaveQuery) {
  std::string url =
      "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:"
      "us-west-2:123456789012:MyTopic&Token=abc";
  EXPECT_EQ(checkSnsUrl(url, false), "");
  EXPECT_NE(checkSnsUrl(url, true), "");
  EXPECT_NE(checkSnsUrl("https://evil.com/?Action=ConfirmSubscription", false), "");
}

TEST(SnsUrlTest, CacheNameIsHostAndFile) {
  EXPECT_EQ(snsCertCacheName("https://sns.us-east-1.amazonaws.com/"
                             "SimpleNotificationService-abc.pem"),
            "sns.us-east-1.amazonaws.com_SimpleNotificationService-abc.pem");
  EXPECT_EQ(snsCertCacheName("https://sns.us-east-1.amazonaws.com/a/b/c.pem"),
            "sns.us-east-1.amazonaws.com_c.pem");
  EXPECT_EQ(snsCertCacheName("http://localhost:4566/x y%2F..pem"), "localhost_x_y_2F..pem");
  EXPECT_EQ(snsCertCacheName("https://sns.us-east-1.amazonaws.com/../../etc/passwd").find('/'),
            std::string::npos);
}

// The emulator host serve trusts comes from the configured SNS endpoint; it must match what
// checkSnsUrl compares (host[:port], no scheme or path).
TEST(SnsUrlTest, EndpointHostIsHostAndPort) {
  EXPECT_EQ(snsEndpointHost("http://127.0.0.1:5000"), "127.0.0.1:5000");
  EXPECT_EQ(snsEndpointHost("https://sns.emulator.test/"), "sns.emulator.test");
  EXPECT_EQ(snsEndpointHost("http://localhost:4566/sns/path?x=1"), "localhost:4566");
  EXPECT_EQ(snsEndpointHost("localhost:4566/sns"), "localhost:4566");
  EXPECT_EQ(snsEndpointHost("sns.emulator.test"), "sns.emulator.test");
  EXPECT_EQ(snsEndpointHost(""), "");
  // What it returns lets that endpoint's certificates through, and nothing else.
  std::vector<std::string> extra = {snsEndpointHost("http://localhost:4566/")};
  EXPECT_EQ(checkSnsUrl("http://localhost:4566/x.pem", true, extra), "");
  EXPECT_NE(checkSnsUrl("http://localhost:4567/x.pem", true, extra), "");
}

// ---------------------------------------------------------------------------------------------
// Verification with the real AWS messages

TEST(SnsVerifyTest, AllRealMessagesVerify) {
  std::vector<Fixture> fixtures = realMessages();
  ASSERT_EQ(fixtures.size(), 11u);
  for (const Fixture& f : fixtures) {
    Seeded s({f}, f.time);
    SnsVerification v = s.verifier->verify(f.body);
    EXPECT_EQ(v.verdict, SnsVerdict::kAccepted) << v.reason << "\n" << f.body;
    EXPECT_EQ(v.reason, "");
    EXPECT_EQ(v.message.topic_arn, topicOf(f.body));
    EXPECT_EQ(s.verifier->fetches(), 0u);
  }
}

TEST(SnsVerifyTest, BothSignatureVersionsAreCovered) {
  int v1 = 0, v2 = 0;
  for (const Fixture& f : realMessages()) {
    (json::parse(f.body)["SignatureVersion"] == "1" ? v1 : v2)++;
  }
  EXPECT_GT(v1, 0);
  EXPECT_GT(v2, 0);
}

TEST(SnsVerifyTest, TamperedMessageFails) {
  Fixture f{test::readText(kRizenDir + "/notification_2015-02-20_TAMPERED.json"), kRizenPem,
            kRizenTime};
  Seeded s({f}, f.time);
  SnsVerification v = s.verifier->verify(f.body);
  EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature);
  EXPECT_NE(v.reason.find("signature"), std::string::npos) << v.reason;
  EXPECT_EQ(v.reason.find("TAMPERED"), std::string::npos) << "reasons never quote the message";
}

TEST(SnsVerifyTest, OneChangedSignatureCharacterFails) {
  for (const Fixture& f : realMessages()) {
    json j = json::parse(f.body);
    std::string sig = j["Signature"];
    size_t i = sig.size() / 2;
    sig[i] = sig[i] == 'A' ? 'B' : 'A';
    j["Signature"] = sig;
    Seeded s({f}, f.time);
    SnsVerification v = s.verifier->verify(j.dump());
    EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature) << f.body;
  }
}

TEST(SnsVerifyTest, SignatureNotBase64Fails) {
  Fixture f = realMessages().at(1);
  json j = json::parse(f.body);
  j["Signature"] = "!!!not base64!!!";
  Seeded s({f}, f.time);
  SnsVerification v = s.verifier->verify(j.dump());
  EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature);
  EXPECT_NE(v.reason.find("base64"), std::string::npos) << v.reason;
}

TEST(SnsVerifyTest, RemovedOrChangedSubjectFails) {
  int with_subject = 0;
  for (const Fixture& f : realMessages()) {
    json j = json::parse(f.body);
    if (!j.contains("Subject")) continue;
    ++with_subject;
    Seeded s({f}, f.time);
    json removed = j;
    removed.erase("Subject");
    EXPECT_EQ(s.verifier->verify(removed.dump()).verdict, SnsVerdict::kBadSignature);
    json changed = j;
    changed["Subject"] = j["Subject"].get<std::string>() + "!";
    EXPECT_EQ(s.verifier->verify(changed.dump()).verdict, SnsVerdict::kBadSignature);
    json added = j;
    added["Subject"] = nullptr;  // null is absent, and absent is not what was signed
    EXPECT_EQ(s.verifier->verify(added.dump()).verdict, SnsVerdict::kBadSignature);
  }
  EXPECT_EQ(with_subject, 5);
}

TEST(SnsVerifyTest, AddedSubjectFails) {
  Fixture f = realMessages().at(1);  // http_notifications[0]: no Subject
  json j = json::parse(f.body);
  ASSERT_FALSE(j.contains("Subject"));
  j["Subject"] = "";
  Seeded s({f}, f.time);
  EXPECT_EQ(s.verifier->verify(j.dump()).verdict, SnsVerdict::kBadSignature);
}

TEST(SnsVerifyTest, UnconfiguredTopicIsForbiddenBeforeAnyFetch) {
  test::TempDir dir;
  FixedClock clock(kPhpTime);
  for (const Fixture& f : realMessages()) {
    SnsVerifierOptions o;
    o.cert_dir = dir.file("certs");
    o.clock = &clock;
    o.topic_arns = {"arn:aws:sns:us-east-2:295079676684:something-else"};
    SnsVerifier verifier(o, failingFetcher());
    SnsVerification v = verifier.verify(f.body);
    EXPECT_EQ(v.verdict, SnsVerdict::kForbiddenTopic) << v.reason;
    EXPECT_NE(v.reason.find(topicOf(f.body)), std::string::npos) << v.reason;
    EXPECT_EQ(v.message.topic_arn, topicOf(f.body));
    EXPECT_EQ(verifier.fetches(), 0u);
  }
  SnsVerifier none(SnsVerifierOptions{}, failingFetcher());  // empty list accepts nothing
  EXPECT_EQ(none.verify(realMessages().at(0).body).verdict, SnsVerdict::kForbiddenTopic);
  EXPECT_FALSE(fileExists(dir.file("certs")));
}

TEST(SnsVerifyTest, UntrustedCertificateUrlIsRejectedWithoutFetching) {
  Fixture f = realMessages().at(1);
  for (const char* url : {"https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
                          "http://sns.us-east-2.amazonaws.com/"
                          "SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem",
                          "https://evil.example/sns.us-east-2.amazonaws.com/x.pem",
                          "https://sns.us-east-2.amazonaws.com@evil.example/x.pem",
                          "https://sns.us-east-2.amazonaws.com/x.txt"}) {
    json j = json::parse(f.body);
    j["SigningCertURL"] = url;
    test::TempDir dir;
    SnsVerifierOptions o;
    o.cert_dir = dir.path();
    o.topic_arns = {topicOf(f.body)};
    SnsVerifier verifier(o, failingFetcher());
    SnsVerification v = verifier.verify(j.dump());
    EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature) << url;
    EXPECT_NE(v.reason.find("SigningCertURL"), std::string::npos) << v.reason;
  }
}

TEST(SnsVerifyTest, CertificateOutsideItsValidityIsRejected) {
  for (const Fixture& f : realMessages()) {
    const std::pair<TimePoint, const char*> cases[] = {
        {f.time - std::chrono::hours(24 * 400), "not yet valid"},
        {f.time + std::chrono::hours(24 * 400), "expired"}};
    for (const auto& [t, why] : cases) {
      Seeded s({f}, t);
      SnsVerification v = s.verifier->verify(f.body);
      EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature) << formatTime(t);
      EXPECT_NE(v.reason.find(why), std::string::npos) << v.reason;
    }
  }
}

TEST(SnsVerifyTest, RealClockRejectsExpiredCertificates) {
  for (const Fixture& f : realMessages()) {
    test::TempDir dir;
    SnsVerifierOptions o;
    o.cert_dir = dir.path();
    o.topic_arns = {topicOf(f.body)};
    o.clock = nullptr;  // the system clock: both fixture certificates expired years ago
    test::writeText(dir.file(snsCertCacheName(certUrlOf(f.body))), test::readText(f.pem_path));
    SnsVerifier verifier(o, failingFetcher());
    SnsVerification v = verifier.verify(f.body);
    EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature);
    EXPECT_NE(v.reason.find("expired"), std::string::npos) << v.reason;
  }
}

TEST(SnsVerifyTest, NotSnsIsBadRequestNamingTheField) {
  Seeded s(realMessages(), kPhpTime);
  EXPECT_EQ(s.verifier->verify("not json").verdict, SnsVerdict::kBadRequest);
  EXPECT_EQ(s.verifier->verify(test::readText(kPhpDir + "/http_notifications.json")).verdict,
            SnsVerdict::kBadRequest);
  json j = phpMessage(0);
  j.erase("MessageId");
  SnsVerification v = s.verifier->verify(j.dump());
  EXPECT_EQ(v.verdict, SnsVerdict::kBadRequest);
  EXPECT_NE(v.reason.find("MessageId"), std::string::npos) << v.reason;
  j = phpMessage(0);
  j["Timestamp"] = 1659043438;
  v = s.verifier->verify(j.dump());
  EXPECT_EQ(v.verdict, SnsVerdict::kBadRequest);
  EXPECT_NE(v.reason.find("Timestamp"), std::string::npos) << v.reason;
}

TEST(SnsVerifyTest, UnknownSignatureVersionIsRejected) {
  for (const char* version : {"3", "0", "", "2 ", "SHA256"}) {
    Fixture f = realMessages().at(2);  // SignatureVersion 2
    json j = json::parse(f.body);
    j["SignatureVersion"] = version;
    Seeded s({f}, f.time);
    SnsVerification v = s.verifier->verify(j.dump());
    EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature) << version;
    EXPECT_NE(v.reason.find("SignatureVersion"), std::string::npos) << v.reason;
  }
  // Swapping 1 and 2 uses the wrong digest and fails too.
  Fixture f = realMessages().at(2);
  json j = json::parse(f.body);
  j["SignatureVersion"] = "1";
  Seeded s({f}, f.time);
  EXPECT_EQ(s.verifier->verify(j.dump()).verdict, SnsVerdict::kBadSignature);
}

// ---------------------------------------------------------------------------------------------
// The certificate cache and the fetch seam

TEST(SnsVerifyTest, FetchesOnceThenServesFromCacheAndDisk) {
  test::TempDir dir;
  const std::string cert_dir = dir.file("state/sns-certs");
  FixedClock clock(kPhpTime);
  std::vector<json> messages = loadArray(kPhpDir + "/http_notifications.json");
  for (const json& m : loadArray(kPhpDir + "/lambda_style_notifications.json")) {
    messages.push_back(m);
  }
  const std::string url = messages[0]["SigningCertURL"];

  SnsVerifierOptions o;
  o.cert_dir = cert_dir;
  o.clock = &clock;
  for (const json& m : messages) o.topic_arns.push_back(m["TopicArn"]);
  std::atomic<int> calls{0};
  SnsVerifier verifier(o, [&](const std::string& u) -> Result<std::string> {
    ++calls;
    EXPECT_EQ(u, url);
    return readFile(kPhpPem);
  });
  for (int round = 0; round < 2; ++round) {
    for (const json& m : messages) {
      SnsVerification v = verifier.verify(m.dump());
      EXPECT_EQ(v.verdict, SnsVerdict::kAccepted) << v.reason;
    }
  }
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(verifier.fetches(), 1u);

  const std::string cached = cert_dir + "/" + snsCertCacheName(url);
  EXPECT_EQ(test::readText(cached), test::readText(kPhpPem));
  EXPECT_EQ(modeOf(cached), 0644u);
  EXPECT_EQ(modeOf(cert_dir), 0700u);

  // A restarted verifier that may not fetch finds the certificate on disk.
  o.fetch_certs = false;
  SnsVerifier restarted(o, failingFetcher());
  for (const json& m : messages) {
    EXPECT_EQ(restarted.verify(m.dump()).verdict, SnsVerdict::kAccepted);
  }
  EXPECT_EQ(restarted.fetches(), 0u);
}

TEST(SnsVerifyTest, NoCertificateWithoutFetchingIsBadSignature) {
  test::TempDir dir;
  FixedClock clock(kPhpTime);
  Fixture f = realMessages().at(1);
  SnsVerifierOptions o;
  o.cert_dir = dir.path();
  o.clock = &clock;
  o.topic_arns = {topicOf(f.body)};
  o.fetch_certs = false;
  SnsVerifier verifier(o, failingFetcher());
  SnsVerification v = verifier.verify(f.body);
  EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature);
  EXPECT_NE(v.reason.find("certificate"), std::string::npos) << v.reason;
}

TEST(SnsVerifyTest, FailedOrJunkFetchIsBadSignatureAndNotCached) {
  test::TempDir dir;
  FixedClock clock(kPhpTime);
  Fixture f = realMessages().at(1);
  SnsVerifierOptions o;
  o.cert_dir = dir.file("certs");
  o.clock = &clock;
  o.topic_arns = {topicOf(f.body)};
  int calls = 0;
  SnsVerifier failing(o, [&](const std::string&) -> Result<std::string> {
    ++calls;
    return Status::ioError("connection refused");
  });
  SnsVerification v = failing.verify(f.body);
  EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature);
  EXPECT_NE(v.reason.find("connection refused"), std::string::npos) << v.reason;

  SnsVerifier junk(o, [&](const std::string&) -> Result<std::string> {
    ++calls;
    return std::string("<html>not a certificate</html>");
  });
  EXPECT_EQ(junk.verify(f.body).verdict, SnsVerdict::kBadSignature);
  EXPECT_EQ(junk.verify(f.body).verdict, SnsVerdict::kBadSignature);
  EXPECT_EQ(calls, 3) << "failures are not cached";
  EXPECT_EQ(junk.fetches(), 0u);
  EXPECT_FALSE(fileExists(o.cert_dir + "/" + snsCertCacheName(certUrlOf(f.body))));
}

TEST(SnsVerifyTest, DamagedCacheFileIsRefetched) {
  test::TempDir dir;
  FixedClock clock(kPhpTime);
  Fixture f = realMessages().at(1);
  const std::string cached = dir.file(snsCertCacheName(certUrlOf(f.body)));
  test::writeText(cached, "garbage");
  SnsVerifierOptions o;
  o.cert_dir = dir.path();
  o.clock = &clock;
  o.topic_arns = {topicOf(f.body)};
  SnsVerifier verifier(o, [](const std::string&) { return readFile(kPhpPem); });
  EXPECT_EQ(verifier.verify(f.body).verdict, SnsVerdict::kAccepted);
  EXPECT_EQ(test::readText(cached), test::readText(kPhpPem));
}

TEST(SnsVerifyTest, ConcurrentVerification) {
  std::vector<Fixture> fixtures = realMessages();
  fixtures.erase(fixtures.begin());  // the rest share one certificate and one time
  test::TempDir dir;
  FixedClock clock(kPhpTime);
  SnsVerifierOptions o;
  o.cert_dir = dir.path();
  o.clock = &clock;
  for (const Fixture& f : fixtures) o.topic_arns.push_back(topicOf(f.body));
  std::atomic<int> calls{0};
  SnsVerifier verifier(o, [&](const std::string&) {
    ++calls;
    return readFile(kPhpPem);
  });
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        for (const Fixture& f : fixtures) {
          if (verifier.verify(f.body).verdict == SnsVerdict::kAccepted) ++accepted;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), 8 * 10 * static_cast<int>(fixtures.size()));
  EXPECT_GE(calls.load(), 1);
  EXPECT_LE(calls.load(), 8) << "at most one fetch per thread that raced the first";
}

// ---------------------------------------------------------------------------------------------
// Verification with a self-made identity

TEST(SnsVerifyTest, HugeMessageVerifies) {
  const std::string url = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-t.pem";
  SelfSignedVerifier self_signed(url);
  SnsVerifier& verifier = *self_signed.verifier;

  json j = notification(url);
  std::string big(1 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 100) big[i] = '\n';
  j["Message"] = big;
  for (const char* version : {"1", "2"}) {
    std::string body = signedBody(j, version);
    SnsVerification v = verifier.verify(body);
    EXPECT_EQ(v.verdict, SnsVerdict::kAccepted) << v.reason;
    EXPECT_EQ(v.message.message.size(), big.size());
    json changed = json::parse(body);
    changed["Message"] = big + "y";
    v = verifier.verify(changed.dump());
    EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature);
    EXPECT_LT(v.reason.size(), 200u) << "reasons never carry the message";
  }
}

TEST(SnsVerifyTest, SubscriptionConfirmationVerifies) {
  const std::string url = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-t.pem";
  SelfSignedVerifier self_signed(url);
  SnsVerifier& verifier = *self_signed.verifier;
  json j = {{"Type", "SubscriptionConfirmation"},
            {"MessageId", "m-1"},
            {"Token", "token-1"},
            {"TopicArn", kTopic},
            {"Message", "You have chosen to subscribe"},
            {"SubscribeURL",
             "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=token-1"},
            {"Timestamp", "2029-12-31T23:59:00.000Z"},
            {"SigningCertURL", url}};
  std::string body = signedBody(j);
  SnsVerification v = verifier.verify(body);
  EXPECT_EQ(v.verdict, SnsVerdict::kAccepted) << v.reason;
  EXPECT_EQ(v.message.token, "token-1");

  json changed = json::parse(body);
  changed["Token"] = "token-2";
  EXPECT_EQ(verifier.verify(changed.dump()).verdict, SnsVerdict::kBadSignature);

  // Signed or not, a SubscribeURL off the SNS hosts is never handed on to be visited.
  json evil = j;
  evil["SubscribeURL"] = "https://evil.example/?Action=ConfirmSubscription";
  v = verifier.verify(signedBody(evil));
  EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature);
  EXPECT_NE(v.reason.find("SubscribeURL"), std::string::npos) << v.reason;
}

TEST(SnsVerifyTest, CertificateForAnotherNameIsRejected) {
  test::TempDir dir;
  FixedClock clock(kNow);
  const std::string url = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-t.pem";
  SnsVerifierOptions o;
  o.cert_dir = dir.path();
  o.clock = &clock;
  o.topic_arns = {kTopic};
  std::string body = signedBody(notification(url));
  for (const char* cn : {"evil.example", "*.amazonaws.com", "sns.amazonaws.com.evil.example"}) {
    test::writeText(
        dir.file(snsCertCacheName(url)),
        test::selfSignedCertPem(kNow - std::chrono::hours(1), kNow + std::chrono::hours(1), cn));
    SnsVerifier verifier(o, failingFetcher());
    SnsVerification v = verifier.verify(body);
    EXPECT_EQ(v.verdict, SnsVerdict::kBadSignature) << cn;
    EXPECT_NE(v.reason.find("sns.amazonaws.com"), std::string::npos) << v.reason;
  }
  // The URL's own host is an acceptable subject too.
  test::writeText(
      dir.file(snsCertCacheName(url)),
      test::selfSignedCertPem(kNow - std::chrono::hours(1), kNow + std::chrono::hours(1),
                              "sns.eu-west-1.amazonaws.com"));
  SnsVerifier verifier(o, failingFetcher());
  EXPECT_EQ(verifier.verify(body).verdict, SnsVerdict::kAccepted);
}

TEST(SnsVerifyTest, EmulatorHostAcceptsAnySubjectOverHttp) {
  test::TempDir dir;
  FixedClock clock(kNow);
  const std::string url = "http://localhost:4566/_aws/sns/SimpleNotificationService-emu.pem";
  const std::string pem = test::selfSignedCertPem(kNow - std::chrono::hours(1),
                                                  kNow + std::chrono::hours(1), "LocalStack");
  SnsVerifierOptions o;
  o.cert_dir = dir.path();
  o.clock = &clock;
  o.topic_arns = {kTopic};
  o.allowed_hosts_extra = {"localhost:4566"};
  int calls = 0;
  SnsVerifier verifier(o, [&](const std::string& u) -> Result<std::string> {
    ++calls;
    EXPECT_EQ(u, url);
    return pem;
  });
  SnsVerification v = verifier.verify(signedBody(notification(url)));
  EXPECT_EQ(v.verdict, SnsVerdict::kAccepted) << v.reason;
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(fileExists(dir.file("localhost_SimpleNotificationService-emu.pem")));

  // The same emulator is refused when it is not configured.
  o.allowed_hosts_extra.clear();
  SnsVerifier strict(o, failingFetcher());
  EXPECT_EQ(strict.verify(signedBody(notification(url))).verdict, SnsVerdict::kBadSignature);
}

}  // namespace
}  // namespace ht::live
