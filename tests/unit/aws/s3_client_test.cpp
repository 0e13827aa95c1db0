// S3Client: URL building (virtual-hosted and path-style), and ListObjectsV2 / GetObject over real
// HTTP against the scripted server: query parameters, continuation, the repeated-token guard,
// Range, and S3 error documents.
#include "aws/s3_client.h"

#include <gtest/gtest.h>

#include <map>

#include "aws/xml.h"
#include "core/strings.h"
#include "support/http_server.h"
#include "support/manual_clock.h"
#include "unit/aws/xml_corpus.h"

namespace ht::aws {
namespace {

using test::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

std::map<std::string, std::string> queryOf(const std::string& query) {
  std::map<std::string, std::string> out;
  if (query.empty()) return out;
  for (const std::string& part : split(query, '&')) {
    size_t eq = part.find('=');
    out[xml::percentDecode(part.substr(0, eq))] =
        eq == std::string::npos ? "" : xml::percentDecode(part.substr(eq + 1));
  }
  return out;
}

Response xml(int status, std::string body) {
  return Response{status, {{"Content-Type", "application/xml"}}, std::move(body)};
}

std::string v2Page(const std::vector<std::string>& keys, const std::string& next_token) {
  std::string body = "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  body += "<KeyCount>" + std::to_string(keys.size()) + "</KeyCount>";
  body += std::string("<IsTruncated>") + (next_token.empty() ? "false" : "true") + "</IsTruncated>";
  if (!next_token.empty())
    body += "<NextContinuationToken>" + next_token + "</NextContinuationToken>";
  for (const std::string& k : keys)
    body += "<Contents><Key>" + k + "</Key><Size>3</Size></Contents>";
  return body + "</ListBucketResult>";
}

class S3ClientTest : public ::testing::Test {
 protected:
  S3ClientTest()
      : transport_(net::makeCurlTransport(net::HttpOptions{})),
        credentials_(makeStaticCredentials(credentials())),
        clock_(fromUnixSeconds(1767225600)),
        random_(3),
        aws_(*transport_, *credentials_, clock_, random_, RetryPolicy{2, 1, 1}),
        s3_(aws_, server_.url(), "eu-central-1", /*custom_endpoint=*/true) {}

  static Credentials credentials() {
    Credentials c;
    c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    c.secret_access_key = SecretString("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    return c;
  }

  ScriptedHttpServer server_;
  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<CredentialsProvider> credentials_;
  test::ManualClock clock_;  // retries wait on it without sleeping
  SeededRandomSource random_;
  AwsClient aws_;
  S3Client s3_;
};

TEST_F(S3ClientTest, UrlsVirtualHostedAndPathStyle) {
  S3Client aws_auto(aws_, "https://s3.eu-central-1.amazonaws.com", "eu-central-1", false);
  EXPECT_EQ(aws_auto.objectUrl("trail-logs", "AWSLogs/1/a b+c.json.gz"),
            "https://trail-logs.s3.eu-central-1.amazonaws.com/AWSLogs/1/a%20b%2Bc.json.gz");
  EXPECT_EQ(aws_auto.objectUrl("trail-logs", "", "list-type=2"),
            "https://trail-logs.s3.eu-central-1.amazonaws.com/?list-type=2");
  // Dots would break the wildcard certificate; upper case is no host name: path-style.
  EXPECT_EQ(aws_auto.objectUrl("logs.example.com", "k"),
            "https://s3.eu-central-1.amazonaws.com/logs.example.com/k");
  EXPECT_EQ(aws_auto.objectUrl("Legacy_Bucket", "k"),
            "https://s3.eu-central-1.amazonaws.com/Legacy_Bucket/k");

  S3Client forced_path(aws_, "https://s3.eu-central-1.amazonaws.com/", "eu-central-1", false,
                       S3Addressing::kPathStyle);
  EXPECT_EQ(forced_path.objectUrl("trail-logs", "a//b/~c=d"),
            "https://s3.eu-central-1.amazonaws.com/trail-logs/a//b/~c%3Dd");

  S3Client custom(aws_, "http://127.0.0.1:9000", "us-east-1", true);
  EXPECT_EQ(custom.objectUrl("b", "x/y", "list-type=2"), "http://127.0.0.1:9000/b/x/y?list-type=2");
  EXPECT_EQ(custom.objectUrl("b", ""), "http://127.0.0.1:9000/b");

  S3Client custom_vh(aws_, "https://s3.localhost.localstack.cloud:4566", "us-east-1", true,
                     S3Addressing::kVirtualHosted);
  EXPECT_EQ(custom_vh.objectUrl("b1b", "k"), "https://b1b.s3.localhost.localstack.cloud:4566/k");
}

TEST_F(S3ClientTest, ListObjectsV2SendsItsParametersEncoded) {
  server_.enqueue(xml(200, v2Page({"AWSLogs/a"}, "")));
  ListObjectsRequest req;
  req.bucket = "trail";
  req.prefix = "AWSLogs/123456789012/CloudTrail/";
  req.start_after = "AWSLogs/123456789012/CloudTrail/eu-west-1/2024/01/01/x y.json.gz";
  req.delimiter = "/";
  req.continuation_token = "tok+/=";
  req.max_keys = 50;
  auto page = s3_.listObjectsV2(req);
  ASSERT_TRUE(page) << page.status().toString();
  ASSERT_EQ(server_.requestCount(), 1u);
  const auto r = server_.requests()[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path(), "/trail");
  EXPECT_EQ(queryOf(r.query()),
            (std::map<std::string, std::string>{{"list-type", "2"},
                                                {"prefix", req.prefix},
                                                {"start-after", req.start_after},
                                                {"continuation-token", "tok+/="},
                                                {"delimiter", "/"},
                                                {"max-keys", "50"},
                                                {"encoding-type", "url"}}));
  EXPECT_NE(r.query().find("continuation-token=tok%2B%2F%3D"), std::string::npos) << r.query();
  EXPECT_NE(r.query().find("x%20y.json.gz"), std::string::npos) << r.query();
  const std::string* sha = r.header("x-amz-content-sha256");
  EXPECT_TRUE(sha != nullptr) << "S3 requests carry x-amz-content-sha256";
  const std::string* auth = r.header("Authorization");
  ASSERT_TRUE(auth);
  EXPECT_NE(auth->find("/eu-central-1/s3/aws4_request"), std::string::npos) << *auth;
  EXPECT_EQ(page->objects.size(), 1u);
}

TEST_F(S3ClientTest, ListAllFollowsContinuationTokens) {
  server_.enqueue(xml(200, v2Page({"p/1", "p/2"}, "t1")));
  server_.enqueue(xml(200, v2Page({"p/3"}, "t2")));
  server_.enqueue(xml(200, v2Page({"p/4"}, "")));
  auto all = s3_.listAll("trail", "p/", "p/0");
  ASSERT_TRUE(all) << all.status().toString();
  std::vector<std::string> keys;
  for (const auto& o : *all) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"p/1", "p/2", "p/3", "p/4"}));
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(queryOf(requests[0].query()).count("continuation-token"), 0u);
  EXPECT_EQ(queryOf(requests[0].query())["start-after"], "p/0");
  EXPECT_EQ(queryOf(requests[1].query())["continuation-token"], "t1");
  EXPECT_EQ(queryOf(requests[2].query())["continuation-token"], "t2");
  EXPECT_EQ(queryOf(requests[2].query())["prefix"], "p/");
}

