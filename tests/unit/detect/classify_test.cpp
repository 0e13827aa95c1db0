// Client and intent classification: tables of real user agents and calls.
#include "detect/classify.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace ht::detect {
namespace {

namespace fs = std::filesystem;

struct ClientCase {
  const char* user_agent;
  const char* event_source;
  const char* client;
  const char* version;
  bool offensive;
};

// Rows marked [invictus] are verbatim from shared/testdata/cloudtrail/invictus_aws_dataset;
// [wazuh] from shared/testdata/cloudtrail/wazuh; the rest are documented formats.
const ClientCase kClients[] = {
    // [invictus] Terraform wraps aws-sdk-go; Terraform is the client.
    {"APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) "
     "terraform-provider-aws/3.76.1 (+https://registry.terraform.io/providers/hashicorp/aws) "
     "aws-sdk-go/1.44.157 (go1.19.3; linux; amd64) HashiCorp-terraform-exec/0.17.3",
     "ec2.amazonaws.com", "terraform", "1.1.2", false},
    // [invictus] Stratus Red Team driving Terraform: the attack tool wins.
    {"APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) "
     "terraform-provider-aws/3.76.1 (+https://registry.terraform.io/providers/hashicorp/aws) "
     "aws-sdk-go/1.44.157 (go1.19.3; linux; amd64) "
     "stratus-red-team_11a6ef34-e130-4579-a1d3-79c915cee6ec HashiCorp-terraform-exec/0.17.3",
     "iam.amazonaws.com", "stratus-red-team", "", true},
    // [invictus] Stratus Red Team's own SDK calls.
    {"stratus-red-team_39f95f43-cd2f-4beb-b69e-be60b6fe1f57", "ec2.amazonaws.com",
     "stratus-red-team", "", true},
    // [invictus] bracketed by CloudTrail.
    {"[Boto3/1.26.165 Python/3.10.6 Linux/5.19.0-46-generic Botocore/1.29.165]", "s3.amazonaws.com",
     "boto3", "1.26.165", false},
    {"Boto3/1.26.165 Python/3.10.6 Linux/5.19.0-46-generic Botocore/1.29.165", "sts.amazonaws.com",
     "boto3", "1.26.165", false},
    // [invictus]
    {"AWS Internal", "kms.amazonaws.com", "aws-internal", "", false},
    {"secretsmanager.amazonaws.com", "kms.amazonaws.com", "aws-internal", "", false},
    // [invictus] console front ends on AWS's internal Java SDK.
    {"[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 "
     "Linux/5.10.184-153.731.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.372-b08 "
     "java/1.8.0_372 vendor/Oracle_Corporation cfg/retry-mode/standard]",
     "s3.amazonaws.com", "console", "", false},
    {"RDS Console, aws-internal/3 aws-sdk-java/1.11.975 Linux/5.10.184-153.731.amzn2int.x86_64 "
     "OpenJDK_64-Bit_Server_VM/25.242-b08 java/1.8.0_242 vendor/Oracle_Corporation "
     "cfg/retry-mode/legacy",
     "rds.amazonaws.com", "console", "", false},
    // [invictus] SSM agent on aws-sdk-go; aws-sdk-go-v2 inside Terraform.
    {"aws-sdk-go/1.41.4 (go1.18.3; linux; amd64) amazon-ssm-agent/", "ssm.amazonaws.com", "sdk-go",
     "1.41.4", false},
    // [invictus] browser on the console sign-in endpoint.
    {"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0",
     "signin.amazonaws.com", "console", "", false},
    // [wazuh] browser UA elsewhere.
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/93.0.4577.82 Safari/537.36",
     "s3.amazonaws.com", "browser", "", false},
    // AWS CLI v2 format (aws-cli/<v> Python/<v> <os>/<v> exe/<arch>.<distro> prompt/off command/..)
    {"aws-cli/2.13.0 Python/3.11.4 Linux/5.15.0 exe/x86_64.ubuntu.22 prompt/off "
     "command/sts.get-caller-identity",
     "sts.amazonaws.com", "aws-cli", "2.13.0", false},
    // The CLI on Kali: an attack platform fingerprint (Elastic "AWS Suspicious User Agent").
    {"aws-cli/2.13.0 md/Botocore#1.31.0 ua/2.0 os/linux#6.1.0-kali9-amd64 md/arch#x86_64 "
     "lang/python#3.11.4 md/distrib#kali.2023 md/prompt#off",
     "sts.amazonaws.com", "aws-cli", "2.13.0", true},
    // Unit 42's list of attacker user agents.
    {"aws-cli/1.19.1 Python/3.9.2 Linux/6.0.0-2parrot1-amd64 botocore/1.29.58", "iam.amazonaws.com",
     "aws-cli", "1.19.1", true},
    {"Scout Suite/5.12.0 Python/3.9.2 Linux/6.0.0-2parrot1-amd64 Scout Suite/5.12.0",
     "iam.amazonaws.com", "scoutsuite", "5.12.0", true},
    {"Scout-Suite/5.14.0 md/Botocore#1.35.75 ua/2.0 os/linux#6.10.11-cloud-amd64 "
     "md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy "
     "Scout Suite/5.14.0 (https://github.com/nccgroup/ScoutSuite)",
     "ec2.amazonaws.com", "scoutsuite", "5.14.0", true},
    {"TruffleHog", "sts.amazonaws.com", "trufflehog", "", true},
    {"Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux lang/python#3.11 pacu/1.5.2",
     "iam.amazonaws.com", "pacu", "1.5.2", true},
    {"Botocore/1.29.0 Python/3.10 prowler/3.7.0", "iam.amazonaws.com", "prowler", "3.7.0", true},
    {"aws-sdk-go-v2/1.18.0 os/linux lang/go/1.20 cloudfox/1.12.0", "iam.amazonaws.com", "cloudfox",
     "1.12.0", true},
    {"Botocore/1.29.0 Python/3.10", "sts.amazonaws.com", "botocore", "1.29.0", false},
    {"aws-sdk-js/3.363.0 ua/2.0 os/linux#5.15 lang/js md/nodejs#18.16.0 api/sts#3.363.0",
     "sts.amazonaws.com", "sdk-js", "3.363.0", false},
    {"aws-sdk-nodejs/2.1400.0 linux/v18.16.0 exec-env/AWS_Lambda_nodejs18.x", "s3.amazonaws.com",
     "sdk-js", "2.1400.0", false},
    {"aws-sdk-go-v2/1.18.0 os/linux lang/go/1.19.8 md/GOOS/linux md/GOARCH/amd64 "
     "api/iam/1.19.12",
     "iam.amazonaws.com", "sdk-go", "1.18.0", false},
    {"aws-sdk-java/1.12.488 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372",
     "s3.amazonaws.com", "sdk-java", "1.12.488", false},
    {"aws-sdk-dotnet-coreclr/3.7.100 aws-sdk-dotnet-core/3.7.100 .NET_Core/6.0 OS/Linux",
     "s3.amazonaws.com", "sdk-dotnet", "3.7.100", false},
    {"aws-sdk-ruby3/3.170.0 ruby/3.2.0 x86_64-linux aws-sdk-s3/1.122.0", "s3.amazonaws.com",
     "sdk-ruby", "3.170.0", false},
    {"aws-sdk-php/3.275.0 OS/Linux/5.15 lang/php/8.2", "s3.amazonaws.com", "sdk-php", "3.275.0",
     false},
    {"aws-sdk-rust/0.56.1 os/linux lang/rust/1.71.0", "s3.amazonaws.com", "sdk-rust", "0.56.1",
     false},
    {"curl/8.1.2", "sts.amazonaws.com", "curl", "8.1.2", false},
    {"", "sts.amazonaws.com", "unknown", "", false},
    {"userAgent2", "eventSource2", "unknown", "", false},
};

