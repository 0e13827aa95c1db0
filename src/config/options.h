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

struct Config {
  std::string data_dir;  // "" = ./honeytrail-data; --data-dir and HONEYTRAIL_DATA_DIR win
  LogOptions log;
  StorageOptions storage;
  SecretsOptions secrets;
  TokensOptions tokens;
  AuditOptions audit;
  RenderOptions render;
};

}  // namespace ht::config
