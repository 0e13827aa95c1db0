// Every honeytrail option, as typed structs. The default of each field is the value used when
// honeytrail.yaml does not set it, so the program runs with no config file at all.
// docs/honeytrail.example.yaml documents the same keys; config_test checks the two agree.
#pragma once

#include <string>
#include <vector>

namespace ht::config {

struct LogOptions {
  std::string level = "info";    // debug | info | warn | error
  std::string format = "plain";  // plain | json
};

struct SqliteOptions {
  std::string path = "honeytrail.db";  // relative paths are inside the data dir
  int busy_timeout_ms = 10000;         // how long a writer waits for another process's lock
};

struct StorageOptions {
  std::string backend = "sqlite";  // sqlite (postgres arrives later)
  SqliteOptions sqlite;
};

struct SecretsOptions {
  // Where the 32-byte master key that encrypts stored secret access keys comes from, in order:
  // the environment variable named here (base64), then key_file, then DATA_DIR/master.key,
  // which is generated with mode 0600 on first use.
  std::string master_key_env = "HONEYTRAIL_MASTER_KEY";
  std::string master_key_file;  // "" = DATA_DIR/master.key
};

struct NamingOptions {
  // How generated IAM user names look, so that they blend in with the organisation's own:
  // "service" (svc-billing-export), "person" (maria.lopez) or "mixed".
  std::string style = "mixed";
  // Optional pattern overriding style, with placeholders {service} {env} {team} {first} {last}
  // {f} (first initial) {n} (a small number), e.g. "{team}-{service}-{env}" or "{f}{last}".
  std::string pattern;
  std::vector<std::string> services;  // empty = built-in word lists
  std::vector<std::string> envs;
  std::vector<std::string> teams;
  std::vector<std::string> first_names;
  std::vector<std::string> last_names;
  std::vector<std::string> paths;  // IAM paths to choose from; empty = built-in ("/", "/service/", ...)
};

struct TokensOptions {
  std::string default_backend = "synthetic";  // synthetic | aws | import
  // Account ID that synthetic keys encode (so they look like keys of one plausible account);
  // "" = a random 12-digit account per data dir.
  std::string synthetic_account_id;
  NamingOptions naming;
};

struct AuditOptions {
  std::vector<std::string> real_account_ids;  // the organisation's real AWS accounts
  // Extra JSON files of known canary account IDs (any array of 12-digit strings in them counts),
  // added to the built-in list.
  std::vector<std::string> canary_account_files;
  int max_key_age_days = 180;        // older keys are flagged: real keys rotate
  int shared_account_threshold = 5;  // this many tokens decoding to one account is a finding
};

struct RenderOptions {
  std::string default_region = "us-east-1";
  std::string default_profile = "default";
};

// How honeytrail reaches the honey account. Credentials follow the AWS CLI chain (environment,
// then the profile in ~/.aws/credentials and ~/.aws/config); endpoints follow the SDK convention
// (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM, ...), and the URLs here apply when those are unset.
struct AwsOptions {
  std::string profile;      // "" = $AWS_PROFILE, else "default"
  std::string region;       // "" = $AWS_REGION, $AWS_DEFAULT_REGION, the profile's, us-east-1
  std::string role_arn;     // assume this role in the honey account (sts:AssumeRole)
  std::string external_id;  // for role_arn, when the role's trust policy asks for one
  std::string endpoint_url;      // every service (an emulator or AWS-compatible service)
  std::string iam_endpoint_url;  // per service; wins over endpoint_url
  std::string sts_endpoint_url;
  std::string s3_endpoint_url;
  // Name of the inline deny-all policy on each honey user. Attackers cannot read it (the policy
  // denies iam:* too), but administrators and `token verify` look for it by this name.
  std::string deny_policy_name = "default";
  int max_attempts = 5;             // per API call, first try included
  int request_timeout_ms = 30000;
  int last_used_poll_seconds = 300;  // safety net: how often GetAccessKeyLastUsed runs per token
};

struct Config {
  std::string data_dir;  // "" = ./honeytrail-data; --data-dir and HONEYTRAIL_DATA_DIR win
  LogOptions log;
  StorageOptions storage;
  SecretsOptions secrets;
  TokensOptions tokens;
  AuditOptions audit;
  RenderOptions render;
  AwsOptions aws;
};

}  // namespace ht::config
