// ht_bench_corpus: writes a synthetic but realistic CloudTrail archive (S3 delivery layout,
// gzip files of {"Records":[...]}) with honey-key activity planted in it, plus the ground truth
// that `honeytrail hunt` must reproduce. Deterministic for a given --seed and --bytes.
//
//   ht_bench_corpus --out DIR [--bytes 1G] [--seed 1] [--honey-keys 20]
//
// DIR/AWSLogs/...            the archive (hunt this directory, not DIR: DIR holds the files below)
// DIR/keys.txt               one honey key ID per line
// DIR/principals.txt         "KEY_ID PRINCIPAL_ID" per line (the honey users' AIDA... IDs)
// DIR/ground_truth.jsonl     one line per event hunt must report, with its expected classes
// DIR/decoys.jsonl           events that look like matches but must not be reported
// DIR/corpus.env             totals as shell assignments (FILES=, RECORDS=, JSON_BYTES=, ...)
#include <libdeflate.h>

#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/key_id.h"

namespace ht::bench {
namespace {

namespace fs = std::filesystem;

// splitmix64: fast, tiny and reproducible; the corpus needs speed, not secrecy.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound); the modulo bias is irrelevant for test data.
  uint64_t below(uint64_t bound) { return bound == 0 ? 0 : next() % bound; }
  uint64_t between(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

 private:
  uint64_t state_;
};

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kHexLower = "0123456789abcdef";
constexpr std::string_view kHexUpper = "0123456789ABCDEF";
constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string randomChars(Rng& rng, std::string_view alphabet, size_t n) {
  std::string s(n, ' ');
  for (auto& c : s) c = alphabet[rng.below(alphabet.size())];
  return s;
}

std::string uuid(Rng& rng) {
  std::string s = randomChars(rng, kHexLower, 32);
  s[12] = '4';
  s[16] = kHexLower[8 + rng.below(4)];
  return s.substr(0, 8) + "-" + s.substr(8, 4) + "-" + s.substr(12, 4) + "-" + s.substr(16, 4) +
         "-" + s.substr(20);
}

std::string awsId(Rng& rng, std::string_view prefix, size_t body) {
  return std::string(prefix) + randomChars(rng, kBase32, body);
}

std::string publicIp(Rng& rng) {
  static const std::vector<int> kFirst = {3, 13, 18, 34, 35, 44, 52, 54, 81, 91, 185, 198, 203};
  return std::to_string(rng.pick(kFirst)) + "." + std::to_string(rng.below(256)) + "." +
         std::to_string(rng.below(256)) + "." + std::to_string(1 + rng.below(254));
}

std::string isoTime(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Appends s as a JSON string literal (our strings are ASCII; escape the few that matter).
void appendString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

// A tiny JSON writer: enough to write records in CloudTrail's field order without a DOM.
class Json {
 public:
  Json& open() { return raw("{"); }
  Json& close() {
    out_.push_back('}');
    first_ = false;
    return *this;
  }
  Json& openArray(std::string_view key) {
    comma();
    appendString(out_, key);
    out_ += ":[";
    first_ = true;
    return *this;
  }
  Json& closeArray() {
    out_.push_back(']');
    first_ = false;
    return *this;
  }
  Json& openObject(std::string_view key) {
    comma();
    appendString(out_, key);
    out_ += ":{";
    first_ = true;
    return *this;
  }
  Json& openElement() {
    comma();
    out_.push_back('{');
    first_ = true;
    return *this;
  }
  Json& str(std::string_view key, std::string_view value) {
    comma();
    appendString(out_, key);
    out_.push_back(':');
    appendString(out_, value);
    return *this;
  }
  Json& num(std::string_view key, uint64_t value) {
    comma();
    appendString(out_, key);
    out_.push_back(':');
    out_ += std::to_string(value);
    return *this;
  }
  Json& boolean(std::string_view key, bool value) {
    comma();
    appendString(out_, key);
    out_ += value ? ":true" : ":false";
    return *this;
  }
  Json& null(std::string_view key) {
    comma();
    appendString(out_, key);
    out_ += ":null";
    return *this;
  }
  std::string take() { return std::move(out_); }

 private:
  Json& raw(std::string_view s) {
    comma();
    out_ += s;
    first_ = true;
    return *this;
  }
  void comma() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

struct IamUser {
  std::string account;
  std::string name;
  std::string principal_id;  // AIDA...
  std::string key_id;        // AKIA...
};

struct Role {
  std::string account;
  std::string name;
  std::string role_id;  // AROA...
};

struct HoneyKey {
  IamUser user;
  std::string look_alike_key;        // one character different
  std::string look_alike_principal;  // one character different
};

// What a planted event is meant to test.
enum class Plant {
  kUsed,              // signed with the honey key
  kSessionUsed,       // the honey user with an ASIA session key
  kTouchedKey,        // someone else's call naming the honey key in its request or response
  kTouchedPrincipal,  // someone else's call whose response holds the honey user's AIDA ID
  kLookAlikeKey,      // a key one character away: must not match
  kLookAlikePrincipal,
};

struct PlantSpec {
  Plant kind;
  size_t honey;  // index into the honey keys
};

struct Options {
  std::string out;
  uint64_t bytes = 1000000000;
  uint64_t seed = 1;
  size_t honey_keys = 20;
};

const std::vector<std::string> kRegions = {"us-east-1", "us-east-1", "us-west-2", "eu-west-1",
                                           "eu-central-1", "ap-southeast-2"};

const std::vector<std::string> kUserAgents = {
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off "
    "command/ec2.describe-instances",
    "aws-cli/1.32.60 md/Botocore#1.34.60 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.9.18 "
    "md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.34.60",
    "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.15.0-1055-aws md/arch#x86_64 "
    "lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.51",
    "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.0 md/GOOS#linux md/GOARCH#amd64 api/s3#1.51.1",
    "aws-sdk-java/2.25.6 Linux/5.10.209-198.858.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS "
    "Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "aws-sdk-js/3.529.1 ua/2.0 os/linux#5.10.210-201.852.amzn2.x86_64 lang/js md/nodejs#20.11.1 "
    "api/dynamodb#3.529.1",
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.2 os/linux "
    "lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.149.3",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36",
    "AWS Internal",
    "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.660 Linux/5.10.210-178.855.amzn2int.x86_64 "
    "OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard]",
    "console.amazonaws.com",
};

// Tools an attacker who found a honey key tends to use.
const std::vector<std::string> kAttackerAgents = {
    "TruffleHog",
    "Boto3/1.26.137 Python/3.11.3 Linux/6.2.0-20-generic Botocore/1.29.137 Resource",
    "aws-cli/2.13.1 Python/3.11.4 Darwin/22.5.0 exe/x86_64 prompt/off command/sts.get-caller-identity",
    "pacu/1.5.2 Boto3/1.28.0 Python/3.10.12 Linux/6.1.0 Botocore/1.31.0",
    "curl/8.4.0",
};

class Generator {
 public:
  explicit Generator(const Options& options) : options_(options), rng_(options.seed) {}

  int run();

 private:
  void makeIdentities();
  void planPlants();

  // userIdentity blocks.
  void iamUserIdentity(Json& j, const IamUser& u, std::string_view key_id, bool session);
  void assumedRoleIdentity(Json& j, const Role& r, std::string_view key_id,
                           std::string_view session);
  void serviceIdentity(Json& j, std::string_view service);

  // The common tail of a record: request/response already written by the caller.
  void header(Json& j, int64_t t, std::string_view source, std::string_view name,
              std::string_view region, std::string_view ip, std::string_view agent);
  void trailer(Json& j, std::string_view account, bool read_only, std::string_view type,
               std::string_view category, std::string_view host, std::string_view request_id);

  std::string ordinaryRecord(int64_t t, const std::string& account, const std::string& region);
  std::string plantedRecord(const PlantSpec& p, int64_t t, const std::string& region,
                            std::string* event_id);

  void callerIdentity(Json& j, const std::string& account, std::string* agent);
  void writeFile(const std::string& account, const std::string& region, int64_t t,
                 const std::vector<std::string>& records);
  void groundTruth(const PlantSpec& p, const std::string& event_id, const std::string& region);

  const Options& options_;
  Rng rng_;
  std::vector<std::string> accounts_;  // accounts_[0] is the honey account
  std::vector<IamUser> users_;
  std::vector<Role> roles_;
  std::vector<HoneyKey> honey_;
  IamUser admin_;  // the honey account's administrator, whose calls only mention honey keys
  std::deque<PlantSpec> plants_;
  std::vector<std::string> pending_dups_;  // records to deliver again in a later file
  std::vector<int> truth_copies_;  // per ground-truth line index: times delivered
  std::vector<std::string> truth_lines_;
  std::string decoys_;

  std::unique_ptr<libdeflate_compressor, void (*)(libdeflate_compressor*)> compressor_{
      nullptr, libdeflate_free_compressor};
  uint64_t files_ = 0, records_ = 0, json_bytes_ = 0, gz_bytes_ = 0, duplicates_ = 0;
  uint64_t planted_ = 0;
};

void Generator::makeIdentities() {
  SeededRandomSource key_random(options_.seed * 7919 + 17);
  accounts_.push_back(aws::randomAccountId(key_random));  // the honey account
  for (int i = 0; i < 4; ++i) accounts_.push_back(std::to_string(rng_.between(1, 9)) +
                                                  randomChars(rng_, "0123456789", 11));
  static const std::vector<std::string> kFirst = {"alice", "bob",   "carol", "dave",  "erin",
                                                  "frank", "grace", "heidi", "ivan",  "judy",
                                                  "mallory", "oscar", "peggy", "trent", "victor"};
  for (size_t i = 0; i < 60; ++i) {
    IamUser u;
    u.account = accounts_[1 + rng_.below(accounts_.size() - 1)];
    u.name = i < kFirst.size() ? kFirst[i] + ".admin" : "svc-" + randomChars(rng_, kHexLower, 6);
    u.principal_id = awsId(rng_, "AIDA", 17);
    u.key_id = awsId(rng_, "AKIA", 16);
    users_.push_back(std::move(u));
  }
  static const std::vector<std::string> kRoleNames = {
      "OrganizationAccountAccessRole", "AWSReservedSSO_AdministratorAccess_3f2a9c1d8e7b6a54",
      "AWSReservedSSO_ReadOnly_8d1e2f3a4b5c6d7e", "lambda-orders-processor-role",
      "ecsTaskExecutionRole", "eks-nodegroup-NodeInstanceRole-1XK4Q3ZP7T9",
      "github-actions-deploy", "datadog-integration", "AWSServiceRoleForConfig",
      "ci-terraform-apply", "backup-vault-operator", "aws-controltower-AuditReadOnlyRole"};
  for (const auto& account : accounts_) {
    for (const auto& name : kRoleNames) roles_.push_back({account, name, awsId(rng_, "AROA", 17)});
  }
  admin_ = {accounts_[0], "security-admin", awsId(rng_, "AIDA", 17), awsId(rng_, "AKIA", 16)};
  for (size_t i = 0; i < options_.honey_keys; ++i) {
    HoneyKey h;
    h.user.account = accounts_[0];
    static const std::vector<std::string> kHoneyNames = {"svc-backup", "deploy-bot", "jenkins",
                                                         "s3-sync", "legacy-etl", "terraform-ci"};
    h.user.name = kHoneyNames[i % kHoneyNames.size()] + "-" + std::to_string(i);
    h.user.principal_id = awsId(rng_, "AIDA", 17);
    h.user.key_id = aws::makeAccessKeyId(accounts_[0], key_random);
    auto oneOff = [&](std::string s) {
      size_t pos = 4 + rng_.below(s.size() - 4);
      char c = s[pos];
      while (c == s[pos]) c = kBase32[rng_.below(kBase32.size())];
      s[pos] = c;
      return s;
    };
    h.look_alike_key = oneOff(h.user.key_id);
    h.look_alike_principal = oneOff(h.user.principal_id);
    honey_.push_back(std::move(h));
  }
}

void Generator::planPlants() {
  std::vector<PlantSpec> all;
  for (size_t i = 0; i < honey_.size(); ++i) {
    auto add = [&](Plant kind, uint64_t lo, uint64_t hi) {
      for (uint64_t n = rng_.between(lo, hi); n > 0; --n) all.push_back({kind, i});
    };
    add(Plant::kUsed, 2, 6);
    add(Plant::kSessionUsed, 1, 3);
    add(Plant::kTouchedKey, 1, 2);
    add(Plant::kTouchedPrincipal, 0, 1);
    add(Plant::kLookAlikeKey, 1, 2);
    add(Plant::kLookAlikePrincipal, 0, 1);
  }
  // Shuffle so that each file holds a mix.
  for (size_t i = all.size(); i > 1; --i) std::swap(all[i - 1], all[rng_.below(i)]);
  plants_.assign(all.begin(), all.end());
}

void Generator::iamUserIdentity(Json& j, const IamUser& u, std::string_view key_id, bool session) {
  j.openObject("userIdentity")
      .str("type", "IAMUser")
      .str("principalId", u.principal_id)
      .str("arn", "arn:aws:iam::" + u.account + ":user/" + u.name)
      .str("accountId", u.account)
      .str("accessKeyId", key_id)
      .str("userName", u.name);
  if (session) {
    j.openObject("sessionContext")
        .openObject("sessionIssuer")
        .close()
        .openObject("webIdFederationData")
        .close()
        .openObject("attributes")
        .str("creationDate", "2024-03-01T08:12:44Z")
        .str("mfaAuthenticated", "false")
        .close()
        .close();
  }
  j.close();
}

void Generator::assumedRoleIdentity(Json& j, const Role& r, std::string_view key_id,
                                    std::string_view session) {
  j.openObject("userIdentity")
      .str("type", "AssumedRole")
      .str("principalId", r.role_id + ":" + std::string(session))
      .str("arn", "arn:aws:sts::" + r.account + ":assumed-role/" + r.name + "/" +
                      std::string(session))
      .str("accountId", r.account)
      .str("accessKeyId", key_id)
      .openObject("sessionContext")
      .openObject("sessionIssuer")
      .str("type", "Role")
      .str("principalId", r.role_id)
      .str("arn", "arn:aws:iam::" + r.account + ":role/" + r.name)
      .str("accountId", r.account)
      .str("userName", r.name)
      .close()
      .openObject("webIdFederationData")
      .close()
      .openObject("attributes")
      .str("creationDate", "2024-03-01T07:55:02Z")
      .str("mfaAuthenticated", rng_.chance(0.2) ? "true" : "false")
      .close();
  if (rng_.chance(0.3)) j.str("sourceIdentity", "ci-runner-" + randomChars(rng_, kHexLower, 8));
  j.close().close();
}

void Generator::serviceIdentity(Json& j, std::string_view service) {
  j.openObject("userIdentity").str("type", "AWSService").str("invokedBy", service).close();
}

void Generator::header(Json& j, int64_t t, std::string_view source, std::string_view name,
                       std::string_view region, std::string_view ip, std::string_view agent) {
  j.str("eventTime", isoTime(t))
      .str("eventSource", source)
      .str("eventName", name)
      .str("awsRegion", region)
      .str("sourceIPAddress", ip)
      .str("userAgent", agent);
}

void Generator::trailer(Json& j, std::string_view account, bool read_only, std::string_view type,
                        std::string_view category, std::string_view host,
                        std::string_view request_id) {
  std::string event_id = uuid(rng_);
  j.str("requestID", request_id).str("eventID", event_id).boolean("readOnly", read_only);
  j.str("eventType", type).boolean("managementEvent", category == "Management");
  j.str("recipientAccountId", account).str("eventCategory", category);
  if (!host.empty()) {
    j.openObject("tlsDetails")
        .str("tlsVersion", rng_.chance(0.8) ? "TLSv1.3" : "TLSv1.2")
        .str("cipherSuite", rng_.chance(0.8) ? "TLS_AES_128_GCM_SHA256" : "ECDHE-RSA-AES128-GCM-SHA256")
        .str("clientProvidedHostHeader", host)
        .close();
  }
  j.close();
}

// Somebody ordinary: an assumed role most of the time, sometimes an IAM user.
void Generator::callerIdentity(Json& j, const std::string& account, std::string* agent) {
  if (rng_.chance(0.65)) {
    const Role* r = &rng_.pick(roles_);
    for (int tries = 0; tries < 8 && r->account != account; ++tries) r = &rng_.pick(roles_);
    static const std::vector<std::string> kSessions = {"i-0a1b2c3d4e5f67890", "botocore-session-1709",
                                                       "alice@example.com", "GitHubActions",
                                                       "aws-go-sdk-1709280000"};
    assumedRoleIdentity(j, *r, awsId(rng_, "ASIA", 16), rng_.pick(kSessions));
  } else {
    const IamUser& u = rng_.pick(users_);
    iamUserIdentity(j, u, u.key_id, false);
  }
  *agent = rng_.pick(kUserAgents);
}

std::string Generator::ordinaryRecord(int64_t t, const std::string& account,
                                      const std::string& region) {
  Json j;
  j.open().str("eventVersion", "1.09");
  uint64_t kind = rng_.below(100);
  std::string agent;
  std::string ip = publicIp(rng_);
  if (kind < 25) {
    // S3 data event.
    callerIdentity(j, account, &agent);
    bool get = rng_.chance(0.7);
    std::string bucket = "acme-" + std::string(rng_.chance(0.5) ? "data-lake-" : "logs-") + account;
    std::string key = "year=2024/month=03/day=0" + std::to_string(1 + rng_.below(9)) + "/part-" +
                      randomChars(rng_, kHexLower, 20) + ".snappy.parquet";
    header(j, t, "s3.amazonaws.com", get ? "GetObject" : "PutObject", region, ip, agent);
    j.openObject("requestParameters")
        .str("bucketName", bucket)
        .str("Host", bucket + ".s3." + region + ".amazonaws.com")
        .str("key", key);
    if (!get) j.str("x-amz-server-side-encryption", "aws:kms");
    j.close();
    if (get) {
      j.null("responseElements");
    } else {
      j.openObject("responseElements")
          .str("x-amz-server-side-encryption", "aws:kms")
          .str("x-amz-server-side-encryption-aws-kms-key-id",
               "arn:aws:kms:" + region + ":" + account + ":key/" + uuid(rng_))
          .close();
    }
    j.openObject("additionalEventData")
        .str("SignatureVersion", "SigV4")
        .str("CipherSuite", "TLS_AES_128_GCM_SHA256")
        .num("bytesTransferredIn", get ? 0 : rng_.below(5000000))
        .str("AuthenticationMethod", "AuthHeader")
        .str("x-amz-id-2", randomChars(rng_, kBase64, 76))
        .num("bytesTransferredOut", get ? rng_.below(50000000) : 0)
        .close();
    j.openArray("resources")
        .openElement()
        .str("type", "AWS::S3::Object")
        .str("ARN", "arn:aws:s3:::" + bucket + "/" + key)
        .close()
        .openElement()
        .str("accountId", account)
        .str("type", "AWS::S3::Bucket")
        .str("ARN", "arn:aws:s3:::" + bucket)
        .close()
        .closeArray();
    trailer(j, account, get, "AwsApiCall", "Data", bucket + ".s3." + region + ".amazonaws.com",
            randomChars(rng_, kHexUpper, 16));
  } else if (kind < 38) {
    // A service assuming its role: large responseElements with session credentials.
    static const std::vector<std::string> kServices = {"lambda.amazonaws.com", "ecs-tasks.amazonaws.com",
                                                       "ec2.amazonaws.com", "config.amazonaws.com"};
    const std::string& service = rng_.pick(kServices);
    serviceIdentity(j, service);
    header(j, t, "sts.amazonaws.com", "AssumeRole", region, service, service);
    const Role& r = rng_.pick(roles_);
    std::string session = "session-" + randomChars(rng_, kHexLower, 12);
    j.openObject("requestParameters")
        .str("roleArn", "arn:aws:iam::" + r.account + ":role/" + r.name)
        .str("roleSessionName", session)
        .num("durationSeconds", 3600)
        .close();
    j.openObject("responseElements")
        .openObject("credentials")
        .str("accessKeyId", awsId(rng_, "ASIA", 16))
        .str("sessionToken", randomChars(rng_, kBase64, 250 + rng_.below(350)))
        .str("expiration", "Mar 1, 2024, 9:00:00 AM")
        .close()
        .openObject("assumedRoleUser")
        .str("assumedRoleId", r.role_id + ":" + session)
        .str("arn", "arn:aws:sts::" + r.account + ":assumed-role/" + r.name + "/" + session)
        .close()
        .close();
    j.openArray("resources")
        .openElement()
        .str("accountId", r.account)
        .str("type", "AWS::IAM::Role")
        .str("ARN", "arn:aws:iam::" + r.account + ":role/" + r.name)
        .close()
        .closeArray();
    j.str("sharedEventID", uuid(rng_));
    trailer(j, account, true, "AwsApiCall", "Management", "", uuid(rng_));
  } else if (kind < 40) {
    // Console sign-in.
    const IamUser& u = rng_.pick(users_);
    j.openObject("userIdentity")
        .str("type", "IAMUser")
        .str("principalId", u.principal_id)
        .str("arn", "arn:aws:iam::" + u.account + ":user/" + u.name)
        .str("accountId", u.account)
        .str("userName", u.name)
        .close();
    header(j, t, "signin.amazonaws.com", "ConsoleLogin", region, ip, kUserAgents[7]);
    j.null("requestParameters");
    j.openObject("responseElements").str("ConsoleLogin", "Success").close();
    j.openObject("additionalEventData")
        .str("LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true")
        .str("MobileVersion", "No")
        .str("MFAUsed", "Yes")
        .close();
    trailer(j, account, false, "AwsConsoleSignIn", "Management", "signin.aws.amazon.com", "");
  } else if (kind < 42) {
    // A big one: RunInstances with its instancesSet.
    callerIdentity(j, account, &agent);
    header(j, t, "ec2.amazonaws.com", "RunInstances", region, ip, agent);
    uint64_t n = rng_.between(1, 6);
    j.openObject("requestParameters")
        .openObject("instancesSet")
        .openArray("items")
        .openElement()
        .str("imageId", "ami-" + randomChars(rng_, kHexLower, 17))
        .num("minCount", n)
        .num("maxCount", n)
        .close()
        .closeArray()
        .close()
        .str("instanceType", "m6i.large")
        .openObject("blockDeviceMapping")
        .close()
        .openObject("monitoring")
        .boolean("enabled", false)
        .close()
        .boolean("disableApiTermination", false)
        .str("clientToken", uuid(rng_))
        .close();
    j.openObject("responseElements")
        .str("requestId", uuid(rng_))
        .str("reservationId", "r-" + randomChars(rng_, kHexLower, 17))
        .str("ownerId", account)
        .openObject("groupSet")
        .close()
        .openObject("instancesSet")
        .openArray("items");
    for (uint64_t i = 0; i < n; ++i) {
      std::string eni = "eni-" + randomChars(rng_, kHexLower, 17);
      j.openElement()
          .str("instanceId", "i-" + randomChars(rng_, kHexLower, 17))
          .str("imageId", "ami-" + randomChars(rng_, kHexLower, 17))
          .openObject("instanceState")
          .num("code", 0)
          .str("name", "pending")
          .close()
          .str("privateDnsName", "ip-10-0-" + std::to_string(rng_.below(256)) + "-" +
                                     std::to_string(rng_.below(256)) + "." + region +
                                     ".compute.internal")
          .num("amiLaunchIndex", i)
          .openObject("productCodes")
          .close()
          .str("instanceType", "m6i.large")
          .num("launchTime", 1709280000000 + rng_.below(1000000))
          .openObject("placement")
          .str("availabilityZone", region + "a")
          .str("tenancy", "default")
          .close()
          .openObject("monitoring")
          .str("state", "disabled")
          .close()
          .str("subnetId", "subnet-" + randomChars(rng_, kHexLower, 17))
          .str("vpcId", "vpc-" + randomChars(rng_, kHexLower, 17))
          .str("privateIpAddress", "10.0." + std::to_string(rng_.below(256)) + "." +
                                       std::to_string(rng_.below(256)))
          .openObject("stateReason")
          .str("code", "pending")
          .str("message", "pending")
          .close()
          .str("architecture", "x86_64")
          .str("rootDeviceType", "ebs")
          .str("rootDeviceName", "/dev/xvda")
          .openObject("blockDeviceMapping")
          .close()
          .str("virtualizationType", "hvm")
          .str("hypervisor", "xen")
          .openObject("groupSet")
          .openArray("items")
          .openElement()
          .str("groupId", "sg-" + randomChars(rng_, kHexLower, 17))
          .str("groupName", "default")
          .close()
          .closeArray()
          .close()
          .openObject("networkInterfaceSet")
          .openArray("items")
          .openElement()
          .str("networkInterfaceId", eni)
          .str("subnetId", "subnet-" + randomChars(rng_, kHexLower, 17))
          .str("vpcId", "vpc-" + randomChars(rng_, kHexLower, 17))
          .str("ownerId", account)
          .str("status", "in-use")
          .str("macAddress", "0a:" + randomChars(rng_, kHexLower, 2) + ":" +
                                 randomChars(rng_, kHexLower, 2) + ":00:00:01")
          .boolean("sourceDestCheck", true)
          .str("interfaceType", "interface")
          .close()
          .closeArray()
          .close()
          .str("ebsOptimized", "true")
          .openObject("enclaveOptions")
          .boolean("enabled", false)
          .close()
          .openObject("metadataOptions")
          .str("state", "pending")
          .str("httpTokens", "required")
          .num("httpPutResponseHopLimit", 2)
          .str("httpEndpoint", "enabled")
          .close()
          .close();
    }
    j.closeArray().close().close();
    trailer(j, account, false, "AwsApiCall", "Management", "ec2." + region + ".amazonaws.com",
            uuid(rng_));
  } else if (kind < 44) {
    // A policy document: URL-encoded JSON, as CloudTrail records it.
    callerIdentity(j, account, &agent);
    header(j, t, "iam.amazonaws.com", "PutRolePolicy", "us-east-1", ip, agent);
    std::string doc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B";
    for (uint64_t n = rng_.between(2, 12); n > 0; --n) {
      doc += "%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22s3%3AGetObject%22%2C%22s3%3A"
             "ListBucket%22%5D%2C%22Resource%22%3A%5B%22arn%3Aaws%3As3%3A%3A%3Aacme-" +
             randomChars(rng_, kHexLower, 8) + "%2F%2A%22%5D%7D%2C";
    }
    doc += "%7B%22Effect%22%3A%22Deny%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
    const Role& r = rng_.pick(roles_);
    j.openObject("requestParameters")
        .str("roleName", r.name)
        .str("policyName", "inline-" + randomChars(rng_, kHexLower, 6))
        .str("policyDocument", doc)
        .close();
    j.null("responseElements");
    trailer(j, account, false, "AwsApiCall", "Management", "iam.amazonaws.com", uuid(rng_));
  } else {
    // Routine management calls.
    callerIdentity(j, account, &agent);
    struct Call {
      const char* source;
      const char* name;
      bool read_only;
    };
    static const std::vector<Call> kCalls = {
        {"ec2.amazonaws.com", "DescribeInstances", true},
        {"ec2.amazonaws.com", "DescribeSecurityGroups", true},
        {"kms.amazonaws.com", "Decrypt", true},
        {"kms.amazonaws.com", "GenerateDataKey", true},
        {"logs.amazonaws.com", "CreateLogStream", false},
        {"ssm.amazonaws.com", "GetParameter", true},
        {"secretsmanager.amazonaws.com", "GetSecretValue", true},
        {"iam.amazonaws.com", "ListRoles", true},
        {"sts.amazonaws.com", "GetCallerIdentity", true},
        {"dynamodb.amazonaws.com", "DescribeTable", true},
        {"lambda.amazonaws.com", "ListFunctions20150331", true},
        {"cloudformation.amazonaws.com", "DescribeStacks", true},
    };
    const Call& c = rng_.pick(kCalls);
    std::string name = c.name;
    std::string source = c.source;
    header(j, t, source, name, region, ip, agent);
    if (source == "kms.amazonaws.com") {
      std::string key_arn = "arn:aws:kms:" + region + ":" + account + ":key/" + uuid(rng_);
      j.openObject("requestParameters")
          .str("keyId", key_arn)
          .str("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
          .openObject("encryptionContext")
          .str("aws:lambda:FunctionArn", "arn:aws:lambda:" + region + ":" + account +
                                             ":function:orders-" + randomChars(rng_, kHexLower, 6))
          .close()
          .close();
      j.null("responseElements");
      j.openArray("resources")
          .openElement()
          .str("accountId", account)
          .str("type", "AWS::KMS::Key")
          .str("ARN", key_arn)
          .close()
          .closeArray();
    } else if (name == "DescribeInstances") {
      j.openObject("requestParameters")
          .openObject("instancesSet")
          .close()
          .openObject("filterSet")
          .openArray("items")
          .openElement()
          .str("name", "tag:Environment")
          .openObject("valueSet")
          .openArray("items")
          .openElement()
          .str("value", "production")
          .close()
          .closeArray()
          .close()
          .close()
          .closeArray()
          .close()
          .close();
      j.null("responseElements");
    } else if (name == "CreateLogStream") {
      j.openObject("requestParameters")
          .str("logGroupName", "/aws/lambda/orders-" + randomChars(rng_, kHexLower, 6))
          .str("logStreamName", "2024/03/01/[$LATEST]" + randomChars(rng_, kHexLower, 32))
          .close();
      j.null("responseElements");
    } else if (name == "GetParameter" || name == "GetSecretValue") {
      j.openObject("requestParameters")
          .str(name == "GetParameter" ? "name" : "secretId",
               "/prod/orders/" + randomChars(rng_, kHexLower, 8))
          .boolean("withDecryption", true)
          .close();
      j.null("responseElements");
    } else {
      j.null("requestParameters").null("responseElements");
    }
    if (rng_.chance(0.05)) {
      j.str("errorCode", "AccessDenied")
          .str("errorMessage", "User is not authorized to perform: " + source.substr(0, source.find('.')) +
                                   ":" + name + " because no identity-based policy allows the action");
    }
    trailer(j, account, c.read_only, "AwsApiCall", "Management",
            source.substr(0, source.find('.')) + "." + region + ".amazonaws.com", uuid(rng_));
  }
  return j.take();
}

std::string Generator::plantedRecord(const PlantSpec& p, int64_t t, const std::string& region,
                                     std::string* event_id) {
  const HoneyKey& h = honey_[p.honey];
  const std::string& account = accounts_[0];
  std::string ip = publicIp(rng_);
  Json j;
  j.open().str("eventVersion", "1.08");
  // An administrator of the honey account, for the calls that only mention the key.
  const IamUser& admin = admin_;
  switch (p.kind) {
    case Plant::kUsed: {
      iamUserIdentity(j, h.user, h.user.key_id, false);
      static const std::vector<std::pair<std::string, std::string>> kCalls = {
          {"sts.amazonaws.com", "GetCallerIdentity"}, {"iam.amazonaws.com", "ListUsers"},
          {"s3.amazonaws.com", "ListBuckets"},        {"iam.amazonaws.com", "ListAccessKeys"},
          {"ec2.amazonaws.com", "DescribeRegions"},   {"sts.amazonaws.com", "GetSessionToken"}};
      const auto& c = rng_.pick(kCalls);
      header(j, t, c.first, c.second, region, ip, rng_.pick(kAttackerAgents));
      if (c.second == "ListAccessKeys") {
        // The attacker looks at its own user: one "used", never also "touched".
        j.openObject("requestParameters").str("userName", h.user.name).close();
        j.null("responseElements");
      } else if (c.second == "GetSessionToken") {
        j.openObject("requestParameters").num("durationSeconds", 43200).close();
        j.openObject("responseElements")
            .openObject("credentials")
            .str("accessKeyId", awsId(rng_, "ASIA", 16))
            .str("sessionToken", randomChars(rng_, kBase64, 356))
            .str("expiration", "Mar 2, 2024, 8:12:44 AM")
            .close()
            .close();
      } else {
        j.null("requestParameters").null("responseElements");
      }
      if (rng_.chance(0.4)) {
        j.str("errorCode", "AccessDenied")
            .str("errorMessage", "User: arn:aws:iam::" + account + ":user/" + h.user.name +
                                     " is not authorized to perform this action");
      }
      trailer(j, account, c.second != "GetSessionToken", "AwsApiCall", "Management",
              c.first, uuid(rng_));
      break;
    }
    case Plant::kSessionUsed: {
      iamUserIdentity(j, h.user, awsId(rng_, "ASIA", 16), true);
      header(j, t, "s3.amazonaws.com", "ListBuckets", region, ip, rng_.pick(kAttackerAgents));
      j.openObject("requestParameters").str("Host", "s3.amazonaws.com").close();
      j.null("responseElements");
      trailer(j, account, true, "AwsApiCall", "Management", "s3.amazonaws.com",
              randomChars(rng_, kHexUpper, 16));
      break;
    }
    case Plant::kTouchedKey: {
      iamUserIdentity(j, admin, admin.key_id, false);
      if (rng_.chance(0.5)) {
        header(j, t, "iam.amazonaws.com", "GetAccessKeyLastUsed", "us-east-1", ip, kUserAgents[0]);
        j.openObject("requestParameters").str("accessKeyId", h.user.key_id).close();
        j.null("responseElements");
      } else {
        header(j, t, "iam.amazonaws.com", "UpdateAccessKey", "us-east-1", ip, kUserAgents[7]);
        j.openObject("requestParameters")
            .str("userName", h.user.name)
            .str("accessKeyId", h.user.key_id)
            .str("status", "Active")
            .close();
        j.null("responseElements");
      }
      trailer(j, account, false, "AwsApiCall", "Management", "iam.amazonaws.com", uuid(rng_));
      break;
    }
    case Plant::kTouchedPrincipal: {
      iamUserIdentity(j, admin, admin.key_id, false);
      header(j, t, "iam.amazonaws.com", "TagUser", "us-east-1", ip, kUserAgents[6]);
      j.openObject("requestParameters").str("userName", h.user.name).close();
      j.openObject("responseElements")
          .openObject("user")
          .str("path", "/")
          .str("userName", h.user.name)
          .str("userId", h.user.principal_id)
          .str("arn", "arn:aws:iam::" + account + ":user/" + h.user.name)
          .str("createDate", "Feb 12, 2024, 10:01:33 AM")
          .close()
          .close();
      trailer(j, account, false, "AwsApiCall", "Management", "iam.amazonaws.com", uuid(rng_));
      break;
    }
    case Plant::kLookAlikeKey: {
      if (rng_.chance(0.5)) {
        IamUser other = rng_.pick(users_);
        iamUserIdentity(j, other, h.look_alike_key, false);
        header(j, t, "ec2.amazonaws.com", "DescribeInstances", region, ip, kUserAgents[1]);
        j.null("requestParameters").null("responseElements");
      } else {
        iamUserIdentity(j, admin, admin.key_id, false);
        header(j, t, "iam.amazonaws.com", "GetAccessKeyLastUsed", "us-east-1", ip, kUserAgents[0]);
        j.openObject("requestParameters").str("accessKeyId", h.look_alike_key).close();
        j.null("responseElements");
      }
      trailer(j, account, true, "AwsApiCall", "Management", "iam.amazonaws.com", uuid(rng_));
      break;
    }
    case Plant::kLookAlikePrincipal: {
      iamUserIdentity(j, admin, admin.key_id, false);
      header(j, t, "iam.amazonaws.com", "GetUser", "us-east-1", ip, kUserAgents[0]);
      j.openObject("requestParameters").str("userName", "not-" + h.user.name).close();
      j.openObject("responseElements")
          .openObject("user")
          .str("userId", h.look_alike_principal)
          .str("arn", "arn:aws:iam::" + account + ":user/not-" + h.user.name)
          .close()
          .close();
      trailer(j, account, true, "AwsApiCall", "Management", "iam.amazonaws.com", uuid(rng_));
      break;
    }
  }
  std::string record = j.take();
  // The event ID is the one trailer() wrote; fish it back out rather than thread it through.
  size_t at = record.find("\"eventID\":\"") + 11;
  *event_id = record.substr(at, record.find('"', at) - at);
  return record;
}

void Generator::groundTruth(const PlantSpec& p, const std::string& event_id,
                            const std::string& region) {
  const HoneyKey& h = honey_[p.honey];
  // What a hunt that knows only key IDs (--key-id) reports, and what one with the registry
  // (key ID and principal ID imported) reports. "" = not reported.
  const char* kind = "";
  const char* key_only = "";
  const char* registry = "";
  switch (p.kind) {
    case Plant::kUsed:
      kind = "used", key_only = "used", registry = "used";
      break;
    case Plant::kSessionUsed:
      kind = "session-used", registry = "session-used";
      break;
    case Plant::kTouchedKey:
      kind = "touched-key", key_only = "touched", registry = "touched";
      break;
    case Plant::kTouchedPrincipal:
      kind = "touched-principal", registry = "touched";
      break;
    case Plant::kLookAlikeKey:
    case Plant::kLookAlikePrincipal: {
      decoys_ += "{\"event_id\":\"" + event_id + "\",\"kind\":\"" +
                 (p.kind == Plant::kLookAlikeKey ? "look-alike-key" : "look-alike-principal") +
                 "\",\"honey_key_id\":\"" + h.user.key_id + "\",\"look_alike\":\"" +
                 (p.kind == Plant::kLookAlikeKey ? h.look_alike_key : h.look_alike_principal) +
                 "\"}\n";
      return;
    }
  }
  auto classes = [](const char* c) {
    return *c == 0 ? std::string("[]") : std::string("[\"") + c + "\"]";
  };
  truth_lines_.push_back("\"event_id\":\"" + event_id + "\",\"kind\":\"" + kind +
                         "\",\"key_id\":\"" + h.user.key_id + "\",\"principal_id\":\"" +
                         h.user.principal_id + "\",\"region\":\"" + region +
                         "\",\"key_only\":" + classes(key_only) +
                         ",\"registry\":" + classes(registry));
  truth_copies_.push_back(1);
}

void Generator::writeFile(const std::string& account, const std::string& region, int64_t t,
                          const std::vector<std::string>& records) {
  std::string body = "{\"Records\":[";
  size_t total = 0;
  for (const auto& r : records) total += r.size() + 1;
  body.reserve(total + 16);
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += records[i];
  }
  body += "]}";

  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char date_dir[16], stamp[32];
  std::strftime(date_dir, sizeof date_dir, "%Y/%m/%d", &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%MZ", &tm);
  fs::path dir = fs::path(options_.out) / "AWSLogs" / account / "CloudTrail" / region / date_dir;
  fs::create_directories(dir);
  std::string name = account + "_CloudTrail_" + region + "_" + stamp + "_" +
                     randomChars(rng_, kAlnum, 16) + ".json.gz";

  std::string gz(libdeflate_gzip_compress_bound(compressor_.get(), body.size()), '\0');
  size_t n = libdeflate_gzip_compress(compressor_.get(), body.data(), body.size(), gz.data(),
                                      gz.size());
  if (n == 0) {
    std::cerr << "ht_bench_corpus: compression failed\n";
    std::exit(1);
  }
  std::ofstream f(dir / name, std::ios::binary);
  f.write(gz.data(), static_cast<std::streamsize>(n));
  if (!f) {
    std::cerr << "ht_bench_corpus: cannot write " << (dir / name).string() << "\n";
    std::exit(1);
  }
  ++files_;
  records_ += records.size();
  json_bytes_ += body.size();
  gz_bytes_ += n;
}

int Generator::run() {
  compressor_.reset(libdeflate_alloc_compressor(6));
  if (!compressor_) {
    std::cerr << "ht_bench_corpus: cannot allocate a compressor\n";
    return 1;
  }
  fs::create_directories(options_.out);
  makeIdentities();
  planPlants();

  const int64_t start = 1709251200;  // 2024-03-01T00:00:00Z
  constexpr double kAvgRecord = 1500.0;
  // Plants go into honey-account files (every fourth file), spread over the expected records.
  const double honey_records_expected =
      static_cast<double>(options_.bytes) / kAvgRecord / 4.0 + 1.0;
  const double plant_rate = static_cast<double>(plants_.size()) / honey_records_expected;
  std::vector<std::string> records;
  std::vector<std::pair<size_t, std::string>> honey_dups;  // (truth line, record)
  std::vector<std::pair<size_t, std::string>> next_honey_dups;

  for (uint64_t file = 0; json_bytes_ < options_.bytes || !plants_.empty() ||
                          !honey_dups.empty() || !next_honey_dups.empty();
       ++file) {
    bool honey_file = file % 4 == 3;
    bool last_round = json_bytes_ >= options_.bytes;
    if (last_round && !honey_file) continue;
    const std::string& account = honey_file ? accounts_[0] : accounts_[1 + rng_.below(accounts_.size() - 1)];
    const std::string& region = rng_.pick(kRegions);
    int64_t t = start + static_cast<int64_t>(file) * 97;
    // Mostly a few hundred records, now and then close to two thousand.
    uint64_t count = rng_.chance(0.15) ? rng_.between(1200, 2000) : rng_.between(100, 900);
    records.clear();
    for (auto& d : pending_dups_) records.push_back(std::move(d));
    pending_dups_.clear();
    if (honey_file) {
      for (auto& [line, r] : honey_dups) {
        ++truth_copies_[line];
        records.push_back(std::move(r));
      }
      honey_dups = std::move(next_honey_dups);
      next_honey_dups.clear();
    }
    for (uint64_t i = 0; i < count; ++i) {
      int64_t et = t - 300 + static_cast<int64_t>(rng_.below(300));
      if (honey_file && !plants_.empty() && (last_round || rng_.chance(plant_rate))) {
        PlantSpec p = plants_.front();
        plants_.pop_front();
        std::string event_id;
        std::string r = plantedRecord(p, et, region, &event_id);
        size_t lines_before = truth_lines_.size();
        groundTruth(p, event_id, region);
        ++planted_;
        // CloudTrail now and then delivers an event twice, in different files.
        if (truth_lines_.size() > lines_before && rng_.chance(0.25)) {
          ++duplicates_;
          (rng_.chance(0.5) ? honey_dups : next_honey_dups).emplace_back(lines_before, r);
        }
        records.push_back(std::move(r));
        continue;
      }
      std::string r = ordinaryRecord(et, account, region);
      if (rng_.chance(0.001)) {
        ++duplicates_;
        pending_dups_.push_back(r);
      }
      records.push_back(std::move(r));
    }
    // Shuffle so planted events and duplicates are not always first.
    for (size_t i = records.size(); i > 1; --i) std::swap(records[i - 1], records[rng_.below(i)]);
    writeFile(account, region, t, records);
  }

  // Metadata next to (not inside) AWSLogs, so that hunting AWSLogs sees only CloudTrail files.
  fs::path out(options_.out);
  std::ofstream keys(out / "keys.txt"), principals(out / "principals.txt");
  for (const auto& h : honey_) {
    keys << h.user.key_id << "\n";
    principals << h.user.key_id << " " << h.user.principal_id << "\n";
  }
  std::ofstream truth(out / "ground_truth.jsonl");
  uint64_t truth_dups_key_only = 0, truth_dups_registry = 0;
  for (size_t i = 0; i < truth_lines_.size(); ++i) {
    truth << "{" << truth_lines_[i] << ",\"copies\":" << truth_copies_[i] << "}\n";
    bool key_only = truth_lines_[i].find("\"key_only\":[]") == std::string::npos;
    if (key_only) truth_dups_key_only += static_cast<uint64_t>(truth_copies_[i] - 1);
    truth_dups_registry += static_cast<uint64_t>(truth_copies_[i] - 1);
  }
  std::ofstream(out / "decoys.jsonl") << decoys_;
  std::ofstream env(out / "corpus.env");
  env << "FILES=" << files_ << "\nRECORDS=" << records_ << "\nJSON_BYTES=" << json_bytes_
      << "\nGZ_BYTES=" << gz_bytes_ << "\nHONEY_KEYS=" << honey_.size()
      << "\nEXPECTED_EVENTS=" << truth_lines_.size() << "\nDUPLICATES=" << duplicates_
      << "\nEXPECTED_DUPS_KEY_ONLY=" << truth_dups_key_only
      << "\nEXPECTED_DUPS_REGISTRY=" << truth_dups_registry << "\nSEED=" << options_.seed << "\n";
  if (!keys || !principals || !truth || !env) {
    std::cerr << "ht_bench_corpus: cannot write metadata into " << options_.out << "\n";
    return 1;
  }
  std::printf(
      "corpus: %" PRIu64 " files, %" PRIu64 " records, %.1f MB JSON, %.1f MB gzip (%.1fx), "
      "%.0f bytes/record\n"
      "planted: %zu honey keys, %" PRIu64 " planted events, %zu expected matches, %" PRIu64
      " duplicated records\n",
      files_, records_, static_cast<double>(json_bytes_) / 1e6,
      static_cast<double>(gz_bytes_) / 1e6,
      static_cast<double>(json_bytes_) / static_cast<double>(gz_bytes_ ? gz_bytes_ : 1),
      static_cast<double>(json_bytes_) / static_cast<double>(records_ ? records_ : 1),
      honey_.size(), planted_, truth_lines_.size(), duplicates_);
  return 0;
}

// "1G" = 10^9: figures elsewhere are in decimal MB.
bool parseBytes(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const std::string text(s);  // strtod's end pointer points into this: it must outlive suffix
  double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || v <= 0) return false;
  std::string_view suffix(end);
  double mult = 1;
  if (suffix == "K" || suffix == "k") {
    mult = 1e3;
  } else if (suffix == "M" || suffix == "m") {
    mult = 1e6;
  } else if (suffix == "G" || suffix == "g") {
    mult = 1e9;
  } else if (!suffix.empty()) {
    return false;
  }
  *out = static_cast<uint64_t>(v * mult);
  return true;
}

int usage() {
  std::cerr << "usage: ht_bench_corpus --out DIR [--bytes N[K|M|G]] [--seed N] [--honey-keys N]\n";
  return 2;
}

}  // namespace
}  // namespace ht::bench

int main(int argc, char** argv) {
  using namespace ht::bench;
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) return usage();
    std::string_view v = argv[++i];
    if (a == "--out") {
      options.out = v;
    } else if (a == "--bytes") {
      if (!parseBytes(v, &options.bytes)) return usage();
    } else if (a == "--seed") {
      options.seed = std::strtoull(std::string(v).c_str(), nullptr, 10);
    } else if (a == "--honey-keys") {
      options.honey_keys = std::strtoull(std::string(v).c_str(), nullptr, 10);
      if (options.honey_keys == 0 || options.honey_keys > 100000) return usage();
    } else {
      return usage();
    }
  }
  if (options.out.empty()) return usage();
  Generator g(options);
  return g.run();
}
