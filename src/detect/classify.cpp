#include "detect/classify.h"

#include <array>
#include <string_view>
#include <unordered_set>

#include "core/strings.h"

namespace ht::detect {
namespace {

// Finds a product name in a lower-cased user agent at a token start (start of text or after a
// space, bracket, comma or parenthesis), so "pacu" does not fire inside an unrelated word.
size_t findProduct(std::string_view lower_ua, std::string_view name) {
  size_t pos = 0;
  while ((pos = lower_ua.find(name, pos)) != std::string_view::npos) {
    const bool starts =
        pos == 0 || std::string_view(" [(,;").find(lower_ua[pos - 1]) != std::string_view::npos;
    const size_t end = pos + name.size();
    const bool ends = end == lower_ua.size() ||
                      std::string_view("/ _-)];,#").find(lower_ua[end]) != std::string_view::npos;
    if (starts && ends) return pos;
    pos = end;
  }
  return std::string_view::npos;
}

// "Name/1.2.3 ..." → "1.2.3" for the product starting at pos (case preserved from ua).
std::string versionAfter(std::string_view ua, size_t pos, size_t name_len) {
  size_t i = pos + name_len;
  // Variants extend the name ("aws-sdk-dotnet-coreclr/3.7", "aws-sdk-go-v2/1.18"): the version
  // follows the first slash of the same word.
  while (i < ua.size() && ua[i] != '/' && ua[i] != ' ' && ua[i] != ')' && ua[i] != ']') ++i;
  if (i >= ua.size() || ua[i] != '/') return "";
  ++i;
  size_t j = i;
  while (j < ua.size() && ua[j] != ' ' && ua[j] != ')' && ua[j] != ']' && ua[j] != ',' &&
         ua[j] != ';') {
    ++j;
  }
  return std::string(ua.substr(i, j - i));
}

struct Product {
  std::string_view needle;  // lower case, as it appears in the user agent
  std::string_view client;
  bool offensive;
};

// First match wins, so wrappers come before what they wrap: Stratus Red Team runs Terraform,
// Terraform embeds aws-sdk-go, the aws-cli embeds botocore, Boto3 sits on botocore.
//
// Where each string comes from:
// - "trufflehog": TruffleHog names itself when it verifies a key with sts:GetCallerIdentity
//   (Datadog rule "TruffleHog user agent observed in AWS", docs.datadoghq.com/security/
//   default_rules/def-000-f2a; Elastic rule "AWS Suspicious User Agent Fingerprint").
// - "stratus-red-team": Stratus appends "stratus-red-team_<uuid>" to the SDK and Terraform user
//   agents (seen throughout shared/testdata/cloudtrail/invictus_aws_dataset; DataDog threatest
//   uses the prefix "stratus-red-team_" to find its detonations).
// - "scout suite": ScoutSuite's get_user_agent() sends "Scout Suite/<version>
//   (https://github.com/nccgroup/ScoutSuite)"; newer releases also "Scout-Suite/<version>".
// - "pacu", "prowler", "cloudfox", "enumerate-iam", "weirdaal", "cloudsploit", "cloudmapper":
//   the tools' own names, as detection rules for offensive user agents list them (Datadog
//   "User agent associated with penetration testing tool observed"). Not verified against
//   each tool's source here; Pacu is known to rewrite its user agent on Kali/Parrot to dodge
//   GuardDuty's PenTest findings, so its absence proves nothing.
constexpr std::array<Product, 29> kProducts{{
    {"trufflehog", "trufflehog", true},
    {"stratus-red-team", "stratus-red-team", true},
    {"scout suite", "scoutsuite", true},
    {"scout-suite", "scoutsuite", true},
    {"scoutsuite", "scoutsuite", true},
    {"pacu", "pacu", true},
    {"prowler", "prowler", true},
    {"cloudfox", "cloudfox", true},
    {"enumerate-iam", "enumerate-iam", true},
    {"weirdaal", "weirdaal", true},
    {"cloudsploit", "cloudsploit", true},
    {"cloudmapper", "cloudmapper", true},
    // HashiCorp prefixes "APN/1.0 HashiCorp/1.0 Terraform/<v>" (dataset).
    {"terraform", "terraform", false},
    {"aws-cli", "aws-cli", false},
    {"boto3", "boto3", false},
    {"botocore", "botocore", false},
    // JS v3 sends "aws-sdk-js/3.x"; v2 in Node sends "aws-sdk-nodejs/2.x".
    {"aws-sdk-js", "sdk-js", false},
    {"aws-sdk-nodejs", "sdk-js", false},
    {"aws-sdk-go-v2", "sdk-go", false},
    {"aws-sdk-go", "sdk-go", false},
    {"aws-sdk-java", "sdk-java", false},
    {"aws-sdk-dotnet", "sdk-dotnet", false},
    {"aws-sdk-ruby3", "sdk-ruby", false},
    {"aws-sdk-ruby2", "sdk-ruby", false},
    {"aws-sdk-ruby", "sdk-ruby", false},
    {"aws-sdk-php", "sdk-php", false},
    {"aws-sdk-rust", "sdk-rust", false},
    {"curl", "curl", false},
    {"python-requests", "python-requests", false},
}};

bool isAwsServiceDomain(std::string_view ua) {
  return endsWith(ua, ".amazonaws.com") && ua.find(' ') == std::string_view::npos;
}

void classifyClient(const CloudTrailEvent& ev, Classification* c) {
  std::string_view ua = ev.user_agent;
  // CloudTrail wraps some user agents in brackets ("[Boto3/1.26.165 ...]", S3 events).
  if (ua.size() >= 2 && ua.front() == '[' && ua.back() == ']') ua = ua.substr(1, ua.size() - 2);
  const std::string lower = toLower(ua);

  // Kali and Parrot are penetration-testing distributions; the CLI and Boto3 report the
  // distribution ("distrib#kali", kernel "...-kali..." or "...parrot..."), per Elastic's "AWS
  // Suspicious User Agent Fingerprint" rule and Unit 42's list of attacker user agents.
  if (lower.find("distrib#kali") != std::string::npos ||
      lower.find("kali-amd64") != std::string::npos ||
      lower.find("kali-arm64") != std::string::npos || lower.find("+kali") != std::string::npos ||
      lower.find("parrot1") != std::string::npos) {
    c->offensive_tool = true;
  }

  auto matchProducts = [&](bool offensive) {
    for (const Product& p : kProducts) {
      if (p.offensive != offensive) continue;
      const size_t pos = findProduct(lower, p.needle);
      if (pos == std::string_view::npos) continue;
      c->client = std::string(p.client);
      c->client_version = versionAfter(ua, pos, p.needle.size());
      c->offensive_tool = c->offensive_tool || p.offensive;
      return true;
    }
    return false;
  };
  // A tool's name wins over the SDK or Terraform it is built on.
  if (matchProducts(true)) return;

  // The console: sign-in events, and console front ends calling through AWS's own Java SDK
  // ("[S3Console/0.4, aws-internal/3 aws-sdk-java/...]", "RDS Console, aws-internal/3 ...",
  // both in the invictus dataset). These must be looked at before the SDK names they contain.
  const bool aws_internal = findProduct(lower, "aws-internal") != std::string_view::npos;
  if (ev.event_source == "signin.amazonaws.com" ||
      lower.find("console.amazonaws.com") != std::string::npos ||
      lower.find("signin.amazonaws.com") != std::string::npos ||
      lower.find("console.aws.amazon.com") != std::string::npos ||
      (aws_internal && lower.find("console") != std::string::npos)) {
    c->client = "console";
    return;
  }
  // "AWS Internal" is what CloudTrail writes for calls made by AWS on the caller's behalf; it
  // is also what many console pages produce, and the record alone cannot tell them apart.
  if (ua == "AWS Internal" || isAwsServiceDomain(ua) || aws_internal) {
    c->client = "aws-internal";
    return;
  }
  if (matchProducts(false)) return;
  if (startsWith(ua, "Mozilla/")) {
    c->client = "browser";
    return;
  }
  c->client = "unknown";
}

// Lambda's event names carry the API version ("GetFunction20150331v2").
std::string_view baseEventName(std::string_view name) {
  size_t end = name.size();
  size_t v = name.rfind('v');
  if (v != std::string_view::npos && v + 1 < end && v >= 8) {
    bool digits = true;
    for (size_t i = v + 1; i < end; ++i) digits = digits && name[i] >= '0' && name[i] <= '9';
    if (digits) end = v;
  }
  if (end >= 8) {
    bool digits = true;
    for (size_t i = end - 8; i < end; ++i) digits = digits && name[i] >= '0' && name[i] <= '9';
    if (digits) end -= 8;
  }
  return name.substr(0, end);
}

bool startsWithAny(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  for (auto p : prefixes) {
    if (startsWith(s, p)) return true;
  }
  return false;
}

// "service:Name" sets. Kept as data so that a reviewer can read and extend them.
const std::unordered_set<std::string>& privilegeCalls() {
  static const std::unordered_set<std::string> k{
      "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile",
      "iam:UpdateLoginProfile", "iam:UpdateAssumeRolePolicy", "iam:AddUserToGroup",
      "iam:RemoveUserFromGroup", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
      "iam:CreateUser", "iam:CreateRole", "iam:AddRoleToInstanceProfile",
      "iam:PutUserPermissionsBoundary", "iam:PutRolePermissionsBoundary",
      "iam:DeleteUserPermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
      "iam:DeactivateMFADevice", "iam:CreateServiceSpecificCredential",
      // Minting credentials is how a stolen long-term key becomes harder to revoke.
      "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity",
      "sts:GetSessionToken", "sts:GetFederationToken",
      // Resource policies and grants hand access to other principals.
      "s3:PutBucketPolicy", "s3:PutBucketAcl", "kms:CreateGrant", "kms:PutKeyPolicy",
      "lambda:AddPermission", "secretsmanager:PutResourcePolicy", "ecr:SetRepositoryPolicy",
      "sns:AddPermission", "sqs:AddPermission", "ec2:ModifySnapshotAttribute",
      "ec2:ModifyImageAttribute", "rds:ModifyDBSnapshotAttribute", "sso:CreateAccountAssignment",
      "organizations:InviteAccountToOrganization"};
  return k;
}

const std::unordered_set<std::string>& dataCalls() {
  static const std::unordered_set<std::string> k{"s3:GetObject",
                                                 "s3:SelectObjectContent",
                                                 "s3:GetObjectTorrent",
                                                 "secretsmanager:GetSecretValue",
                                                 "secretsmanager:BatchGetSecretValue",
                                                 "ssm:GetParameter",
                                                 "ssm:GetParameters",
                                                 "ssm:GetParametersByPath",
                                                 "ssm:GetParameterHistory",
                                                 "kms:Decrypt",
                                                 "kms:GenerateDataKey",
                                                 "kms:GenerateDataKeyWithoutPlaintext",
                                                 "dynamodb:GetItem",
                                                 "dynamodb:BatchGetItem",
                                                 "dynamodb:Query",
                                                 "dynamodb:Scan",
                                                 "dynamodb:ExportTableToPointInTime",
                                                 "ec2:GetPasswordData",
                                                 "ec2:GetConsoleOutput",
                                                 "ec2:GetConsoleScreenshot",
                                                 "lambda:GetFunction",
                                                 "logs:GetLogEvents",
                                                 "logs:FilterLogEvents",
                                                 "logs:StartQuery",
                                                 "athena:GetQueryResults",
                                                 "sqs:ReceiveMessage",
                                                 "kinesis:GetRecords",
                                                 "ecr:GetDownloadUrlForLayer",
                                                 "ecr:BatchGetImage",
                                                 "codecommit:GetFile",
                                                 "codecommit:GetBlob",
                                                 "codecommit:GitPull",
                                                 "rds:DownloadDBLogFilePortion",
                                                 "glue:GetConnection",
                                                 "glue:GetConnections",
                                                 "cloudformation:GetTemplate",
                                                 "ecs:DescribeTaskDefinition",
                                                 "ssm:GetDocument",
                                                 "ssm:GetCommandInvocation",
                                                 "iam:GetCredentialReport"};
  return k;
}

std::string classifyIntent(const CloudTrailEvent& ev) {
  std::string_view source = ev.event_source;
  if (endsWith(source, ".amazonaws.com")) source.remove_suffix(14);
  const std::string_view name = baseEventName(ev.event_name);
  std::string key;
  key.reserve(source.size() + 1 + name.size());
  key.append(source).push_back(':');
  key.append(name);

  // What a key-checker does first: "whose key is this?". iam:GetUser without a userName asks
  // about the caller itself. sns:Publish and sns:GetTopicAttributes are sometimes named as
  // quiet key checks, but they are also ordinary calls; they keep their ordinary intent, and
  // the client classification (offensive_tool) is what marks a scanner.
  // Sign-in events are sessions starting, not API work on resources.
  if (source == "signin") return "other";
  if (key == "sts:GetCallerIdentity" || key == "sts:GetAccessKeyInfo") return "identity-check";
  if (key == "iam:GetUser" && ev.request_user_name.empty()) return "identity-check";

  if (privilegeCalls().count(key) != 0) return "privilege-change";
  if (source == "iam" && (startsWithAny(name, {"Attach", "Detach"}) ||
                          (endsWith(name, "Policy") && startsWithAny(name, {"Put", "Delete"})))) {
    return "privilege-change";
  }
  if (dataCalls().count(key) != 0) return "data-access";

  if (startsWithAny(name, {"List", "Describe", "Get", "Search", "Lookup", "BatchGet", "Check",
                           "Head", "Scan", "Select", "Query", "View"})) {
    return "enumeration";
  }
  if (startsWithAny(
          name, {"Create",    "Put",       "Delete",    "Update",       "Run",      "Start",
                 "Stop",      "Terminate", "Modify",    "Set",          "Attach",   "Detach",
                 "Add",       "Remove",    "Tag",       "Untag",        "Enable",   "Disable",
                 "Invoke",    "Publish",   "Send",      "Upload",       "Copy",     "Restore",
                 "Reboot",    "Replace",   "Associate", "Disassociate", "Register", "Deregister",
                 "Authorize", "Revoke",    "Import",    "Export",       "Reset",    "Change",
                 "Cancel",    "Accept",    "Reject",    "Allocate",     "Release",  "Encrypt",
                 "End",       "Batch"})) {
    return "write";
  }
  if (ev.read_only.has_value()) return *ev.read_only ? "enumeration" : "write";
  return "other";
}

}  // namespace

Classification classify(const CloudTrailEvent& event) {
  Classification c;
  classifyClient(event, &c);
  c.intent = classifyIntent(event);
  return c;
}

}  // namespace ht::detect
