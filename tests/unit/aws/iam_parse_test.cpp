// IAM/STS response and error-document parsing, driven by the recorded documents under
// ../shared/testdata/iam (see xml_corpus.h): every document of a call IamClient/StsClient makes
// must parse to the values written below (or to botocore's own expected parse), every error
// document must give its code, message and request id, and every parser must reject every other
// document as Corruption.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "aws/aws_client.h"
#include "aws/iam_client.h"
#include "aws/xml.h"
#include "unit/aws/xml_corpus.h"

namespace ht::aws {
namespace {

using nlohmann::json;
using testdata::corpus;
using testdata::CorpusDoc;

json timeJson(const std::optional<TimePoint>& t) { return t ? json(formatTime(*t)) : json(); }

json toJson(const IamUser& u) {
  json tags = json::array();
  for (const auto& [k, v] : u.tags) tags.push_back({k, v});
  return {{"user_name", u.user_name},
          {"user_id", u.user_id},
          {"arn", u.arn},
          {"path", u.path},
          {"create_date", timeJson(u.create_date)},
          {"tags", tags}};
}

json toJson(const AccessKey& k) {
  return {{"user_name", k.user_name},
          {"access_key_id", k.access_key_id},
          {"status", k.status},
          {"secret_access_key", std::string(k.secret_access_key.reveal())},
          {"create_date", timeJson(k.create_date)}};
}

json toJson(const std::vector<AccessKey>& keys) {
  json out = json::array();
  for (const auto& k : keys) out.push_back(toJson(k));
  return out;
}

json toJson(const AccessKeyLastUsed& u) {
  return {{"user_name", u.user_name},
          {"last_used_date", timeJson(u.last_used_date)},
          {"service_name", u.service_name},
          {"region", u.region}};
}

json toJson(const Credentials& c) {
  return {{"access_key_id", c.access_key_id},
          {"secret_access_key", std::string(c.secret_access_key.reveal())},
          {"session_token", c.session_token},
          {"expiration", timeJson(c.expiration)}};
}

json toJson(const CallerIdentity& c) {
  return {{"account", c.account}, {"arn", c.arn}, {"user_id", c.user_id}};
}

json toJson(const std::vector<std::string>& v) { return json(v); }
json toJson(const std::string& s) { return json(s); }

template <typename T>
std::function<Result<json>(std::string_view)> asJson(Result<T> (*parse)(std::string_view)) {
  return [parse](std::string_view xml) -> Result<json> {
    auto r = parse(xml);
    if (!r) return r.status();
    return toJson(*r);
  };
}

// Root element of each call's response → its parser, in canonical JSON form.
const std::map<std::string, std::function<Result<json>(std::string_view)>>& parsers() {
  static const std::map<std::string, std::function<Result<json>(std::string_view)>> m = {
      {"CreateUserResponse", asJson(&parseCreateUserResponse)},
      {"GetUserResponse", asJson(&parseGetUserResponse)},
      {"CreateAccessKeyResponse", asJson(&parseCreateAccessKeyResponse)},
      {"ListAccessKeysResponse", asJson(&parseListAccessKeysResponse)},
      {"GetAccessKeyLastUsedResponse", asJson(&parseGetAccessKeyLastUsedResponse)},
      {"ListUserPoliciesResponse", asJson(&parseListUserPoliciesResponse)},
      {"GetUserPolicyResponse", asJson(&parseGetUserPolicyResponse)},
      {"ListAttachedUserPoliciesResponse", asJson(&parseListAttachedUserPoliciesResponse)},
      {"AssumeRoleResponse", asJson(&parseAssumeRoleResponse)},
      {"GetCallerIdentityResponse", asJson(&parseGetCallerIdentityResponse)},
  };
  return m;
}

// The calls with no result document: checked by checkActionResponse.
const std::set<std::string>& emptyActions() {
  static const std::set<std::string> s = {"PutUserPolicy",   "DeleteUserPolicy",
                                          "DeleteUser",      "UpdateAccessKey",
                                          "DeleteAccessKey", "DetachUserPolicy"};
  return s;
}

// Expected values for the corpus documents of our calls, written from reading each file. A
// document of one of our calls without an entry here (or a botocore .json) fails the test.
const std::map<std::string, json>& expectedResponses() {
  static const std::map<std::string, json> m = {
      {"goamz/iam/CreateUserExample.xml",
       {{"user_name", "Bob"},
        {"user_id", "AIDACKCEVSQ6C2EXAMPLE"},
        {"arn", "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob"},
        {"path", "/division_abc/subdivision_xyz/"},
        {"create_date", nullptr},
        {"tags", json::array()}}},
      {"goamz/iam/GetUserExample.xml",
       {{"user_name", "Bob"},
        {"user_id", "AIDACKCEVSQ6C2EXAMPLE"},
        {"arn", "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob"},
        {"path", "/division_abc/subdivision_xyz/"},
        {"create_date", nullptr},
        {"tags", json::array()}}},
      // The ARN is wrapped over three lines in this file: it must come back trimmed.
      {"jclouds-iam/get_user.xml",
       {{"user_name", "Bob"},
        {"user_id", "AIDACKCEVSQ6C2EXAMPLE"},
        {"arn", "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob"},
        {"path", "/division_abc/subdivision_xyz/"},
        {"create_date", "2009-03-06T21:47:48Z"},
        {"tags", json::array()}}},
      {"goamz/iam/CreateAccessKeyExample.xml",
       {{"user_name", "Bob"},
        {"access_key_id", "AKIAIOSFODNN7EXAMPLE"},
        {"status", "Active"},
        {"secret_access_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"},
        {"create_date", nullptr}}},
      {"goamz/iam/ListAccessKeyExample.xml",
       json::array({{{"user_name", "Bob"},
                     {"access_key_id", "AKIAIOSFODNN7EXAMPLE"},
                     {"status", "Active"},
                     {"secret_access_key", ""},
                     {"create_date", nullptr}},
                    {{"user_name", "Bob"},
                     {"access_key_id", "AKIAI44QH8DHBEXAMPLE"},
                     {"status", "Inactive"},
                     {"secret_access_key", ""},
                     {"create_date", nullptr}}})},
      // Not URL-encoded in this old example, and padded with whitespace: decoding is the identity.
      {"goamz/iam/GetUserPolicyExample.xml",
       R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"},
      // The session token and secret are wrapped over several lines (copied from the AWS docs).
      {"goamz/sts/AssumeRoleResponse.xml",
       {{"access_key_id", "AKIAIOSFODNN7EXAMPLE"},
        {"secret_access_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"},
        {"session_token",
         "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmx"
         "fpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0K"
         "PkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZb"
         "qBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="},
        {"expiration", "2011-07-15T23:28:33Z"}}},
      {"jclouds-sts/assume_role.xml",
       {{"access_key_id", "AKIAIOSFODNN7EXAMPLE"},
        {"secret_access_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"},
        {"session_token", "AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT"},
        {"expiration", "2011-07-11T19:55:29Z"}}},
      {"boto-legacy/sts_test_connection.xml.jsonl:48",
       {{"access_key_id", "accesskey"},
        {"secret_access_key", "secretkey"},
        {"session_token", "session_token"},
        {"expiration", "2012-10-18T10:18:14Z"}}},
  };
  return m;
}

// botocore's expected parse (the sibling .json) in our canonical form.
std::optional<json> fromBotocore(const std::string& root, const json& b) {
  auto str = [](const json& j, const char* k) {
    return j.contains(k) ? j.at(k).get<std::string>() : "";
  };
  auto date = [](const json& j, const char* k) -> json {
    if (!j.contains(k)) return nullptr;
    auto t = parseTime(j.at(k).get<std::string>());
    return t ? json(formatTime(*t)) : json();
  };
  if (root == "GetUserResponse" || root == "CreateUserResponse") {
    const json& u = b.at("User");
    return json{{"user_name", str(u, "UserName")},
                {"user_id", str(u, "UserId")},
                {"arn", str(u, "Arn")},
                {"path", str(u, "Path")},
                {"create_date", date(u, "CreateDate")},
                {"tags", json::array()}};
  }
  if (root == "ListAccessKeysResponse") {
    json out = json::array();
    for (const json& k : b.at("AccessKeyMetadata")) {
      out.push_back({{"user_name", str(k, "UserName")},
                     {"access_key_id", str(k, "AccessKeyId")},
                     {"status", str(k, "Status")},
                     {"secret_access_key", ""},
                     {"create_date", date(k, "CreateDate")}});
    }
    return out;
  }
  if (root == "AssumeRoleResponse") {
    const json& c = b.at("Credentials");
    return json{{"access_key_id", str(c, "AccessKeyId")},
                {"secret_access_key", str(c, "SecretAccessKey")},
                {"session_token", str(c, "SessionToken")},
                {"expiration", date(c, "Expiration")}};
  }
  return std::nullopt;  // GetUserPolicy is compared as parsed JSON below
}

// ---- responses of our calls ----

TEST(IamParseCorpusTest, EveryResponseOfOurCallsParsesToItsExpectedValues) {
  ASSERT_TRUE(testdata::corpusPresent());
  std::set<std::string> seen;
  std::map<std::string, int> per_call;
  for (const CorpusDoc& doc : corpus()) {
    auto parser = parsers().find(doc.root);
    if (parser == parsers().end()) continue;
    SCOPED_TRACE(doc.id);
    seen.insert(doc.id);
    ++per_call[doc.root];
    auto parsed = parser->second(doc.body);
    ASSERT_TRUE(parsed) << parsed.status().toString();
    bool checked = false;
    if (auto it = expectedResponses().find(doc.id); it != expectedResponses().end()) {
      EXPECT_EQ(*parsed, it->second);
      checked = true;
    }
    if (doc.expected) {
      if (doc.root == "GetUserPolicyResponse") {
        // botocore decodes and parses the document; the decoded text must be that same JSON.
        json policy = json::parse(parsed->get<std::string>(), nullptr, false);
        ASSERT_FALSE(policy.is_discarded()) << "decoded policy is not JSON: " << *parsed;
        EXPECT_EQ(policy, doc.expected->at("PolicyDocument"));
        checked = true;
      } else if (auto b = fromBotocore(doc.root, *doc.expected)) {
        EXPECT_EQ(*parsed, *b) << "against botocore's expected parse";
        checked = true;
      }
    }
    EXPECT_TRUE(checked) << "no expected values for " << doc.id << " (" << doc.root
                         << "): add them to expectedResponses()";
  }
  for (const auto& [id, _] : expectedResponses()) {
    EXPECT_TRUE(seen.count(id)) << "expected document not found in the test data: " << id;
  }
  // What the shared data holds today: GetUser 3, ListAccessKeys 2, GetUserPolicy 2, AssumeRole 3,
  // CreateUser 1, CreateAccessKey 1. Fewer means files went missing.
  EXPECT_GE(seen.size(), 12u);
  EXPECT_EQ(per_call["GetUserResponse"], 3);
  EXPECT_EQ(per_call["AssumeRoleResponse"], 3);
}

TEST(IamParseCorpusTest, BotocoreGetUserPolicyDecodesTheUrlEncodedDocument) {
  ASSERT_TRUE(testdata::corpusPresent());
  const std::string body = testdata::readFile(
      testdata::iamTestdataDir() / "botocore-response-parsing/responses/iam-get-user-policy.xml");
  ASSERT_FALSE(body.empty());
  auto policy = parseGetUserPolicyResponse(body);
  ASSERT_TRUE(policy) << policy.status().toString();
  EXPECT_EQ(policy->substr(0, 18), "{\n  \"Statement\": [");
  EXPECT_NE(policy->find("\"Resource\": \"*\""), std::string::npos);  // %2A decoded too
  EXPECT_EQ(policy->find('%'), std::string::npos);
}

// Other STS calls carry the same <Credentials>, but parseAssumeRoleResponse must not accept them:
// and no parser may accept any document that is not its own.
TEST(IamParseCorpusTest, EveryParserRejectsEveryOtherDocumentAsCorruption) {
  ASSERT_TRUE(testdata::corpusPresent());
  int rejections = 0;
  for (const CorpusDoc& doc : corpus()) {
    for (const auto& [root, parse] : parsers()) {
      if (doc.root == root) continue;
      auto r = parse(doc.body);
      ASSERT_FALSE(r) << doc.id << " accepted as " << root;
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << doc.id;
      // Names the call, and for an XML body the root element it wanted.
      const std::string wanted =
          doc.root.empty() ? root.substr(0, root.size() - 8) : "<" + root + ">";
      EXPECT_NE(r.status().message().find(wanted), std::string::npos)
          << doc.id << ": " << r.status().message();
      ++rejections;
    }
    for (const std::string& action : emptyActions()) {
      Status s = checkActionResponse(doc.body, action);
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << doc.id;
    }
  }
  EXPECT_GT(rejections, 1000);
}

TEST(IamParseCorpusTest, AnErrorDocumentGivenAsAResponseNamesTheAwsError) {
  const std::string body =
      testdata::readFile(testdata::iamTestdataDir() / "goamz/iam/DuplicateUserExample.xml");
  ASSERT_FALSE(body.empty()) << "test data missing under " << testdata::iamTestdataDir();
  auto r = parseCreateUserResponse(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("EntityAlreadyExists"), std::string::npos)
      << r.status().message();
}

// ---- error documents ----

struct ExpectedError {
  std::string code, message, request_id;
};

// Written from reading each file; the botocore and protocol-test documents carry their own.
const std::map<std::string, ExpectedError>& expectedErrors() {
  static const std::map<std::string, ExpectedError> m = {
      {"goamz/iam/DuplicateUserExample.xml",
       {"EntityAlreadyExists", "User with name Bob already exists.",
        "1d5f5000-1316-11e2-a60f-91a8e6fb6d21"}},
      {"goamz/s3/GetObjectErrorDump.xml",
       {"NoSuchBucket", "The specified bucket does not exist", "3F1B667FAD71C3D8"}},
      {"goamz/s3/InternalErrorDump.xml", {"InternalError", "Not relevant", "3F1B667FAD71C3D8"}},
      {"goamz/s3/NoSuchUploadErrorDump.xml", {"NoSuchUpload", "Not relevant", "3F1B667FAD71C3D8"}},
      {"jclouds-sts/error.xml",
       {"NoSuchKey", "The resource you requested does not exist", "4442587FB7D0A2F9"}},
      {"boto-legacy/s3_test_key.xml.jsonl:178", {"RequestTimeout", "", ""}},
      {"boto-legacy/s3_test_key.xml.jsonl:194", {"BadGateway", "", ""}},
      {"boto-legacy/s3_test_key.xml.jsonl:210", {"GatewayTimeout", "", ""}},
  };
  return m;
}

TEST(AwsErrorCorpusTest, EveryErrorDocumentGivesItsCodeMessageAndRequestId) {
  ASSERT_TRUE(testdata::corpusPresent());
  std::set<std::string> seen;
  int from_table = 0, from_botocore = 0, from_protocol = 0;
  for (const CorpusDoc& doc : corpus()) {
    const bool protocol_error = doc.expected && doc.expected->contains("errorCode");
    if (!testdata::isErrorRoot(doc.root) && !protocol_error) continue;
    SCOPED_TRACE(doc.id);
    seen.insert(doc.id);
    const int status = doc.http_status == 200 ? 400 : doc.http_status;
    AwsError e = parseErrorBody(status, doc.body);
    EXPECT_EQ(e.http_status, status);
    EXPECT_FALSE(e.code.empty());
    if (auto it = expectedErrors().find(doc.id); it != expectedErrors().end()) {
      EXPECT_EQ(e.code, it->second.code);
      EXPECT_EQ(e.message, it->second.message);
      EXPECT_EQ(e.request_id, it->second.request_id);
      ++from_table;
    } else if (protocol_error) {
      const json& c = *doc.expected;
      EXPECT_EQ(e.code, c.at("errorCode").get<std::string>());
      if (c.contains("errorMessage")) {
        EXPECT_EQ(e.message, c.at("errorMessage").get<std::string>());
      } else if (c.at("error").contains("Message")) {
        EXPECT_EQ(e.message, c.at("error").at("Message").get<std::string>());
      }
      EXPECT_EQ(e.request_id, "foo-id");
      ++from_protocol;
    } else if (doc.expected) {
      const json& err = doc.expected->at("Error");
      EXPECT_EQ(e.code, err.at("Code").get<std::string>());
      EXPECT_EQ(e.message, err.at("Message").get<std::string>());
      const json& meta = doc.expected->at("ResponseMetadata");
      if (meta.contains("RequestId")) {
        EXPECT_EQ(e.request_id, meta.at("RequestId").get<std::string>());
      } else {
        // botocore leaves S3's RequestId out of its expected output; it is in the XML.
        EXPECT_EQ(e.request_id,
                  xml::text(xml::Document::parse(doc.body, "t")->root(), "RequestId").value_or(""));
      }
      ++from_botocore;
    } else {
      ADD_FAILURE() << "no expected values for error document " << doc.id
                    << ": add it to expectedErrors()";
    }
  }
  for (const auto& [id, _] : expectedErrors()) {
    EXPECT_TRUE(seen.count(id)) << "expected error document not found in the test data: " << id;
  }
  EXPECT_EQ(from_table, 8);
  EXPECT_EQ(from_botocore, 5);
  EXPECT_EQ(from_protocol, 5);
}

TEST(AwsErrorTest, ShapesWithAndWithoutNamespaces) {
  AwsError iam = parseErrorBody(
      409,
      "<ErrorResponse><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code>"
      "<Message>User x exists.</Message></Error><RequestId>r1</RequestId></ErrorResponse>");
  EXPECT_EQ(iam.code, "EntityAlreadyExists");
  EXPECT_EQ(iam.message, "User x exists.");
  EXPECT_EQ(iam.request_id, "r1");
  EXPECT_EQ(iam.http_status, 409);

  AwsError prefixed =
      parseErrorBody(403,
                     "<?xml version=\"1.0\"?>\n<i:ErrorResponse "
                     "xmlns:i=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                     "<i:Error><i:Code>AccessDenied</i:Code><i:Message>no</i:Message></i:Error>"
                     "<i:RequestId>r2</i:RequestId></i:ErrorResponse>");
  EXPECT_EQ(prefixed.code, "AccessDenied");
  EXPECT_EQ(prefixed.message, "no");
  EXPECT_EQ(prefixed.request_id, "r2");

  AwsError ec2 = parseErrorBody(
      403,
      "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not "
      "authorized.</Message></Error></Errors><RequestID>r3</RequestID></Response>");
  EXPECT_EQ(ec2.code, "UnauthorizedOperation");
  EXPECT_EQ(ec2.message, "You are not authorized.");
  EXPECT_EQ(ec2.request_id, "r3");

  AwsError s3 = parseErrorBody(
      404,
      "<Error xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Code>NoSuchKey</Code>"
      "<Message>gone</Message><Key>a/b</Key><RequestId>r4</RequestId><HostId>h</HostId></Error>");
  EXPECT_EQ(s3.code, "NoSuchKey");
  EXPECT_EQ(s3.message, "gone");
  EXPECT_EQ(s3.request_id, "r4");
}

TEST(AwsErrorTest, BodiesThatAreNotErrorDocumentsGiveACodeFromTheStatus) {
  AwsError empty = parseErrorBody(503, "");
  EXPECT_EQ(empty.code, "HTTP503");
  EXPECT_EQ(empty.message, "");
  EXPECT_EQ(empty.http_status, 503);

  EXPECT_EQ(parseErrorBody(404, "  \r\n ").code, "HTTP404");

  AwsError html = parseErrorBody(502, "<html><body>Bad\ngateway<br></body></html>");
  EXPECT_EQ(html.code, "HTTP502");
  EXPECT_NE(html.message.find("Bad gateway"), std::string::npos) << html.message;
  EXPECT_EQ(html.message.find('\n'), std::string::npos);

  AwsError truncated = parseErrorBody(500, "<ErrorResponse><Error><Code>Internal");
  EXPECT_EQ(truncated.code, "HTTP500");

  AwsError json_body = parseErrorBody(400, R"({"__type":"Throttling","message":"slow"})");
  EXPECT_EQ(json_body.code, "HTTP400");
  EXPECT_NE(json_body.message.find("Throttling"), std::string::npos);

  AwsError other_xml = parseErrorBody(500, "<Foo><Bar/></Foo>");
  EXPECT_EQ(other_xml.code, "HTTP500");

  AwsError no_code = parseErrorBody(403, "<Error><Message>denied</Message></Error>");
  EXPECT_EQ(no_code.code, "HTTP403");
  EXPECT_EQ(no_code.message, "denied");

  const std::string huge(100000, 'x');
  EXPECT_LE(parseErrorBody(500, huge).message.size(), 210u);
}

// ---- calls without recorded documents in the shared data ----
// Written from the response shapes in the IAM/STS API reference; hand-made, not copied.

TEST(IamParseTest, CreateUserWithTagsAndNamespacePrefix) {
  auto u = parseCreateUserResponse(
      "<iam:CreateUserResponse xmlns:iam=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
      "<iam:CreateUserResult><iam:User><iam:Path>/</iam:Path><iam:UserName>svc-backup</"
      "iam:UserName>"
      "<iam:UserId>AIDAEXAMPLEEXAMPLE01</iam:UserId>"
      "<iam:Arn>arn:aws:iam::111122223333:user/svc-backup</iam:Arn>"
      "<iam:CreateDate>2024-02-03T04:05:06.789Z</iam:CreateDate>"
      "<iam:Tags><iam:member><iam:Key>team</iam:Key><iam:Value>ops &amp; "
      "infra</iam:Value></iam:member>"
      "<iam:member><iam:Key>empty</iam:Key><iam:Value/></iam:member></iam:Tags>"
      "</iam:User></iam:CreateUserResult></iam:CreateUserResponse>");
  ASSERT_TRUE(u) << u.status().toString();
  EXPECT_EQ(u->user_name, "svc-backup");
  EXPECT_EQ(u->path, "/");
  ASSERT_TRUE(u->create_date);
  EXPECT_EQ(formatTime(*u->create_date), "2024-02-03T04:05:06Z");
  ASSERT_EQ(u->tags.size(), 2u);
  EXPECT_EQ(u->tags[0], std::make_pair(std::string("team"), std::string("ops & infra")));
  EXPECT_EQ(u->tags[1], std::make_pair(std::string("empty"), std::string("")));
}

TEST(IamParseTest, GetAccessKeyLastUsedUsedAndNeverUsed) {
  auto used = parseGetAccessKeyLastUsedResponse(
      "<GetAccessKeyLastUsedResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
      "<GetAccessKeyLastUsedResult><AccessKeyLastUsed><Region>us-west-2</Region>"
      "<LastUsedDate>2015-03-13T10:45:00Z</LastUsedDate><ServiceName>s3</ServiceName>"
      "</AccessKeyLastUsed><UserName>bob</UserName></GetAccessKeyLastUsedResult>"
      "<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></"
      "GetAccessKeyLastUsedResponse>");
  ASSERT_TRUE(used) << used.status().toString();
  EXPECT_EQ(toJson(*used), json({{"user_name", "bob"},
                                 {"last_used_date", "2015-03-13T10:45:00Z"},
                                 {"service_name", "s3"},
                                 {"region", "us-west-2"}}));

  auto never = parseGetAccessKeyLastUsedResponse(
      "<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult><AccessKeyLastUsed>"
      "<Region>N/A</Region><ServiceName>N/A</ServiceName></AccessKeyLastUsed>"
      "<UserName>bob</UserName></GetAccessKeyLastUsedResult></GetAccessKeyLastUsedResponse>");
  ASSERT_TRUE(never) << never.status().toString();
  EXPECT_FALSE(never->last_used_date);
  EXPECT_EQ(never->service_name, "N/A");
  EXPECT_EQ(never->region, "N/A");

  // An emulator that leaves everything out still means "never used".
  auto bare = parseGetAccessKeyLastUsedResponse(
      "<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult><AccessKeyLastUsed>"
      "<LastUsedDate/></AccessKeyLastUsed></GetAccessKeyLastUsedResult>"
      "</GetAccessKeyLastUsedResponse>");
  ASSERT_TRUE(bare) << bare.status().toString();
  EXPECT_FALSE(bare->last_used_date);
  EXPECT_EQ(bare->service_name, "N/A");
  EXPECT_EQ(bare->region, "N/A");
}

TEST(IamParseTest, PolicyListsIncludingEmptyOnes) {
  auto names = parseListUserPoliciesResponse(
      "<ListUserPoliciesResponse><ListUserPoliciesResult><PolicyNames><member>AllAccessPolicy"
      "</member><member>KeyPolicy</member></PolicyNames><IsTruncated>false</IsTruncated>"
      "</ListUserPoliciesResult></ListUserPoliciesResponse>");
  ASSERT_TRUE(names) << names.status().toString();
  EXPECT_EQ(*names, (std::vector<std::string>{"AllAccessPolicy", "KeyPolicy"}));

  for (const char* empty :
       {"<ListUserPoliciesResponse><ListUserPoliciesResult><PolicyNames/><IsTruncated>false"
        "</IsTruncated></ListUserPoliciesResult></ListUserPoliciesResponse>",
        "<ListUserPoliciesResponse><ListUserPoliciesResult/></ListUserPoliciesResponse>"}) {
    auto none = parseListUserPoliciesResponse(empty);
    ASSERT_TRUE(none) << none.status().toString();
    EXPECT_TRUE(none->empty());
  }

  auto attached = parseListAttachedUserPoliciesResponse(
      "<ListAttachedUserPoliciesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
      "<ListAttachedUserPoliciesResult><AttachedPolicies><member><PolicyName>ReadOnlyAccess"
      "</PolicyName><PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn></member>"
      "</AttachedPolicies><IsTruncated>false</IsTruncated></ListAttachedUserPoliciesResult>"
      "</ListAttachedUserPoliciesResponse>");
  ASSERT_TRUE(attached) << attached.status().toString();
  EXPECT_EQ(*attached, std::vector<std::string>{"arn:aws:iam::aws:policy/ReadOnlyAccess"});
}

TEST(IamParseTest, GetCallerIdentity) {
  auto id = parseGetCallerIdentityResponse(
      "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
      "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/Alice</Arn>"
      "<UserId>AIDAEXAMPLEEXAMPLE02</UserId><Account>123456789012</Account>"
      "</GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef"
      "</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
  ASSERT_TRUE(id) << id.status().toString();
  EXPECT_EQ(toJson(*id), json({{"account", "123456789012"},
                               {"arn", "arn:aws:iam::123456789012:user/Alice"},
                               {"user_id", "AIDAEXAMPLEEXAMPLE02"}}));
}

TEST(IamParseTest, GetUserPolicyDecodesPercentEscapesButNotPlus) {
  auto p = parseGetUserPolicyResponse(
      "<GetUserPolicyResponse><GetUserPolicyResult><UserName>u</UserName><PolicyName>p"
      "</PolicyName><PolicyDocument>%7B%22a%22%3A%22b+c%20d%25%22%7D</PolicyDocument>"
      "</GetUserPolicyResult></GetUserPolicyResponse>");
  ASSERT_TRUE(p) << p.status().toString();
  EXPECT_EQ(*p, R"({"a":"b+c d%"})");
}

TEST(IamParseTest, ActionsWithoutAResultNeedTheirOwnResponseDocument) {
  EXPECT_TRUE(checkActionResponse(
      "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata>"
      "<RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>",
      "DeleteUser"));
  Status html =
      checkActionResponse("<html><body>Welcome to the hotel wifi</body></html>", "DeleteUser");
  EXPECT_EQ(html.code(), StatusCode::kCorruption);
  EXPECT_NE(html.message().find("DeleteUserResponse"), std::string::npos) << html.message();
  EXPECT_EQ(checkActionResponse("", "PutUserPolicy").code(), StatusCode::kCorruption);
  EXPECT_EQ(checkActionResponse("<PutUserPolicyResponse/>", "DeleteUser").code(),
            StatusCode::kCorruption);
}

// ---- bad input ----

TEST(IamParseTest, TruncatedDocumentsAreCorruptionNeverACrash) {
  ASSERT_TRUE(testdata::corpusPresent());
  int cuts = 0;
  for (const CorpusDoc& doc : corpus()) {
    auto parser = parsers().find(doc.root);
    if (parser == parsers().end()) continue;
    // Every prefix that ends before the root closes: none may parse, none may crash.
    const size_t close = doc.body.rfind("</");
    for (size_t len = 0; len < close; len += 7) {
      auto r = parser->second(std::string_view(doc.body).substr(0, len));
      ASSERT_FALSE(r) << doc.id << " cut at " << len;
      ASSERT_EQ(r.status().code(), StatusCode::kCorruption) << doc.id << " cut at " << len;
      ++cuts;
    }
  }
  EXPECT_GT(cuts, 300);
}

TEST(IamParseTest, TruncationIsReportedWithItsPlace) {
  auto r = parseGetUserResponse("<GetUserResponse>\n  <GetUserResult>\n    <User><UserId>AID");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("GetUser response"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
  EXPECT_NE(
      r.status().message().find("ends early, inside <GetUserResponse/GetUserResult/User/UserId>"),
      std::string::npos)
      << r.status().message();

  auto garbage = parseGetUserResponse("<GetUserResponse><GetUserResult></User></GetUserResponse>");
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.status().message().find("line 1, column"), std::string::npos)
      << garbage.status().message();

  auto empty = parseAssumeRoleResponse("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.status().code(), StatusCode::kCorruption);
  EXPECT_NE(empty.status().message().find("no root element"), std::string::npos);
}

TEST(IamParseTest, WrongRootIsCorruptionNamingBothElements) {
  auto r = parseGetUserResponse("<CreateUserResponse><CreateUserResult/></CreateUserResponse>");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("<GetUserResponse>"), std::string::npos);
  EXPECT_NE(r.status().message().find("<CreateUserResponse>"), std::string::npos);
}

// Dropping any required element from a real document is Corruption naming that element.
TEST(IamParseTest, MissingRequiredElementsAreNamed) {
  struct Case {
    std::string file;
    std::function<Result<json>(std::string_view)> parse;
    std::vector<std::string> required;  // local names; the message must carry the full path
  };
  const std::vector<Case> cases = {
      {"goamz/iam/CreateUserExample.xml",
       asJson(&parseCreateUserResponse),
       {"CreateUserResult", "User", "UserName", "UserId", "Arn"}},
      {"jclouds-iam/get_user.xml",
       asJson(&parseGetUserResponse),
       {"GetUserResult", "User", "UserId", "Arn"}},
      {"goamz/iam/CreateAccessKeyExample.xml",
       asJson(&parseCreateAccessKeyResponse),
       {"CreateAccessKeyResult", "AccessKey", "AccessKeyId", "Status", "SecretAccessKey"}},
      {"goamz/iam/ListAccessKeyExample.xml",
       asJson(&parseListAccessKeysResponse),
       {"ListAccessKeysResult", "AccessKeyId"}},
      {"goamz/iam/GetUserPolicyExample.xml",
       asJson(&parseGetUserPolicyResponse),
       {"GetUserPolicyResult", "PolicyDocument"}},
      {"jclouds-sts/assume_role.xml",
       asJson(&parseAssumeRoleResponse),
       {"AssumeRoleResult", "Credentials", "AccessKeyId", "SecretAccessKey", "SessionToken",
        "Expiration"}},
  };
  for (const Case& c : cases) {
    const std::string body = testdata::readFile(testdata::iamTestdataDir() / c.file);
    ASSERT_FALSE(body.empty()) << "test data missing: " << c.file;
    for (const std::string& name : c.required) {
      // Rename every occurrence so the element is absent (the document stays well-formed).
      std::string broken = body;
      for (const std::string& tag : {"<" + name + ">", "</" + name + ">"}) {
        std::string renamed = tag.substr(0, tag.size() - 1) + "Gone>";
        for (size_t at = broken.find(tag); at != std::string::npos; at = broken.find(tag, at)) {
          broken.replace(at, tag.size(), renamed);
          at += renamed.size();
        }
      }
      ASSERT_NE(broken, body) << c.file << " has no <" << name << ">";
      auto r = c.parse(broken);
      ASSERT_FALSE(r) << c.file << " without <" << name << "> parsed";
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
      EXPECT_NE(r.status().message().find("/" + name + ">"), std::string::npos)
          << c.file << ": " << r.status().message();
      EXPECT_NE(r.status().message().find("missing element"), std::string::npos)
          << r.status().message();
    }
  }
}

TEST(IamParseTest, BadValuesAreCorruptionNamingTheElement) {
  auto date = parseGetUserResponse(
      "<GetUserResponse><GetUserResult><User><UserId>AIDA1</UserId><Arn>a</Arn>"
      "<CreateDate>yesterday</CreateDate></User></GetUserResult></GetUserResponse>");
  ASSERT_FALSE(date);
  EXPECT_NE(date.status().message().find("GetUserResponse/GetUserResult/User/CreateDate"),
            std::string::npos)
      << date.status().message();

  auto expiry = parseAssumeRoleResponse(
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>"
      "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>soon"
      "</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>");
  ASSERT_FALSE(expiry);
  EXPECT_NE(expiry.status().message().find("Expiration"), std::string::npos);

  auto no_secret = parseCreateAccessKeyResponse(
      "<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><AccessKeyId>AKIA1</AccessKeyId>"
      "<Status>Active</Status><SecretAccessKey>  </SecretAccessKey></AccessKey>"
      "</CreateAccessKeyResult></CreateAccessKeyResponse>");
  ASSERT_FALSE(no_secret);
  EXPECT_NE(no_secret.status().message().find("SecretAccessKey"), std::string::npos);

  auto key_date = parseListAccessKeysResponse(
      "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><AccessKeyId>AKIA1"
      "</AccessKeyId><CreateDate>2020-13-01T00:00:00Z</CreateDate></member></AccessKeyMetadata>"
      "</ListAccessKeysResult></ListAccessKeysResponse>");
  ASSERT_FALSE(key_date);
  EXPECT_NE(key_date.status().message().find("AccessKeyMetadata/member/CreateDate"),
            std::string::npos)
      << key_date.status().message();

  auto member = parseListAccessKeysResponse(
      "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata>"
      "<member><AccessKeyId>AKIA1</AccessKeyId></member><member><Status>Active</Status></member>"
      "</AccessKeyMetadata></ListAccessKeysResult></ListAccessKeysResponse>");
  ASSERT_FALSE(member);
  EXPECT_NE(member.status().message().find("AccessKeyMetadata/member[2]/AccessKeyId"),
            std::string::npos)
      << member.status().message();
}

TEST(QueryBodyTest, EncodesPerRfc3986) {
  EXPECT_EQ(queryBody("GetUser", "2010-05-08", {}), "Action=GetUser&Version=2010-05-08");
  EXPECT_EQ(queryBody("PutUserPolicy", "2010-05-08",
                      {{"UserName", "a.b-c_d~e"},
                       {"PolicyDocument", R"({"Version":"2012-10-17","S":["a b","c/d*+"]})"},
                       {"Path", "/x/"},
                       {"Tags.member.1.Value", "é&="}}),
            "Action=PutUserPolicy&Version=2010-05-08&UserName=a.b-c_d~e"
            "&PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C%22S%22%3A%5B%22a%20b%22%2C%22c%"
            "2Fd%2A%2B%22%5D%7D&Path=%2Fx%2F&Tags.member.1.Value=%C3%A9%26%3D");
}

}  // namespace
}  // namespace ht::aws