TEST(Classify, ClientTable) {
  for (const auto& c : kClients) {
    CloudTrailEvent ev;
    ev.user_agent = c.user_agent;
    ev.event_source = c.event_source;
    const Classification got = classify(ev);
    EXPECT_EQ(got.client, c.client) << c.user_agent;
    EXPECT_EQ(got.client_version, c.version) << c.user_agent;
    EXPECT_EQ(got.offensive_tool, c.offensive) << c.user_agent;
  }
}

struct IntentCase {
  const char* source;
  const char* name;
  const char* request;  // requestParameters JSON or ""
  const char* intent;
};

const IntentCase kIntents[] = {
    {"sts.amazonaws.com", "GetCallerIdentity", "", "identity-check"},
    {"sts.amazonaws.com", "GetAccessKeyInfo", R"({"accessKeyId":"AKIA"})", "identity-check"},
    {"iam.amazonaws.com", "GetUser", "", "identity-check"},
    {"iam.amazonaws.com", "GetUser", R"({"userName":"bert-jan"})", "enumeration"},
    {"iam.amazonaws.com", "ListUsers", "", "enumeration"},
    {"iam.amazonaws.com", "ListAccessKeys", R"({"userName":"x"})", "enumeration"},
    {"ec2.amazonaws.com", "DescribeInstances", "", "enumeration"},
    {"s3.amazonaws.com", "ListBuckets", "", "enumeration"},
    {"lambda.amazonaws.com", "GetFunctionCodeSigningConfig", "", "enumeration"},
    {"sns.amazonaws.com", "GetTopicAttributes", "", "enumeration"},
    {"s3.amazonaws.com", "GetObject", "", "data-access"},
    {"secretsmanager.amazonaws.com", "GetSecretValue", "", "data-access"},
    {"ssm.amazonaws.com", "GetParameter", "", "data-access"},
    {"ssm.amazonaws.com", "GetParameters", "", "data-access"},
    {"kms.amazonaws.com", "Decrypt", "", "data-access"},
    {"dynamodb.amazonaws.com", "Scan", "", "data-access"},
    {"ec2.amazonaws.com", "GetPasswordData", "", "data-access"},
    // [invictus] Lambda names carry their API version.
    {"lambda.amazonaws.com", "GetFunction20150331v2", "", "data-access"},
    {"lambda.amazonaws.com", "CreateFunction20150331", "", "write"},
    {"ec2.amazonaws.com", "RunInstances", "", "write"},
    {"s3.amazonaws.com", "DeleteBucket", "", "write"},
    {"sns.amazonaws.com", "Publish", "", "write"},
    {"cloudtrail.amazonaws.com", "StopLogging", "", "write"},
    {"iam.amazonaws.com", "AttachUserPolicy", "", "privilege-change"},
    {"iam.amazonaws.com", "AttachRolePolicy", "", "privilege-change"},
    {"iam.amazonaws.com", "PutUserPolicy", "", "privilege-change"},
    {"iam.amazonaws.com", "PutRolePolicy", "", "privilege-change"},
    {"iam.amazonaws.com", "CreateAccessKey", "", "privilege-change"},
    {"iam.amazonaws.com", "CreateLoginProfile", "", "privilege-change"},
    {"iam.amazonaws.com", "UpdateAssumeRolePolicy", "", "privilege-change"},
    {"iam.amazonaws.com", "AddUserToGroup", "", "privilege-change"},
    {"sts.amazonaws.com", "AssumeRole", "", "privilege-change"},
    {"sts.amazonaws.com", "GetSessionToken", "", "privilege-change"},
    {"s3.amazonaws.com", "PutBucketPolicy", "", "privilege-change"},
    {"ec2.amazonaws.com", "ModifySnapshotAttribute", "", "privilege-change"},
    {"signin.amazonaws.com", "ConsoleLogin", "", "other"},
};

