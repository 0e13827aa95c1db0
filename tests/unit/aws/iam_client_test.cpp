// IamClient and StsClient over real HTTP against the scripted server, which answers with the
// recorded AWS documents from ../shared/testdata/iam: the form bodies sent (Action, Version,
// parameters, tag encoding), the signing scope, the typed results, paging, and error documents
// turned into StatusCodes by AwsClient.
#include "aws/iam_client.h"

#include <gtest/gtest.h>

#include "aws/xml.h"
#include "core/strings.h"
#include "support/http_server.h"
#include "support/manual_clock.h"
#include "unit/aws/xml_corpus.h"

namespace ht::aws {
namespace {

using test::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;
using Params = std::vector<std::pair<std::string, std::string>>;

// A recorded document, or a failure that names the missing file.
std::string recorded(const std::string& rel) {
  const auto path = testdata::iamTestdataDir() / rel;
  std::string body = testdata::readFile(path);
  EXPECT_FALSE(body.empty()) << "test data missing: " << path;
  return body;
}

Response xml(int status, std::string body) {
  return Response{status, {{"Content-Type", "text/xml"}}, std::move(body)};
}

class IamClientTest : public ::testing::Test {
 protected:
  IamClientTest()
      : transport_(net::makeCurlTransport(httpOptions())),
        credentials_(makeStaticCredentials(credentials())),
        clock_(fromUnixSeconds(1767225600)),
        random_(7),
        aws_(*transport_, *credentials_, clock_, random_, RetryPolicy{2, 1, 1}),
        iam_(aws_, server_.url() + "/"),
        sts_(aws_, server_.url(), "eu-west-1") {}

  static net::HttpOptions httpOptions() {
    net::HttpOptions o;
    o.connect_timeout_ms = 2000;
    o.request_timeout_ms = 5000;
    return o;
  }
  static Credentials credentials() {
    Credentials c;
    c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    c.secret_access_key = SecretString("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    return c;
  }

  // The one request the server saw: method, path, content type and signing scope checked here.
  Params onlyRequest(const std::string& service, const std::string& region) {
    auto requests = server_.requests();
    EXPECT_EQ(requests.size(), 1u);
    if (requests.empty()) return {};
    return checked(requests.back(), service, region);
  }
  Params checked(const ScriptedHttpServer::Request& r, const std::string& service,
                 const std::string& region) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/");
    const std::string* type = r.header("Content-Type");
    EXPECT_TRUE(type && *type == "application/x-www-form-urlencoded; charset=utf-8");
    const std::string* auth = r.header("Authorization");
    EXPECT_TRUE(auth &&
                auth->find("/" + region + "/" + service + "/aws4_request") != std::string::npos)
        << (auth ? *auth : "no Authorization header");
    return r.form();
  }

