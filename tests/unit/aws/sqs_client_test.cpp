// SqsClient: the ReceiveMessage parser on documents written after the SQS API reference (Query
// protocol, namespace http://queue.amazonaws.com/doc/2012-11-05/; no SQS captures exist under
// ../shared/testdata), the form bodies sent (against the scripted server), and the whole client
// against moto_server with queues and messages made by the AWS CLI.
#include "aws/sqs_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/iam_client.h"
#include "aws/xml.h"
#include "core/strings.h"
#include "support/http_server.h"
#include "support/manual_clock.h"
#include "support/moto_server.h"
#include "support/test_support.h"

namespace ht::aws {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

constexpr char kNs[] = "http://queue.amazonaws.com/doc/2012-11-05/";

std::string receiveResponse(const std::string& messages) {
  return std::string("<?xml version=\"1.0\"?>\n<ReceiveMessageResponse xmlns=\"") + kNs +
         "\">\n  <ReceiveMessageResult>\n" + messages +
         "  </ReceiveMessageResult>\n  <ResponseMetadata>\n"
         "    <RequestId>b6633655-283d-45b4-aee4-4e84e0ae6afa</RequestId>\n"
         "  </ResponseMetadata>\n</ReceiveMessageResponse>\n";
}

std::string messageXml(const std::string& id, const std::string& handle, const std::string& md5,
                       const std::string& body_xml, const std::string& attributes = "") {
  return "    <Message>\n      <MessageId>" + id + "</MessageId>\n      <ReceiptHandle>" + handle +
         "</ReceiptHandle>\n      <MD5OfBody>" + md5 + "</MD5OfBody>\n      <Body>" + body_xml +
         "</Body>\n" + attributes + "    </Message>\n";
}

std::string attr(const std::string& name, const std::string& value) {
  return "      <Attribute>\n        <Name>" + name + "</Name>\n        <Value>" + value +
         "</Value>\n      </Attribute>\n";
}

// The API reference's example, two messages, all four system attributes on the first.
const std::string kDocumented = receiveResponse(
    messageXml("5fea7756-0ea4-451a-a703-a558b933e274",
               "MbZj6wDWli+JvwwJaBV+3dcjk2YW2vA3+STFFljTM8tJJg6HRG6PYSasuWXPJB+Cw"
               "Lj1FjgXUv1uSj1gUPAWV66FU/WeR4mq2OKpEGYWbnLmpRCJVAyeMjeU5ZBdtcQ+QE"
               "auMZc8ZRv37sIW2iJKq3M9MFx1YvV11A2x/KSbkJ0=",
               "fafb00f5732ab283681e124bf8747ed1", "This is a test message",
               attr("SenderId", "195004372649") + attr("SentTimestamp", "1238099229000") +
                   attr("ApproximateReceiveCount", "5") +
                   attr("ApproximateFirstReceiveTimestamp", "1250700979248")) +
    messageXml("c1b9e4a2-6d1f-4c41-9d2b-7f3b4d8a1e55",
               "AQEBsecondHandle==", "a9f0e61a137d86aa9db53465e0801612", "second"));

TEST(SqsParseTest, DocumentedResponseGivesEveryMessage) {
  auto messages = parseReceiveMessageResponse(kDocumented);
  ASSERT_TRUE(messages) << messages.status().toString();
  ASSERT_EQ(messages->size(), 2u);
  const SqsMessage& m = (*messages)[0];
  EXPECT_EQ(m.message_id, "5fea7756-0ea4-451a-a703-a558b933e274");
  EXPECT_EQ(m.receipt_handle.substr(0, 20), "MbZj6wDWli+JvwwJaBV+");
  EXPECT_EQ(m.receipt_handle.back(), '=');
  EXPECT_EQ(m.md5_of_body, "fafb00f5732ab283681e124bf8747ed1");
  EXPECT_EQ(m.body, "This is a test message");
  EXPECT_EQ(m.receive_count, 5);
  EXPECT_EQ((*messages)[1].body, "second");
  EXPECT_EQ((*messages)[1].receive_count, 0) << "no ApproximateReceiveCount returned";
}

TEST(SqsParseTest, PrefixedNamespaceParsesTheSame) {
  std::string doc = std::string("<sqs:ReceiveMessageResponse xmlns:sqs=\"") + kNs +
                    "\"><sqs:ReceiveMessageResult><sqs:Message><sqs:MessageId>m1</sqs:MessageId>"
                    "<sqs:ReceiptHandle>h1</sqs:ReceiptHandle><sqs:MD5OfBody>"
                    "A9F0E61A137D86AA9DB53465E0801612</sqs:MD5OfBody><sqs:Body>second</sqs:Body>"
                    "<sqs:Attribute><sqs:Name>ApproximateReceiveCount</sqs:Name>"
                    "<sqs:Value>2</sqs:Value></sqs:Attribute></sqs:Message>"
                    "</sqs:ReceiveMessageResult></sqs:ReceiveMessageResponse>";
  auto messages = parseReceiveMessageResponse(doc);
  ASSERT_TRUE(messages) << messages.status().toString();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ((*messages)[0].receipt_handle, "h1");
  EXPECT_EQ((*messages)[0].md5_of_body, "a9f0e61a137d86aa9db53465e0801612") << "lower-cased";
  EXPECT_EQ((*messages)[0].receive_count, 2);
}

TEST(SqsParseTest, EmptyPollHasNoMessages) {
  auto empty = parseReceiveMessageResponse(receiveResponse(""));
  ASSERT_TRUE(empty) << empty.status().toString();
  EXPECT_TRUE(empty->empty());
  auto self_closed = parseReceiveMessageResponse(
      std::string("<ReceiveMessageResponse xmlns=\"") + kNs +
      "\"><ReceiveMessageResult/><ResponseMetadata><RequestId>x</RequestId>"
      "</ResponseMetadata></ReceiveMessageResponse>");
  ASSERT_TRUE(self_closed) << self_closed.status().toString();
  EXPECT_TRUE(self_closed->empty());
}

TEST(SqsParseTest, BodyIsKeptExactlyWithEntitiesAndCarriageReturns) {
  // SQS escapes '<', '&' and CR (&#xD;), which an XML parser would otherwise turn into LF.
  auto messages = parseReceiveMessageResponse(receiveResponse(
      messageXml("m", "h", "bda6ba13eb0e510012f91cf1f51e3a1b",
                 "  &lt;a href=\"x\"&gt;&amp;amp;&lt;/a&gt;&#xD;\nline2 \xC3\xA9\n")));
  ASSERT_TRUE(messages) << messages.status().toString();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ((*messages)[0].body, "  <a href=\"x\">&amp;</a>\r\nline2 \xC3\xA9\n");
}

TEST(SqsParseTest, MissingReceiptHandleIsCorruptionNamingIt) {
  auto bad = parseReceiveMessageResponse(receiveResponse(
      "<Message><MessageId>m</MessageId><MD5OfBody>x</MD5OfBody><Body>b</Body></Message>"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("ReceiptHandle"), std::string::npos)
      << bad.status().toString();
}

TEST(SqsParseTest, BadReceiveCountIsCorruption) {
  auto bad = parseReceiveMessageResponse(
      receiveResponse(messageXml("m", "h", "", "b", attr("ApproximateReceiveCount", "two"))));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("'two'"), std::string::npos) << bad.status().toString();
}

TEST(SqsParseTest, WrongRootOrBrokenXmlIsCorruption) {
  auto error_doc = parseReceiveMessageResponse(
      "<ErrorResponse><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue"
      "</Code><Message>The specified queue does not exist.</Message></Error>"
      "<RequestId>r</RequestId></ErrorResponse>");
  ASSERT_FALSE(error_doc);
  EXPECT_EQ(error_doc.status().code(), StatusCode::kCorruption);
  EXPECT_NE(error_doc.status().message().find("AWS.SimpleQueueService.NonExistentQueue"),
            std::string::npos)
      << error_doc.status().toString();
  auto other = parseReceiveMessageResponse("<SendMessageResponse/>");
  ASSERT_FALSE(other);
  EXPECT_NE(other.status().message().find("SendMessageResponse"), std::string::npos);
  EXPECT_EQ(parseReceiveMessageResponse("<ReceiveMessageResponse><Rec").status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(parseReceiveMessageResponse("").status().code(), StatusCode::kCorruption);
}

// ---- Requests, against the scripted server ----

Credentials testCredentials() {
  Credentials c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = SecretString("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  return c;
}

class SqsClientTest : public ::testing::Test {
 protected:
  SqsClientTest()
      : transport_(net::makeCurlTransport(httpOptions())),
        credentials_(makeStaticCredentials(testCredentials())),
        clock_(fromUnixSeconds(1767225600)),
        random_(7),
        aws_(*transport_, *credentials_, clock_, random_, RetryPolicy{2, 1, 1}),
        sqs_(aws_, server_.url(), "eu-west-1", true) {}

  static net::HttpOptions httpOptions() {
    net::HttpOptions o;
    o.connect_timeout_ms = 2000;
    o.request_timeout_ms = 5000;
    return o;
  }
  static test::ScriptedHttpServer::Response xmlResponse(int status, std::string body) {
    return {status, {{"Content-Type", "text/xml"}}, std::move(body)};
  }

  const std::string queue_ = "https://sqs.eu-west-1.amazonaws.com/123456789012/trail-events";
  test::ScriptedHttpServer server_;
  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<CredentialsProvider> credentials_;
  test::ManualClock clock_;  // retries wait on it without sleeping
  SeededRandomSource random_;
  AwsClient aws_;
  SqsClient sqs_;
};

TEST_F(SqsClientTest, RequestUrlKeepsAwsQueueUrlsAndRewritesForCustomEndpoints) {
  SqsClient aws(aws_, "https://sqs.eu-west-1.amazonaws.com", "eu-west-1", false);
  EXPECT_EQ(aws.requestUrl(queue_), queue_);
  EXPECT_EQ(aws.requestUrl("/123456789012/q"),
            "https://sqs.eu-west-1.amazonaws.com/123456789012/q");
  SqsClient custom(aws_, "http://127.0.0.1:4566/", "eu-west-1", true);
  EXPECT_EQ(custom.requestUrl(queue_), "http://127.0.0.1:4566/123456789012/trail-events");
  EXPECT_EQ(custom.requestUrl("http://localhost:4566"), "http://127.0.0.1:4566");
}

TEST_F(SqsClientTest, ReceiveSendsTheDocumentedFormAndDropsCorruptMessages) {
  // The second message's body was damaged on the way: its MD5 no longer matches.
  std::string doc = kDocumented;
  doc.replace(doc.find("<Body>second</Body>"), 19, "<Body>secand</Body>");
  server_.enqueue(xmlResponse(200, doc));
  ReceiveRequest req;
  req.max_messages = 7;
  req.wait_seconds = 20;
  req.visibility_timeout = 120;
  int corrupt = -1;
  auto got = sqs_.receiveMessages(queue_, req, &corrupt);
  ASSERT_TRUE(got) << got.status().toString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].message_id, "5fea7756-0ea4-451a-a703-a558b933e274");
  EXPECT_EQ(corrupt, 1);

  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/123456789012/trail-events");
  const std::string* type = requests[0].header("Content-Type");
  EXPECT_TRUE(type && *type == "application/x-www-form-urlencoded; charset=utf-8");
  const std::string* auth = requests[0].header("Authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_NE(auth->find("/eu-west-1/sqs/aws4_request"), std::string::npos) << *auth;
  EXPECT_EQ(requests[0].form(), (Params{{"Action", "ReceiveMessage"},
                                              {"Version", "2012-11-05"},
                                              {"QueueUrl", queue_},
                                              {"AttributeName.1", "ApproximateReceiveCount"},
                                              {"MaxNumberOfMessages", "7"},
                                              {"WaitTimeSeconds", "20"},
                                              {"VisibilityTimeout", "120"}}));
}

TEST_F(SqsClientTest, QueueDefaultVisibilityIsNotSent) {
  server_.enqueue(xmlResponse(200, receiveResponse("")));
  ReceiveRequest req;
  req.wait_seconds = 0;
  auto got = sqs_.receiveMessages(queue_, req);
  ASSERT_TRUE(got) << got.status().toString();
  EXPECT_TRUE(got->empty());
  Params form = server_.requests().at(0).form();
  for (const auto& [name, value] : form) EXPECT_NE(name, "VisibilityTimeout");
  EXPECT_EQ(form.at(4), (std::pair<std::string, std::string>{"MaxNumberOfMessages", "10"}));
}

TEST_F(SqsClientTest, OutOfRangeRequestsAreRefusedBeforeSending) {
  ReceiveRequest req;
  req.max_messages = 11;
  EXPECT_EQ(sqs_.receiveMessages(queue_, req).status().code(), StatusCode::kInvalidArgument);
  req.max_messages = 1;
  req.wait_seconds = 21;
  EXPECT_EQ(sqs_.receiveMessages(queue_, req).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sqs_.changeVisibility(queue_, "h", 43201).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server_.requestCount(), 0u);
}

TEST_F(SqsClientTest, DeleteAndChangeVisibilitySendTheHandle) {
  server_.enqueue(xmlResponse(200, "<DeleteMessageResponse/>"));
  server_.enqueue(xmlResponse(200, "<ChangeMessageVisibilityResponse/>"));
  ASSERT_TRUE(sqs_.deleteMessage(queue_, "AQEB+h/1=="));
  ASSERT_TRUE(sqs_.changeVisibility(queue_, "AQEB+h/2==", 0));
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].form(), (Params{{"Action", "DeleteMessage"},
                                              {"Version", "2012-11-05"},
                                              {"QueueUrl", queue_},
                                              {"ReceiptHandle", "AQEB+h/1=="}}));
  EXPECT_NE(requests[0].body.find("ReceiptHandle=AQEB%2Bh%2F1%3D%3D"), std::string::npos);
  EXPECT_EQ(requests[1].form(), (Params{{"Action", "ChangeMessageVisibility"},
                                              {"Version", "2012-11-05"},
                                              {"QueueUrl", queue_},
                                              {"ReceiptHandle", "AQEB+h/2=="},
                                              {"VisibilityTimeout", "0"}}));
}