TEST(Classify, IntentTable) {
  for (const auto& c : kIntents) {
    CloudTrailEvent ev;
    ev.event_source = c.source;
    ev.event_name = c.name;
    if (*c.request != '\0') {
      auto parsed = parseEvent(std::string(R"({"requestParameters":)") + c.request + "}");
      ASSERT_TRUE(parsed);
      ev.request_parameters = parsed->request_parameters;
      ev.request_user_name = parsed->request_user_name;
    }
    EXPECT_EQ(classify(ev).intent, c.intent) << c.source << " " << c.name;
  }
}

TEST(Classify, ReadOnlyDecidesUnknownVerbs) {
  CloudTrailEvent ev;
  ev.event_source = "example.amazonaws.com";
  ev.event_name = "Frobnicate";
  EXPECT_EQ(classify(ev).intent, "other");
  ev.read_only = true;
  EXPECT_EQ(classify(ev).intent, "enumeration");
  ev.read_only = false;
  EXPECT_EQ(classify(ev).intent, "write");
}

// Every invictus record gets a client; the Stratus Red Team ones are all flagged offensive.
TEST(Classify, InvictusDataset) {
  const std::string dir = std::string(HT_SHARED_TESTDATA) + "/cloudtrail/invictus_aws_dataset";
  ASSERT_TRUE(fs::is_directory(dir)) << "shared test data missing: " << dir;
  std::map<std::string, int> clients;
  int offensive = 0, records = 0;
  for (const auto& f : fs::directory_iterator(dir)) {
    std::ifstream in(f.path());
    std::stringstream ss;
    ss << in.rdbuf();
    const auto doc = nlohmann::json::parse(ss.str());
    for (const auto& r : doc.at("Records")) {
      auto ev = parseEvent(r.dump());
      ASSERT_TRUE(ev);
      const auto c = classify(*ev);
      ++records;
      ++clients[c.client];
      offensive += c.offensive_tool ? 1 : 0;
      EXPECT_FALSE(c.intent.empty());
    }
  }
  EXPECT_EQ(records, 2900);
  // jq -n '[inputs.Records[] | select(.userAgent|test("stratus-red-team"))] | length'
  EXPECT_EQ(offensive, 1146);
  EXPECT_EQ(clients["unknown"], 0);
  for (const auto& [name, n] : clients) std::printf("[ clients  ] %-18s %d\n", name.c_str(), n);
}

}  // namespace
}  // namespace ht::detect