  ScriptedHttpServer server_;
  std::unique_ptr<net::HttpTransport> transport_;
  std::unique_ptr<CredentialsProvider> credentials_;
  test::ManualClock clock_;  // retries wait on it without sleeping
  SeededRandomSource random_;
  AwsClient aws_;
  IamClient iam_;
  StsClient sts_;
};

TEST_F(IamClientTest, CreateUserSendsPathAndTagsAndReturnsTheUser) {
  server_.enqueue(xml(200, recorded("goamz/iam/CreateUserExample.xml")));
  auto user = iam_.createUser("Bob", "/division_abc/subdivision_xyz/",
                              {{"honeytrail:token", "tok 1"}, {"owner", "sec&ops=yes"}});
  ASSERT_TRUE(user) << user.status().toString();
  EXPECT_EQ(onlyRequest("iam", "us-east-1"), (Params{{"Action", "CreateUser"},
                                                     {"Version", "2010-05-08"},
                                                     {"UserName", "Bob"},
                                                     {"Path", "/division_abc/subdivision_xyz/"},
                                                     {"Tags.member.1.Key", "honeytrail:token"},
                                                     {"Tags.member.1.Value", "tok 1"},
                                                     {"Tags.member.2.Key", "owner"},
                                                     {"Tags.member.2.Value", "sec&ops=yes"}}));
  // Encoded per RFC 3986 on the wire: no '+' for a space, ':' and '/' escaped.
  EXPECT_NE(server_.requests()[0].body.find("Path=%2Fdivision_abc%2Fsubdivision_xyz%2F"),
            std::string::npos);
  EXPECT_NE(server_.requests()[0].body.find("Tags.member.1.Value=tok%201"), std::string::npos);
  EXPECT_EQ(user->user_id, "AIDACKCEVSQ6C2EXAMPLE");
  EXPECT_EQ(user->arn, "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob");
}

TEST_F(IamClientTest, CreateUserWithoutPathOrTagsSendsOnlyTheName) {
  server_.enqueue(xml(200, recorded("goamz/iam/CreateUserExample.xml")));
  ASSERT_TRUE(iam_.createUser("Bob", "", {}));
  EXPECT_EQ(onlyRequest("iam", "us-east-1"),
            (Params{{"Action", "CreateUser"}, {"Version", "2010-05-08"}, {"UserName", "Bob"}}));
}

TEST_F(IamClientTest, CreateUserThatExistsIsAlreadyExists) {
  server_.enqueue(xml(409, recorded("goamz/iam/DuplicateUserExample.xml")));
  auto user = iam_.createUser("Bob", "/", {});
  ASSERT_FALSE(user);
  EXPECT_EQ(user.status().code(), StatusCode::kAlreadyExists) << user.status().toString();
  EXPECT_NE(user.status().message().find("CreateUser"), std::string::npos);
  EXPECT_NE(user.status().message().find("EntityAlreadyExists"), std::string::npos);
  EXPECT_EQ(iam_.lastError().code, "EntityAlreadyExists");
  EXPECT_EQ(iam_.lastError().request_id, "1d5f5000-1316-11e2-a60f-91a8e6fb6d21");
  EXPECT_EQ(server_.requestCount(), 1u);  // not retried
}

TEST_F(IamClientTest, GetUserByNameAndForTheCaller) {
  server_.enqueue(xml(200, recorded("jclouds-iam/get_user.xml")));
  auto bob = iam_.getUser("Bob");
  ASSERT_TRUE(bob) << bob.status().toString();
  EXPECT_EQ(onlyRequest("iam", "us-east-1"),
            (Params{{"Action", "GetUser"}, {"Version", "2010-05-08"}, {"UserName", "Bob"}}));
  ASSERT_TRUE(bob->create_date);
  EXPECT_EQ(formatTime(*bob->create_date), "2009-03-06T21:47:48Z");

  server_.clearRequests();
  server_.enqueue(xml(200, recorded("botocore-response-parsing/responses/iam-get-user.xml")));
  auto root = iam_.getUser("");
  ASSERT_TRUE(root) << root.status().toString();
  EXPECT_EQ(onlyRequest("iam", "us-east-1"),
            (Params{{"Action", "GetUser"}, {"Version", "2010-05-08"}}));
  EXPECT_EQ(root->arn, "arn:aws:iam::123456789012:root");
  EXPECT_EQ(root->user_name, "");
}

TEST_F(IamClientTest, GetUserThatDoesNotExistIsNotFound) {
  server_.enqueue(xml(404, recorded("botocore-response-parsing/errors/iam-get-user.xml")));
  auto user = iam_.getUser("foobar");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.status().code(), StatusCode::kNotFound) << user.status().toString();
  EXPECT_EQ(iam_.lastError().code, "NoSuchEntity");
  EXPECT_EQ(iam_.lastError().message, "The user with name foobar cannot be found.");
}

TEST_F(IamClientTest, AccessKeysCreateListUpdateDelete) {
  server_.enqueue(xml(200, recorded("goamz/iam/CreateAccessKeyExample.xml")));
  auto key = iam_.createAccessKey("Bob");
  ASSERT_TRUE(key) << key.status().toString();
  EXPECT_EQ(
      onlyRequest("iam", "us-east-1"),
      (Params{{"Action", "CreateAccessKey"}, {"Version", "2010-05-08"}, {"UserName", "Bob"}}));
  EXPECT_EQ(key->access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(key->secret_access_key.reveal(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_EQ(key->status, "Active");

  server_.clearRequests();
  server_.enqueue(
      xml(200, recorded("botocore-response-parsing/responses/iam-list-access-keys.xml")));
  auto keys = iam_.listAccessKeys("Bob");
  ASSERT_TRUE(keys) << keys.status().toString();
  EXPECT_EQ(onlyRequest("iam", "us-east-1"),
            (Params{{"Action", "ListAccessKeys"}, {"Version", "2010-05-08"}, {"UserName", "Bob"}}));
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[1].access_key_id, "AKIAI44QH8DHBEXAMPLE");
  EXPECT_EQ((*keys)[1].status, "Inactive");

  server_.clearRequests();
  server_.enqueue(xml(200,
                      "<UpdateAccessKeyResponse xmlns=\"https://iam.amazonaws.com/doc/"
                      "2010-05-08/\"><ResponseMetadata><RequestId>r</RequestId>"
                      "</ResponseMetadata></UpdateAccessKeyResponse>"));
  ASSERT_TRUE(iam_.updateAccessKey("Bob", "AKIAIOSFODNN7EXAMPLE", "Inactive"));
  EXPECT_EQ(onlyRequest("iam", "us-east-1"), (Params{{"Action", "UpdateAccessKey"},
                                                     {"Version", "2010-05-08"},
                                                     {"UserName", "Bob"},
                                                     {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE"},
                                                     {"Status", "Inactive"}}));

  server_.clearRequests();
  server_.enqueue(xml(200,
                      "<DeleteAccessKeyResponse><ResponseMetadata><RequestId>r</RequestId>"
                      "</ResponseMetadata></DeleteAccessKeyResponse>"));
  ASSERT_TRUE(iam_.deleteAccessKey("Bob", "AKIAIOSFODNN7EXAMPLE"));
  EXPECT_EQ(onlyRequest("iam", "us-east-1"), (Params{{"Action", "DeleteAccessKey"},
                                                     {"Version", "2010-05-08"},
                                                     {"UserName", "Bob"},
                                                     {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE"}}));
}

TEST_F(IamClientTest, GetAccessKeyLastUsed) {
  server_.enqueue(xml(200,
                      "<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult>"
                      "<AccessKeyLastUsed><Region>N/A</Region><ServiceName>N/A</ServiceName>"
                      "</AccessKeyLastUsed><UserName>Bob</UserName></GetAccessKeyLastUsedResult>"
                      "</GetAccessKeyLastUsedResponse>"));
  auto used = iam_.getAccessKeyLastUsed("AKIAIOSFODNN7EXAMPLE");
  ASSERT_TRUE(used) << used.status().toString();
  EXPECT_EQ(onlyRequest("iam", "us-east-1"), (Params{{"Action", "GetAccessKeyLastUsed"},
                                                     {"Version", "2010-05-08"},
                                                     {"AccessKeyId", "AKIAIOSFODNN7EXAMPLE"}}));
  EXPECT_FALSE(used->last_used_date);
  EXPECT_EQ(used->service_name, "N/A");
}

TEST_F(IamClientTest, InlinePolicyPutGetListDelete) {
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})";
  server_.enqueue(xml(200,
                      "<PutUserPolicyResponse><ResponseMetadata><RequestId>r</RequestId>"
                      "</ResponseMetadata></PutUserPolicyResponse>"));
  ASSERT_TRUE(iam_.putUserPolicy("Bob", "deny-all", policy));
  EXPECT_EQ(onlyRequest("iam", "us-east-1"), (Params{{"Action", "PutUserPolicy"},
                                                     {"Version", "2010-05-08"},
                                                     {"UserName", "Bob"},
                                                     {"PolicyName", "deny-all"},
                                                     {"PolicyDocument", policy}}));

  server_.clearRequests();
  server_.enqueue(
      xml(200, recorded("botocore-response-parsing/responses/iam-get-user-policy.xml")));
  auto doc = iam_.getUserPolicy("test", "test");
  ASSERT_TRUE(doc) << doc.status().toString();
  EXPECT_EQ(onlyRequest("iam", "us-east-1"), (Params{{"Action", "GetUserPolicy"},
                                                     {"Version", "2010-05-08"},
                                                     {"UserName", "test"},
                                                     {"PolicyName", "test"}}));
  EXPECT_NE(doc->find("\"ec2:CreateSnapshot\""), std::string::npos) << *doc;

  server_.clearRequests();
  server_.enqueue(xml(200,
                      "<ListUserPoliciesResponse><ListUserPoliciesResult><PolicyNames>"
                      "<member>deny-all</member></PolicyNames><IsTruncated>false</IsTruncated>"
                      "</ListUserPoliciesResult></ListUserPoliciesResponse>"));
  auto names = iam_.listUserPolicies("Bob");
  ASSERT_TRUE(names) << names.status().toString();
  EXPECT_EQ(*names, std::vector<std::string>{"deny-all"});
  EXPECT_EQ(
      onlyRequest("iam", "us-east-1"),
      (Params{{"Action", "ListUserPolicies"}, {"Version", "2010-05-08"}, {"UserName", "Bob"}}));

  server_.clearRequests();
  server_.enqueue(xml(200,
                      "<DeleteUserPolicyResponse><ResponseMetadata><RequestId>r</RequestId>"
                      "</ResponseMetadata></DeleteUserPolicyResponse>"));
  ASSERT_TRUE(iam_.deleteUserPolicy("Bob", "deny-all"));
  EXPECT_EQ(onlyRequest("iam", "us-east-1"), (Params{{"Action", "DeleteUserPolicy"},
                                                     {"Version", "2010-05-08"},
                                                     {"UserName", "Bob"},
                                                     {"PolicyName", "deny-all"}}));
}

TEST_F(IamClientTest, DetachUserPolicy) {
  server_.enqueue(xml(200,
                      "<DetachUserPolicyResponse><ResponseMetadata><RequestId>r</RequestId>"
                      "</ResponseMetadata></DetachUserPolicyResponse>"));
  ASSERT_TRUE(iam_.detachUserPolicy("Bob", "arn:aws:iam::aws:policy/ReadOnlyAccess"));
  EXPECT_EQ(onlyRequest("iam", "us-east-1"),
            (Params{{"Action", "DetachUserPolicy"},
                    {"Version", "2010-05-08"},
                    {"UserName", "Bob"},
                    {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}}));

  server_.enqueue(xml(404,
                      "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
                      "<Message>Policy is not attached.</Message></Error></ErrorResponse>"));
  Status s = iam_.detachUserPolicy("Bob", "arn:aws:iam::aws:policy/ReadOnlyAccess");
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.toString();
}

TEST_F(IamClientTest, ListsFollowMarkers) {
  server_.enqueue(xml(200,
                      "<ListAttachedUserPoliciesResponse><ListAttachedUserPoliciesResult>"
                      "<AttachedPolicies><member><PolicyName>A</PolicyName><PolicyArn>arn:a"
                      "</PolicyArn></member></AttachedPolicies><IsTruncated>true</IsTruncated>"
                      "<Marker>m/1+=</Marker></ListAttachedUserPoliciesResult>"
                      "</ListAttachedUserPoliciesResponse>"));
  server_.enqueue(xml(200,
                      "<ListAttachedUserPoliciesResponse><ListAttachedUserPoliciesResult>"
                      "<AttachedPolicies><member><PolicyName>B</PolicyName><PolicyArn>arn:b"
                      "</PolicyArn></member></AttachedPolicies><IsTruncated>false"
                      "</IsTruncated></ListAttachedUserPoliciesResult>"
                      "</ListAttachedUserPoliciesResponse>"));
  auto arns = iam_.listAttachedUserPolicies("Bob");
  ASSERT_TRUE(arns) << arns.status().toString();
  EXPECT_EQ(*arns, (std::vector<std::string>{"arn:a", "arn:b"}));
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(
      checked(requests[0], "iam", "us-east-1"),
      (Params{
          {"Action", "ListAttachedUserPolicies"}, {"Version", "2010-05-08"}, {"UserName", "Bob"}}));
  EXPECT_EQ(checked(requests[1], "iam", "us-east-1"),
            (Params{{"Action", "ListAttachedUserPolicies"},
                    {"Version", "2010-05-08"},
                    {"UserName", "Bob"},
                    {"Marker", "m/1+="}}));
}

TEST_F(IamClientTest, AServerRepeatingAMarkerIsAnErrorNotALoop) {
  server_.setHandler([](const ScriptedHttpServer::Request&) {
    return xml(200,
               "<ListUserPoliciesResponse><ListUserPoliciesResult><PolicyNames><member>p"
               "</member></PolicyNames><IsTruncated>true</IsTruncated><Marker>same</Marker>"
               "</ListUserPoliciesResult></ListUserPoliciesResponse>");
  });
  auto names = iam_.listUserPolicies("Bob");
  ASSERT_FALSE(names);
  EXPECT_EQ(names.status().code(), StatusCode::kCorruption);
  EXPECT_NE(names.status().message().find("repeated Marker"), std::string::npos);
  EXPECT_EQ(server_.requestCount(), 2u);
}

TEST_F(IamClientTest, DeleteUserNeedsItsOwnResponseDocument) {
  server_.enqueue(xml(200,
                      "<DeleteUserResponse><ResponseMetadata><RequestId>r</RequestId>"
                      "</ResponseMetadata></DeleteUserResponse>"));
  ASSERT_TRUE(iam_.deleteUser("Bob"));
  EXPECT_EQ(onlyRequest("iam", "us-east-1"),
            (Params{{"Action", "DeleteUser"}, {"Version", "2010-05-08"}, {"UserName", "Bob"}}));

  // A 200 from something that is not IAM (a captive portal) is not a deletion.
  server_.enqueue(
      Response{200, {{"Content-Type", "text/html"}}, "<html><body>Login</body></html>"});
  Status s = iam_.deleteUser("Bob");
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.toString();
}

TEST_F(IamClientTest, DeleteConflictIsFailedPrecondition) {
  server_.enqueue(xml(409,
                      "<ErrorResponse><Error><Type>Sender</Type><Code>DeleteConflict</Code>"
                      "<Message>Cannot delete entity, must delete policies first.</Message>"
                      "</Error><RequestId>r</RequestId></ErrorResponse>"));
  Status s = iam_.deleteUser("Bob");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.toString();
  EXPECT_EQ(iam_.lastError().code, "DeleteConflict");
}

TEST_F(IamClientTest, StsAssumeRoleAndCallerIdentitySignForTheirRegion) {
  server_.enqueue(xml(200, recorded("jclouds-sts/assume_role.xml")));
  AssumeRoleRequest req;
  req.role_arn = "arn:aws:iam::123456789012:role/honeytrail";
  req.session_name = "honeytrail";
  req.external_id = "ext-1";
  req.duration_seconds = 900;
  auto creds = sts_.assumeRole(req);
  ASSERT_TRUE(creds) << creds.status().toString();
  EXPECT_EQ(onlyRequest("sts", "eu-west-1"),
            (Params{{"Action", "AssumeRole"},
                    {"Version", "2011-06-15"},
                    {"RoleArn", "arn:aws:iam::123456789012:role/honeytrail"},
                    {"RoleSessionName", "honeytrail"},
                    {"DurationSeconds", "900"},
                    {"ExternalId", "ext-1"}}));
  EXPECT_EQ(creds->access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(creds->secret_access_key.reveal(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_EQ(creds->session_token, "AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT");
  ASSERT_TRUE(creds->expiration);
  EXPECT_EQ(formatTime(*creds->expiration), "2011-07-11T19:55:29Z");

  server_.clearRequests();
  server_.enqueue(xml(200,
                      "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/"
                      "2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:"
                      "user/Alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012"
                      "</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"));
  auto id = sts_.getCallerIdentity();
  ASSERT_TRUE(id) << id.status().toString();
  EXPECT_EQ(onlyRequest("sts", "eu-west-1"),
            (Params{{"Action", "GetCallerIdentity"}, {"Version", "2011-06-15"}}));
  EXPECT_EQ(id->account, "123456789012");
}

TEST_F(IamClientTest, StsAccessDeniedIsPermissionDenied) {
  server_.enqueue(xml(403, recorded("botocore-response-parsing/errors/sts-get-session-token.xml")));
  AssumeRoleRequest req;
  req.role_arn = "arn:aws:iam::123456789012:role/x";
  auto creds = sts_.assumeRole(req);
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.status().code(), StatusCode::kPermissionDenied) << creds.status().toString();
  EXPECT_NE(creds.status().message().find("AssumeRole"), std::string::npos);
  // No ExternalId parameter when none is configured.
  for (const auto& [name, value] : onlyRequest("sts", "eu-west-1")) EXPECT_NE(name, "ExternalId");
}

TEST_F(IamClientTest, EveryRecordedErrorDocumentBecomesANonOkStatus) {
  ASSERT_TRUE(testdata::corpusPresent());
  int checked = 0;
  for (const testdata::CorpusDoc& doc : testdata::corpus()) {
    if (!testdata::isErrorRoot(doc.root)) continue;
    SCOPED_TRACE(doc.id);
    // A handler, not a queue: some codes (InternalError, RequestTimeout) are retried.
    server_.setHandler([&doc](const ScriptedHttpServer::Request&) { return xml(400, doc.body); });
    auto r = iam_.getUser("x");
    ASSERT_FALSE(r);
    EXPECT_NE(r.status().code(), StatusCode::kOk);
    EXPECT_EQ(iam_.lastError().code, parseErrorBody(400, doc.body).code);
    EXPECT_NE(r.status().message().find(iam_.lastError().code), std::string::npos)
        << r.status().message();
    ++checked;
  }
  EXPECT_GE(checked, 13);
}

}  // namespace
}  // namespace ht::aws
