// parseEvent against every record of a real CloudTrail delivery set, plus wrong-type fixtures.
#include "detect/event.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "unit/detect/testdata_paths.h"

namespace ht::detect {
namespace {

namespace fs = std::filesystem;

// Every record of every delivery file, as separate JSON texts (what the ingest readers hand to
// parseEvent). nlohmann reads the files here because the ingest reader is developed apart.
std::vector<nlohmann::json> invictusRecords() {
  std::vector<nlohmann::json> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(invictusDir())) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto doc = nlohmann::json::parse(test::readText(f.string()));
    for (auto& r : doc.at("Records")) out.push_back(std::move(r));
  }
  return out;
}

TEST(ParseEvent, EveryInvictusRecordParses) {
  ASSERT_TRUE(fs::is_directory(invictusDir()))
      << "shared test data missing: " << invictusDir() << " (see shared/testdata/README.md)";
  const auto records = invictusRecords();
  ASSERT_EQ(records.size(), 2900u);  // README: 55 files, 2,900 records
  size_t errors = 0, with_time = 0, with_key = 0;
  for (const auto& r : records) {
    // Compact and indented forms: the raw-text capture must not depend on white space.
    for (int indent : {-1, 2}) {
      auto ev = parseEvent(r.dump(indent));
      if (!ev) {
        ++errors;
        ADD_FAILURE() << ev.status().toString() << " in " << r.value("eventID", "?");
        continue;
      }
      EXPECT_EQ(ev->event_id, r.at("eventID").get<std::string>());
      EXPECT_EQ(ev->event_name, r.at("eventName").get<std::string>());
      const auto& ui = r.at("userIdentity");
      EXPECT_EQ(ev->identity.access_key_id, ui.value("accessKeyId", ""));
      EXPECT_EQ(ev->identity.principal_id, ui.value("principalId", ""));
      if (r.contains("readOnly")) {
        EXPECT_EQ(ev->read_only, r.at("readOnly").get<bool>());
      } else {
        EXPECT_FALSE(ev->read_only.has_value());
      }
      // Raw request/response text round-trips to the same JSON value.
      if (r.contains("requestParameters") && !r.at("requestParameters").is_null()) {
        EXPECT_EQ(nlohmann::json::parse(ev->request_parameters), r.at("requestParameters"));
      } else {
        EXPECT_EQ(ev->request_parameters, "");
      }
      if (r.contains("responseElements") && !r.at("responseElements").is_null()) {
        EXPECT_EQ(nlohmann::json::parse(ev->response_elements), r.at("responseElements"));
      } else {
        EXPECT_EQ(ev->response_elements, "");
      }
      if (indent == -1) {
        with_time += ev->time.has_value() ? 1 : 0;
        with_key += ev->identity.access_key_id.empty() ? 0 : 1;
      }
    }
  }
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(with_time, 2900u);
  // jq -n '[inputs.Records[].userIdentity.accessKeyId | strings | select(. != "")] | length'
  EXPECT_EQ(with_key, 2815u);
}

TEST(ParseEvent, FieldsOfAnAssumedRoleRecord) {
  // Shape of the stratus-red-team EC2 role sessions in the invictus data, trimmed.
  const std::string text = R"({"eventVersion":"1.08","userIdentity":{"type":"AssumedRole",
    "principalId":"AROATFQR7NSC6Q6YRQ2Q7:i-0dbc91f429e48eeed",
    "arn":"arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-steal-credentials-role/i-0dbc91f429e48eeed",
    "accountId":"123837392027","accessKeyId":"ASIATFQR7NSCSHSEVYP5",
    "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROATFQR7NSC6Q6YRQ2Q7",
      "arn":"arn:aws:iam::123837392027:role/stratus-red-team-ec2-steal-credentials-role",
      "accountId":"123837392027","userName":"stratus-red-team-ec2-steal-credentials-role"},
      "ec2RoleDelivery":"2.0"}},
    "eventTime":"2023-07-10T12:21:13Z","eventSource":"ec2.amazonaws.com",
    "eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"3.3.3.3",
    "userAgent":"aws-cli/1.18","requestParameters":{"instancesSet":{},"filterSet":{}},
    "responseElements":null,"requestID":"r","eventID":"e","readOnly":true,
    "eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123837392027",
    "eventCategory":"Management","errorCode":"Client.UnauthorizedOperation",
    "errorMessage":"You are not authorized"})";
  auto ev = parseEvent(text);
  ASSERT_TRUE(ev) << ev.status().toString();
  EXPECT_EQ(ev->identity.type, "AssumedRole");
  EXPECT_EQ(ev->identity.session_issuer_principal_id, "AROATFQR7NSC6Q6YRQ2Q7");
  EXPECT_EQ(ev->identity.session_issuer_arn,
            "arn:aws:iam::123837392027:role/stratus-red-team-ec2-steal-credentials-role");
  EXPECT_EQ(ev->event_source, "ec2.amazonaws.com");
  EXPECT_EQ(ev->aws_region, "us-east-1");
  EXPECT_EQ(ev->source_ip, "3.3.3.3");
  EXPECT_EQ(ev->error_code, "Client.UnauthorizedOperation");
  EXPECT_EQ(ev->error_message, "You are not authorized");
  EXPECT_EQ(ev->event_type, "AwsApiCall");
  EXPECT_EQ(ev->event_category, "Management");
  EXPECT_EQ(ev->recipient_account_id, "123837392027");
  EXPECT_EQ(ev->request_parameters, R"({"instancesSet":{},"filterSet":{}})");
  EXPECT_EQ(ev->response_elements, "");
  ASSERT_TRUE(ev->time.has_value());
  EXPECT_EQ(formatTime(*ev->time), "2023-07-10T12:21:13Z");
}