TEST_F(S3ClientTest, ListAllStopsOnARepeatedToken) {
  server_.setHandler(
      [](const ScriptedHttpServer::Request&) { return xml(200, v2Page({"k"}, "forever")); });
  auto all = s3_.listAll("trail", "");
  ASSERT_FALSE(all);
  EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
  EXPECT_NE(all.status().message().find("forever"), std::string::npos) << all.status().toString();
  EXPECT_EQ(server_.requestCount(), 2u);
}

TEST_F(S3ClientTest, ListAllOnAV1ServerContinuesAfterTheLastKeyAndStopsIfIgnored) {
  ASSERT_TRUE(testdata::corpusPresent());
  // A truncated v1 page (no token), then the server ignoring start-after: an error, not a loop.
  const std::string v1 = testdata::readFile(
      testdata::iamTestdataDir() /
      "net-amazon-s3/response__bucket_objects_list_v1_with_filter_truncated.xml");
  server_.setHandler([&v1](const ScriptedHttpServer::Request&) { return xml(200, v1); });
  auto all = s3_.listAll("some-bucket", "N");
  ASSERT_FALSE(all);
  EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(queryOf(requests[1].query())["start-after"], "Neo");
}

TEST_F(S3ClientTest, GetObjectWithRangeAndErrors) {
  server_.enqueue(Response{206, {{"Content-Range", "bytes 0-3/10"}}, "{\"Re"});
  auto part = s3_.getObject("trail", "AWSLogs/a b.json", "bytes=0-3");
  ASSERT_TRUE(part) << part.status().toString();
  EXPECT_EQ(*part, "{\"Re");
  auto r = server_.requests()[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/trail/AWSLogs/a%20b.json");
  ASSERT_TRUE(r.header("Range"));
  EXPECT_EQ(*r.header("Range"), "bytes=0-3");

  server_.clearRequests();
  server_.enqueue(Response{200, {}, "whole"});
  ASSERT_TRUE(s3_.getObject("trail", "k"));
  EXPECT_EQ(server_.requests()[0].header("Range"), nullptr);

  ASSERT_TRUE(testdata::corpusPresent());
  server_.enqueue(
      xml(404, testdata::readFile(testdata::iamTestdataDir() / "jclouds-sts/error.xml")));
  auto missing = s3_.getObject("mybucket", "myfoto.jpg");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().toString();
  EXPECT_EQ(aws_.lastError().code, "NoSuchKey");

  server_.enqueue(
      xml(403, testdata::readFile(testdata::iamTestdataDir() /
                                  "botocore-response-parsing/errors/s3-list-objects.xml")));
  ListObjectsRequest req;
  req.bucket = "trail";
  auto denied = s3_.listObjectsV2(req);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied) << denied.status().toString();
  EXPECT_EQ(aws_.lastError().request_id, "9C7D5181867045BB");
}

}  // namespace
}  // namespace ht::aws