TEST_F(SqsClientTest, MissingQueueIsNotFoundNamingTheQueue) {
  server_.enqueue(xmlResponse(
      400,
      "<ErrorResponse><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue"
      "</Code><Message>The specified queue does not exist for this wsdl version.</Message>"
      "<Detail/></Error><RequestId>42d59b56-7407-4c4a-be0f-4c88daeea257</RequestId>"
      "</ErrorResponse>"));
  auto got = sqs_.receiveMessages(queue_, ReceiveRequest{});
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound) << got.status().toString();
  EXPECT_NE(got.status().message().find(queue_), std::string::npos) << got.status().toString();
  EXPECT_NE(got.status().message().find("NonExistentQueue"), std::string::npos);
}

// ---- Against moto_server ----

class SqsMotoTest : public test::MotoTest {
 protected:
  void SetUp() override {
    test::MotoTest::SetUp();
    if (HasFatalFailure()) return;
    net::HttpOptions http;
    http.connect_timeout_ms = 2000;
    // A long poll holds the request open for up to WaitTimeSeconds: the transport's request
    // timeout must exceed it.
    http.request_timeout_ms = 30000;
    transport_ = net::makeCurlTransport(http);
    Credentials c;
    c.access_key_id = env().at("AWS_ACCESS_KEY_ID");
    c.secret_access_key = SecretString(env().at("AWS_SECRET_ACCESS_KEY"));
    credentials_ = makeStaticCredentials(c);
    aws_ = std::make_unique<AwsClient>(*transport_, *credentials_, SystemClock::instance(), random_,
                                       RetryPolicy{2, 10, 100});
    sqs_ = std::make_unique<SqsClient>(*aws_, moto_->endpoint(), "us-east-1", true);
  }
  static const std::map<std::string, std::string>& env() { return test::fakeAwsEnv(); }