TEST(ParseEvent, RequestFieldsCopiedOut) {
  auto ev = parseEvent(
      R"({"eventName":"AttachUserPolicy","requestParameters":{"userName":"malicious-iam-user",)"
      R"("policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}})");
  ASSERT_TRUE(ev) << ev.status().toString();
  EXPECT_EQ(ev->request_user_name, "malicious-iam-user");
  EXPECT_EQ(ev->request_policy_arn, "arn:aws:iam::aws:policy/AdministratorAccess");
}

// From aws-cloudtrail-processing-library's SerializerAllFieldsNull.json: every field null.
TEST(ParseEvent, AllFieldsNullIsAnEmptyEvent) {
  const std::string path = std::string(HT_SHARED_TESTDATA) +
                           "/cloudtrail/aws-cloudtrail-processing-library/"
                           "SerializerAllFieldsNull.json";
  ASSERT_TRUE(fs::exists(path)) << "shared test data missing: " << path;
  auto doc = nlohmann::json::parse(test::readText(path));
  auto ev = parseEvent(doc.at("Records").at(0).dump());
  ASSERT_TRUE(ev) << ev.status().toString();
  EXPECT_EQ(ev->event_name, "");
  EXPECT_EQ(ev->identity.access_key_id, "");
  EXPECT_FALSE(ev->time.has_value());
}

TEST(ParseEvent, ReadOnlyAsStringFromReshippers) {
  // The Wazuh AWS module writes "readOnly":"false" (shared/testdata/cloudtrail/wazuh).
  auto f = parseEvent(R"({"readOnly":"false"})");
  ASSERT_TRUE(f) << f.status().toString();
  EXPECT_EQ(f->read_only, false);
  auto t = parseEvent(R"({"readOnly":"true"})");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->read_only, true);
  auto n = parseEvent(R"({"readOnly":null})");
  ASSERT_TRUE(n);
  EXPECT_FALSE(n->read_only.has_value());
}

TEST(ParseEvent, WrongTypesNameTheField) {
  const std::string path = testdataDir() + "/wrong_types.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing fixture " << path;
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const std::string expected = line.substr(0, tab);
    auto ev = parseEvent(line.substr(tab + 1));
    ++cases;
    ASSERT_FALSE(ev) << "accepted: " << line;
    EXPECT_EQ(ev.status().code(), StatusCode::kInvalidArgument) << ev.status().toString();
    EXPECT_NE(ev.status().message().find(expected), std::string::npos)
        << "want '" << expected << "', got '" << ev.status().message() << "'";
  }
  EXPECT_GE(cases, 16);
}

TEST(ParseEvent, BrokenTextIsCorruption) {
  for (const char* text : {"", "[1,2]", "\"text\"", "{\"eventName\":", "{\"a\":1} trailing",
                           "{\"eventName\":\"x\"", "null", "{\"eventName\":\"\xff\"}"}) {
    auto ev = parseEvent(text);
    ASSERT_FALSE(ev) << "accepted: " << text;
    EXPECT_EQ(ev.status().code(), StatusCode::kCorruption)
        << text << ": " << ev.status().toString();
  }
}

TEST(ParseEvent, UnparsableTimeKeepsTheRecord) {
  auto ev = parseEvent(R"({"eventTime":"yesterday","eventName":"ListUsers"})");
  ASSERT_TRUE(ev) << ev.status().toString();
  EXPECT_EQ(ev->event_time, "yesterday");
  EXPECT_FALSE(ev->time.has_value());
}

TEST(ParseEvent, ScalarAndArrayRawValuesKept) {
  auto ev = parseEvent(R"({"requestParameters":[1, 2] ,"responseElements": "ok" })");
  ASSERT_TRUE(ev) << ev.status().toString();
  EXPECT_EQ(ev->request_parameters, "[1, 2]");
  EXPECT_EQ(ev->response_elements, "\"ok\"");
}

}  // namespace
}  // namespace ht::detect
