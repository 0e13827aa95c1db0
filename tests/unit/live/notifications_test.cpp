// parseNotice over every message shape the live source accepts: S3 event notifications (after
// the S3 user guide's "Event message structure"), s3:TestEvent, CloudTrail's SNS notice (a real one
// from aws-cloudtrail-processing-library under ../shared/testdata), SNS envelopes around each, and
// EventBridge events (cloud-custodian's recorded CloudTrail events); plus the poison messages a
// queue can carry.
#include "live/notifications.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace ht::live {
namespace {

using Json = nlohmann::json;

std::string shared(const std::string& rel) {
  return test::readText(std::string(HT_SHARED_TESTDATA) + "/" + rel);
}

Json s3Record(const std::string& event_name, const std::string& bucket, const std::string& key,
              Json size = 1024) {
  return Json{{"eventVersion", "2.1"},
              {"eventSource", "aws:s3"},
              {"awsRegion", "us-east-1"},
              {"eventTime", "2026-11-28T10:15:02.123Z"},
              {"eventName", event_name},
              {"userIdentity", {{"principalId", "AWS:AROAEXAMPLE:regionalDeliverySession"}}},
              {"requestParameters", {{"sourceIPAddress", "10.0.0.1"}}},
              {"responseElements",
               {{"x-amz-request-id", "C3D13FE58DE4C810"}, {"x-amz-id-2", "FMyUVURIY8/IgAtTv8xR"}}},
              {"s3",
               {{"s3SchemaVersion", "1.0"},
                {"configurationId", "honeytrail"},
                {"bucket",
                 {{"name", bucket},
                  {"ownerIdentity", {{"principalId", "A3NL1KOZZKExample"}}},
                  {"arn", "arn:aws:s3:::" + bucket}}},
                {"object",
                 {{"key", key},
                  {"size", size},
                  {"eTag", "d41d8cd98f00b204e9800998ecf8427e"},
                  {"sequencer", "0055AED6DCD90281E5"}}}}}};
}

std::string s3Event(std::vector<Json> records) { return Json{{"Records", records}}.dump(); }

std::string snsEnvelope(const std::string& message) {
  return Json{{"Type", "Notification"},
              {"MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"},
              {"TopicArn", "arn:aws:sns:us-east-1:123456789012:trail-topic"},
              {"Subject", "Amazon S3 Notification"},
              {"Message", message},
              {"Timestamp", "2026-11-28T10:15:03.000Z"},
              {"SignatureVersion", "1"},
              {"Signature", "EXAMPLE"},
              {"SigningCertURL", "https://sns.us-east-1.amazonaws.com/cert.pem"},
              {"UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"}}
      .dump();
}

const char kLogKey[] =
    "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/28/"
    "123456789012_CloudTrail_us-east-1_20261128T1015Z_abcdEFGH1234.json.gz";
const char kDigestKey[] =
    "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/28/"
    "123456789012_CloudTrail-Digest_us-east-1_trail_us-east-1_20261128T101502Z.json.gz";

// The status's message, for assertions that it names the problem.
std::string errorOf(std::string_view body) {
  auto n = parseNotice(body);
  EXPECT_FALSE(n) << "accepted: " << body;
  if (n) return "";
  EXPECT_EQ(n.status().code(), StatusCode::kInvalidArgument) << n.status().toString();
  return n.status().message();
}

TEST(NoticeS3EventTest, ObjectCreatedGivesBucketKeyAndSize) {
  auto n = parseNotice(s3Event({s3Record("ObjectCreated:Put", "audit-logs", kLogKey, 2345),
                                s3Record("ObjectCreated:CompleteMultipartUpload", "audit-logs",
                                         "AWSLogs/o-abc/x.json.gz", "77")}));
  ASSERT_TRUE(n) << n.status().toString();
  EXPECT_EQ(n->kind, NoticeKind::kS3Event);
  ASSERT_EQ(n->objects.size(), 2u);
  EXPECT_EQ(n->objects[0].bucket, "audit-logs");
  EXPECT_EQ(n->objects[0].key, kLogKey);
  EXPECT_EQ(n->objects[0].size, 2345u);
  EXPECT_EQ(n->objects[1].size, 77u) << "a size written as a string of digits";
  EXPECT_TRUE(n->inner.empty());
}

TEST(NoticeS3EventTest, KeysAreUrlDecoded) {
  auto n = parseNotice(s3Event({s3Record("ObjectCreated:Put", "b", "a+b%2Fc%3D.json.gz"),
                                s3Record("ObjectCreated:Copy", "b", "50%zz+off%2"),
                                s3Record("ObjectCreated:Post", "b", "caf%C3%A9%2Blit")}));
  ASSERT_TRUE(n) << n.status().toString();
  ASSERT_EQ(n->objects.size(), 3u);
  EXPECT_EQ(n->objects[0].key, "a b/c=.json.gz");
  EXPECT_EQ(n->objects[1].key, "50%zz off%2") << "malformed escapes are kept as written";
  EXPECT_EQ(n->objects[2].key, "caf\xC3\xA9+lit") << "%2B is a real plus";
}

TEST(NoticeS3EventTest, DecodeKeyDirectly) {
  EXPECT_EQ(decodeS3EventKey("a+b%2Fc%3D.json.gz"), "a b/c=.json.gz");
  EXPECT_EQ(decodeS3EventKey("%zz"), "%zz");
  EXPECT_EQ(decodeS3EventKey("%"), "%");
  EXPECT_EQ(decodeS3EventKey("%4"), "%4");
  EXPECT_EQ(decodeS3EventKey("%41%4a%4A"), "AJJ");
  EXPECT_EQ(decodeS3EventKey(""), "");
}

TEST(NoticeS3EventTest, DigestFilesAndOtherEventsAreLeftOut) {
  auto n = parseNotice(s3Event({s3Record("ObjectCreated:Put", "b", kDigestKey),
                                s3Record("ObjectRemoved:Delete", "b", kLogKey),
                                s3Record("ObjectRestore:Completed", "b", kLogKey),
                                s3Record("ObjectCreated:Put", "b", kLogKey)}));
  ASSERT_TRUE(n) << n.status().toString();
  ASSERT_EQ(n->objects.size(), 1u);
  EXPECT_EQ(n->objects[0].key, kLogKey);

  auto removed_only = parseNotice(s3Event({s3Record("ObjectRemoved:Delete", "b", kLogKey)}));
  ASSERT_TRUE(removed_only) << "an ObjectRemoved event is not an error";
  EXPECT_EQ(removed_only->kind, NoticeKind::kS3Event);
  EXPECT_TRUE(removed_only->objects.empty());
  // Removal records need not carry a size or even an object to be skipped.
  auto bare = parseNotice(R"({"Records":[{"eventName":"ObjectRemoved:Delete"}]})");
  ASSERT_TRUE(bare) << bare.status().toString();
  EXPECT_TRUE(bare->objects.empty());
}

TEST(NoticeS3EventTest, IsDigestKey) {
  EXPECT_TRUE(isDigestKey(kDigestKey));
  EXPECT_TRUE(isDigestKey("prefix/AWSLogs/o-abc/123/CloudTrail-Digest/eu-west-1/x.json.gz"));
  EXPECT_FALSE(isDigestKey(kLogKey));
  EXPECT_FALSE(isDigestKey("AWSLogs/123/CloudTrail/us-east-1/NotCloudTrail-Digest/x.json.gz"));
}

TEST(NoticeTestEventTest, S3TestEventHasNothingToFetch) {
  auto n = parseNotice(
      R"({"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-28T10:00:00.000Z",)"
      R"("Bucket":"audit-logs","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkw"})");
  ASSERT_TRUE(n) << n.status().toString();
  EXPECT_EQ(n->kind, NoticeKind::kTestEvent);
  EXPECT_TRUE(n->objects.empty());
  auto wrapped = parseNotice(snsEnvelope(R"({"Service":"Amazon S3","Event":"s3:TestEvent"})"));
  ASSERT_TRUE(wrapped) << wrapped.status().toString();
  EXPECT_EQ(wrapped->kind, NoticeKind::kTestEvent);
}

TEST(NoticeCloudTrailTest, RecordedSnsNoticeListsItsKeysOnce) {
  // A real notice: SNS envelope around {"s3Bucket":..., "s3ObjectKey":[the same key twice]}.
  auto n = parseNotice(shared("cloudtrail/aws-cloudtrail-processing-library/SQSMessageBody"));
  ASSERT_TRUE(n) << n.status().toString();
  EXPECT_EQ(n->kind, NoticeKind::kCloudTrailNotice);
  ASSERT_EQ(n->objects.size(), 1u) << "the repeated key is fetched once";
  EXPECT_EQ(n->objects[0].bucket, "my-test-bucket");
  EXPECT_EQ(n->objects[0].key,
            "myprefix/AWSLogs/123456789012/CloudTrail/us-east-1/2014/03/09/"
            "123456789012_CloudTrail_us-east-1_20140309T2015Z_996mpJdKNLd1Yvzl.json.gz");
  EXPECT_EQ(n->objects[0].size, 0u);
}

TEST(NoticeCloudTrailTest, DirectNoticeKeepsKeysAsWrittenAndSkipsDigests) {
  Json notice = {{"s3Bucket", "audit-logs"},
                 {"s3ObjectKey", {kLogKey, kDigestKey, "AWSLogs/123/CloudTrail/a+b%20c.json.gz"}}};
  auto n = parseNotice(notice.dump());
  ASSERT_TRUE(n) << n.status().toString();
  EXPECT_EQ(n->kind, NoticeKind::kCloudTrailNotice);
  ASSERT_EQ(n->objects.size(), 2u);
  EXPECT_EQ(n->objects[0].key, kLogKey);
  EXPECT_EQ(n->objects[1].key, "AWSLogs/123/CloudTrail/a+b%20c.json.gz")
      << "CloudTrail does not URL-encode its keys";
}

TEST(NoticeSnsTest, EnvelopeAroundAnS3Event) {
  auto n = parseNotice(snsEnvelope(s3Event({s3Record("ObjectCreated:Put", "b", "x%3Dy.gz")})));
  ASSERT_TRUE(n) << n.status().toString();
  EXPECT_EQ(n->kind, NoticeKind::kS3Event);
  ASSERT_EQ(n->objects.size(), 1u);
  EXPECT_EQ(n->objects[0].key, "x=y.gz");
}

TEST(NoticeSnsTest, EnvelopeInsideAnEnvelope) {
  Json notice = {{"s3Bucket", "b"}, {"s3ObjectKey", {kLogKey}}};
  auto n = parseNotice(snsEnvelope(snsEnvelope(notice.dump())));
  ASSERT_TRUE(n) << n.status().toString();
  EXPECT_EQ(n->kind, NoticeKind::kCloudTrailNotice);
  ASSERT_EQ(n->objects.size(), 1u);
  EXPECT_EQ(n->objects[0].key, kLogKey);

  std::string deep = notice.dump();
  for (int i = 0; i < 10; ++i) deep = snsEnvelope(deep);
  EXPECT_NE(errorOf(deep).find("nested too deep"), std::string::npos);
}

TEST(NoticeEventBridgeTest, RecordedEventIsPassedThroughAsGiven) {
  std::string body = shared(
      "cloudtrail/eventbridge/cloud-custodian-cwe/"
      "event-cloud-trail-create-bucket.json");
  ASSERT_FALSE(body.empty());
  auto n = parseNotice(body);
  ASSERT_TRUE(n) << n.status().toString();
  EXPECT_EQ(n->kind, NoticeKind::kEventBridge);
  EXPECT_TRUE(n->objects.empty());
  EXPECT_EQ(n->inner, body);

  // Through SNS, the inner event is the SNS Message string.
  auto wrapped = parseNotice(snsEnvelope(body));
  ASSERT_TRUE(wrapped) << wrapped.status().toString();
  EXPECT_EQ(wrapped->kind, NoticeKind::kEventBridge);
  EXPECT_EQ(wrapped->inner, body);
}

TEST(NoticePoisonTest, NotJson) {
  EXPECT_NE(errorOf("Hello from SNS!").find("not JSON"), std::string::npos);
  EXPECT_NE(errorOf("").find("not JSON"), std::string::npos);
  EXPECT_NE(errorOf("{\"Records\":[").find("not JSON"), std::string::npos);
  // The error names the layer: here the SNS Message.
  std::string inner = errorOf(snsEnvelope("Hello from SNS!"));
  EXPECT_NE(inner.find("SNS Message"), std::string::npos) << inner;
  EXPECT_NE(inner.find("not JSON"), std::string::npos) << inner;
}

TEST(NoticePoisonTest, JsonOfNoKnownShape) {
  EXPECT_NE(errorOf("[1,2]").find("array"), std::string::npos);
  EXPECT_NE(errorOf("\"Records\"").find("string"), std::string::npos);
  std::string unknown = errorOf(R"({"hello":"world","n":1})");
  EXPECT_NE(unknown.find("top-level keys: hello, n"), std::string::npos) << unknown;
  EXPECT_NE(errorOf(R"({"Service":"Amazon S3","Event":"s3:Other"})").find("s3:TestEvent"),
            std::string::npos);
  std::string confirm = errorOf(
      R"({"Type":"SubscriptionConfirmation","Message":"confirm","TopicArn":"arn:aws:sns:x"})");
  EXPECT_NE(confirm.find("SubscriptionConfirmation"), std::string::npos) << confirm;
  EXPECT_NE(errorOf(R"({"Type":"Notification","Message":{"Records":[]}})").find("Message is a"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"detail-type":"x","detail":"y"})").find("detail"), std::string::npos);
}

TEST(NoticePoisonTest, RecordsOfTheWrongShape) {
  EXPECT_NE(errorOf(R"({"Records":{}})").find("Records is a object"), std::string::npos);
  EXPECT_NE(errorOf(R"({"Records":[42]})").find("Records[0] is a number"), std::string::npos);
  EXPECT_NE(errorOf(R"({"Records":[{"eventName":5}]})").find("Records[0].eventName"),
            std::string::npos);
  Json no_s3 = s3Record("ObjectCreated:Put", "b", "k");
  no_s3.erase("s3");
  EXPECT_NE(errorOf(s3Event({s3Record("ObjectCreated:Put", "b", "k"), no_s3}))
                .find("Records[1].s3 is missing"),
            std::string::npos);
  Json bad_key = s3Record("ObjectCreated:Put", "b", "k");
  bad_key["s3"]["object"]["key"] = Json::array();
  EXPECT_NE(errorOf(s3Event({bad_key})).find("Records[0].s3.object.key is a array"),
            std::string::npos);
  Json no_bucket = s3Record("ObjectCreated:Put", "b", "k");
  no_bucket["s3"]["bucket"].erase("name");
  EXPECT_NE(errorOf(s3Event({no_bucket})).find("Records[0].s3.bucket.name is missing"),
            std::string::npos);
  EXPECT_NE(errorOf(s3Event({s3Record("ObjectCreated:Put", "b", "k", -3)}))
                .find("Records[0].s3.object.size is not a size"),
            std::string::npos);
  EXPECT_NE(errorOf(s3Event({s3Record("ObjectCreated:Put", "b", "k", "12kB")})).find("size"),
            std::string::npos);
}

TEST(NoticePoisonTest, LambdaEventsAreNotS3Events) {
  // Records arrays of other services (a misrouted queue): no eventName, so an error.
  std::string sqs = errorOf(shared("sns/aws-lambda-go/sqs-event.json"));
  EXPECT_NE(sqs.find("Records[0].eventName is missing"), std::string::npos) << sqs;
  std::string sns = errorOf(shared("sns/aws-lambda-go/sns-event.json"));
  EXPECT_NE(sns.find("Records[0].eventName is missing"), std::string::npos) << sns;
}

TEST(NoticePoisonTest, BrokenCloudTrailNotices) {
  EXPECT_NE(errorOf(R"({"s3Bucket":"b"})").find("s3ObjectKey is missing"), std::string::npos);
  EXPECT_NE(errorOf(R"({"s3Bucket":"b","s3ObjectKey":"k"})").find("s3ObjectKey is a string"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"s3Bucket":1,"s3ObjectKey":["k"]})").find("s3Bucket is a number"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"s3Bucket":"b","s3ObjectKey":["k",null]})").find("s3ObjectKey[1]"),
            std::string::npos);
  // The recorded notice with its Message field misspelt ("Messagess").
  std::string misspelt =
      errorOf(shared("cloudtrail/aws-cloudtrail-processing-library/SQSMessageBodyWrongFormat"));
  EXPECT_NE(misspelt.find("Message is missing"), std::string::npos) << misspelt;
}

}  // namespace
}  // namespace ht::live