  test::RunResult awsCli(std::vector<std::string> args) {
    std::vector<std::string> argv = {test::awsCli(), "--endpoint-url", moto_->endpoint(),
                                     "--output", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto e = env();
    e["HOME"] = dir_.path();
    return test::run(argv, e);
  }
  std::string createQueue(const std::string& name) {
    test::RunResult r = awsCli({"sqs", "create-queue", "--queue-name", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return "";
    return nlohmann::json::parse(r.out).at("QueueUrl").get<std::string>();
  }
  void send(const std::string& queue, const std::string& body) { sendAll(queue, {body}); }
  // One CLI run for all the bodies (each run of the CLI costs about a second).
  void sendAll(const std::string& queue, const std::vector<std::string>& bodies) {
    nlohmann::json entries = nlohmann::json::array();
    for (size_t i = 0; i < bodies.size(); ++i) {
      entries.push_back({{"Id", "m" + std::to_string(i)}, {"MessageBody", bodies[i]}});
    }
    test::writeText(dir_.file("entries.json"), entries.dump());
    test::RunResult r = awsCli({"sqs", "send-message-batch", "--queue-url", queue, "--entries",
                                "file://" + dir_.file("entries.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto out = nlohmann::json::parse(r.out);
    EXPECT_EQ(out.at("Successful").size(), bodies.size()) << r.out;
  }
  // Receives without waiting, for tests that know what is on the queue.
  std::vector<SqsMessage> receive(const std::string& queue, int visibility = -1) {
    ReceiveRequest req;
    req.wait_seconds = 0;
    req.visibility_timeout = visibility;
    int corrupt = -1;
    auto got = sqs_->receiveMessages(queue, req, &corrupt);
    EXPECT_TRUE(got) << got.status().toString();
    EXPECT_EQ(corrupt, 0);
    return got ? *got : std::vector<SqsMessage>{};
  }

  test::TempDir dir_;
  SodiumRandomSource random_;
  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<CredentialsProvider> credentials_;
  std::unique_ptr<AwsClient> aws_;
  std::unique_ptr<SqsClient> sqs_;
};

TEST_F(SqsMotoTest, LongPollOnAnEmptyQueueReturnsNothing) {
  std::string queue = createQueue("empty-queue");
  ASSERT_FALSE(queue.empty());
  ReceiveRequest req;
  req.wait_seconds = 1;
  int corrupt = -1;
  auto start = std::chrono::steady_clock::now();
  auto got = sqs_->receiveMessages(queue, req, &corrupt);
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(got) << got.status().toString();
  EXPECT_TRUE(got->empty());
  EXPECT_EQ(corrupt, 0);
  EXPECT_GE(waited, std::chrono::milliseconds(900)) << "moto held the long poll";
}

TEST_F(SqsMotoTest, ReceiveChangeVisibilityDeleteRoundTrip) {
  std::string queue = createQueue("trail-notices");
  ASSERT_FALSE(queue.empty());
  const std::vector<std::string> bodies = {
      "{\"s3Bucket\":\"b\",\"s3ObjectKey\":[\"k\"]}",
      "unicode \xC3\xA9\xE2\x82\xAC\xF0\x9F\x90\x9D and\nnew\nlines\tand tabs",
      "xml <Message>&amp; \"quotes\" 'apos' ]]> &#xD; <![CDATA[x]]>",
      "  leading and trailing spaces  ",
      "windows\r\nline ends\r\n",
  };
  sendAll(queue, bodies);

  std::vector<SqsMessage> got;
  for (int i = 0; i < 5 && got.size() < bodies.size(); ++i) {
    for (SqsMessage& m : receive(queue, 60)) got.push_back(std::move(m));
  }
  ASSERT_EQ(got.size(), bodies.size());
  std::vector<std::string> seen;
  for (const SqsMessage& m : got) {
    seen.push_back(m.body);
    EXPECT_FALSE(m.message_id.empty());
    EXPECT_FALSE(m.receipt_handle.empty());
    EXPECT_EQ(m.md5_of_body.size(), 32u);
    EXPECT_EQ(m.receive_count, 1);
  }
  std::sort(seen.begin(), seen.end());
  std::vector<std::string> expected = bodies;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(seen, expected);

  // Everything is in flight for 60 s: nothing more to receive.
  EXPECT_TRUE(receive(queue).empty());
  // Visibility 0 hands the first message straight back, with a new handle.
  ASSERT_TRUE(sqs_->changeVisibility(queue, got[0].receipt_handle, 0));
  std::vector<SqsMessage> again = receive(queue, 60);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].message_id, got[0].message_id);
  EXPECT_EQ(again[0].body, got[0].body);
  EXPECT_EQ(again[0].receive_count, 2);

  ASSERT_TRUE(sqs_->deleteMessage(queue, again[0].receipt_handle));
  for (size_t i = 1; i < got.size(); ++i) {
    ASSERT_TRUE(sqs_->deleteMessage(queue, got[i].receipt_handle));
  }
  test::RunResult attrs =
      awsCli({"sqs", "get-queue-attributes", "--queue-url", queue, "--attribute-names", "All"});
  ASSERT_EQ(attrs.exit_code, 0) << attrs.err;
  auto a = nlohmann::json::parse(attrs.out).at("Attributes");
  EXPECT_EQ(a.at("ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(a.at("ApproximateNumberOfMessagesNotVisible"), "0");
  EXPECT_TRUE(receive(queue, 0).empty());
}

TEST_F(SqsMotoTest, MessageReceivedTwiceCountsTwo) {
  std::string queue = createQueue("redelivery");
  ASSERT_FALSE(queue.empty());
  send(queue, "once");
  std::vector<SqsMessage> first = receive(queue, 0);  // visible again at once
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].receive_count, 1);
  std::vector<SqsMessage> second = receive(queue, 0);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].message_id, first[0].message_id);
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_NE(second[0].receipt_handle, first[0].receipt_handle);
}

TEST_F(SqsMotoTest, DeletingTwiceIsAcceptedByMoto) {
  // moto 5.2 remembers the handles of deleted messages and accepts a second DeleteMessage
  // silently. AWS documents only that a stale handle "will succeed, but the message might not be
  // deleted", which this test cannot check.
  std::string queue = createQueue("double-delete");
  ASSERT_FALSE(queue.empty());
  send(queue, "x");
  std::vector<SqsMessage> got = receive(queue);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(sqs_->deleteMessage(queue, got[0].receipt_handle));
  Status again = sqs_->deleteMessage(queue, got[0].receipt_handle);
  EXPECT_TRUE(again) << again.toString();
  // A handle moto never issued is an error, not a silent success.
  Status bogus = sqs_->deleteMessage(queue, "not-a-handle");
  EXPECT_FALSE(bogus);
  EXPECT_EQ(bogus.code(), StatusCode::kInvalidArgument) << bogus.toString();
  EXPECT_NE(bogus.message().find("ReceiptHandleIsInvalid"), std::string::npos) << bogus.toString();
}

TEST_F(SqsMotoTest, WrongQueueUrlIsNotFoundNamingTheQueue) {
  std::string queue = createQueue("real-queue");
  ASSERT_FALSE(queue.empty());
  std::string wrong = queue.substr(0, queue.rfind('/') + 1) + "no-such-queue";
  ReceiveRequest req;
  req.wait_seconds = 0;
  auto got = sqs_->receiveMessages(wrong, req);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound) << got.status().toString();
  EXPECT_NE(got.status().message().find("no-such-queue"), std::string::npos)
      << got.status().toString();
  const std::string& code = aws_->lastError().code;
  EXPECT_TRUE(code == "AWS.SimpleQueueService.NonExistentQueue" || code == "QueueDoesNotExist")
      << code;
  EXPECT_EQ(sqs_->deleteMessage(wrong, "h").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ht::aws
