// Every honeytrail option, as typed structs. The default of each field is the value used when
// honeytrail.yaml does not set it, so the program runs with no config file at all.
// docs/honeytrail.example.yaml documents the same keys; config_test checks the two agree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/severity.h"

namespace ht::config {

// What a response action is (alerts.actions.NAME.type).
enum class ActionType { kCommand, kWebhook };
const char* actionTypeName(ActionType t);  // "command", "webhook"
std::optional<ActionType> parseActionType(std::string_view text);

// How a response action runs (alerts.actions.NAME.mode).
enum class ActionMode { kDryRun, kApproval, kAuto };
const char* actionModeName(ActionMode m);  // "dry-run", "approval", "auto"
std::optional<ActionMode> parseActionMode(std::string_view text);

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
  std::vector<std::string>
      paths;  // IAM paths to choose from; empty = built-in ("/", "/service/", ...)
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
  std::string profile;           // "" = $AWS_PROFILE, else "default"
  std::string region;            // "" = $AWS_REGION, $AWS_DEFAULT_REGION, the profile's, us-east-1
  std::string role_arn;          // assume this role in the honey account (sts:AssumeRole)
  std::string external_id;       // for role_arn, when the role's trust policy asks for one
  std::string endpoint_url;      // every service (an emulator or AWS-compatible service)
  std::string iam_endpoint_url;  // per service; wins over endpoint_url
  std::string sts_endpoint_url;
  std::string s3_endpoint_url;
  // Name of the inline deny-all policy on each honey user. Attackers cannot read it (the policy
  // denies iam:* too), but administrators and `token verify` look for it by this name.
  std::string deny_policy_name = "default";
  int max_attempts = 5;  // per API call, first try included
  int request_timeout_ms = 30000;
  int last_used_poll_seconds = 300;  // safety net: how often GetAccessKeyLastUsed runs per token
  std::string sqs_endpoint_url;
};

// Local lookups that add context to a trigger without any network call. Missing files are a
// config error; unset ones simply leave the fields out.
struct EnrichOptions {
  // MaxMind-format databases (.mmdb): GeoLite2/GeoIP2 Country or City for the country, and the
  // ASN database for the network owner. One file may serve both when it holds both kinds of data.
  std::string geoip_db;
  std::string asn_db;
  // Tor exit addresses: the Tor Project's exit-addresses file ("ExitAddress 1.2.3.4 ...") or
  // one address per line; '#' starts a comment.
  std::string tor_exit_list;
};

// Polls a CloudTrail bucket: AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json.gz under
// each prefix, with a checkpoint per account and region in the database.
struct S3SourceOptions {
  bool enabled = false;
  std::string bucket;
  // Trail key prefixes (what comes before "AWSLogs/"); empty = the bucket root.
  std::vector<std::string> prefixes;
  int poll_seconds = 60;
  // CloudTrail writes files out of order: each poll re-lists this far behind the newest file
  // processed, and skips what it has already read.
  int lookback_minutes = 60;
  // First run, with no checkpoint yet: read files from this far back.
  int initial_lookback_minutes = 1440;
};

// Long-polls a queue fed by S3 event notifications (directly or through SNS) or CloudTrail's own
// SNS notices, fetching each named object and deleting the message once the object is read.
struct SqsSourceOptions {
  bool enabled = false;
  std::string queue_url;
  int wait_seconds = 20;                 // long-poll wait per ReceiveMessage (0-20)
  int max_messages = 10;                 // per ReceiveMessage (1-10)
  int visibility_timeout_seconds = 300;  // extended while a slow object is being read
};

// HTTP endpoint for EventBridge API destinations and SNS HTTPS subscriptions.
struct PushSourceOptions {
  bool enabled = false;
  std::string listen = "127.0.0.1:8787";  // host:port; port 0 picks a free one
  // EventBridge connection credentials, read from the environment (never written in config):
  // API-key auth sends header eventbridge_api_key_header with the key; Basic auth a user and
  // password. At least one must be set for /eventbridge to accept anything.
  std::string eventbridge_api_key_header = "x-api-key";
  std::string eventbridge_api_key_env;
  std::string eventbridge_basic_user;
  std::string eventbridge_basic_password_env;
  // SNS: only these topics are accepted; the signing certificate must be https on
  // sns.<region>.amazonaws.com with a .pem path, and is cached in sns_cert_dir.
  std::vector<std::string> sns_topic_arns;
  std::string sns_cert_dir;     // "" = DATA_DIR/sns-certs; pre-seed it for air-gapped sites
  bool sns_fetch_certs = true;  // false = only certificates already in sns_cert_dir
  bool sns_confirm_subscriptions = true;  // visit SubscribeURL of an accepted topic's confirmation
  int max_body_bytes = 1048576;
  int read_timeout_ms = 10000;
};

struct SourcesOptions {
  S3SourceOptions s3;
  SqsSourceOptions sqs;
  PushSourceOptions push;
  bool last_used = false;  // the safety net: GetAccessKeyLastUsed per AWS token
  // A source with no new data for this long is a "detection is blind" finding.
  int blind_after_minutes = 60;
};

// One place alerts go (alerts.outputs.NAME). Credentials are never written in the config: the
// *_env keys name environment variables that hold them, read when the output is built.
struct OutputOptions {
  std::string name;  // the mapping key; routes refer to it
  bool enabled = true;
  // webhook | slack | teams | pagerduty | jira | email | syslog | file
  std::string type;
  // webhook, slack, teams: the URL to POST to. pagerduty: the Events API endpoint ("" = PagerDuty's
  // https://events.pagerduty.com/v2/enqueue). jira: the site's base URL. email: the SMTP server
  // (smtp://host:587, STARTTLS required; smtps://host:465). syslog: udp://host:port,
  // tcp://host:port or unix:///dev/log.
  std::string url;
  // The variable that holds the URL instead, for Slack and Teams webhook URLs (they are the
  // credential). Wins over url when set.
  std::string url_env;
  // The variable that holds the secret: the webhook's HMAC key, PagerDuty's routing key, Jira's
  // API token, the SMTP password.
  std::string secret_env;
  std::string username;        // Jira account (email address), SMTP user
  bool allow_private = false;  // let webhook-style outputs reach private or loopback addresses
  std::string ca_file;         // extra CA bundle for TLS (an internal CA); "" = system
  int timeout_ms = 10000;      // per delivery attempt
  std::string jira_project;    // project key, e.g. "SEC"
  std::string jira_issue_type = "Task";
  std::string email_from;
  std::vector<std::string> email_to;
  std::string path;  // file: JSON lines appended here ("-" = standard output)
};

// Which incidents go where (alerts.routes.NAME). Every match_* list that is set must match
// (an empty list matches everything); within a list, any item may match. Values are globs (*).
struct RouteOptions {
  std::string name;
  bool enabled = true;
  std::vector<std::string> outputs;          // names in alerts.outputs
  std::vector<std::string> match_tags;       // token tags, "key=value" ("env=prod", "team=*")
  std::vector<std::string> match_placement;  // "host=web-*", "kind=file", "owner=ops", "location=…"
  std::vector<std::string> match_classes;    // trigger classes: used session-used touched exposed
  Severity min_severity = Severity::kLow;
  // At most throttle_max announcements (new incidents and escalations) per throttle_minutes on
  // this route; the rest are recorded on the incident's timeline only. 0 = no limit. A resolve
  // notice goes to every output that announced the incident, so that a page opened is closed.
  int throttle_max = 0;
  int throttle_minutes = 60;
  std::vector<std::string> actions;  // names in alerts.actions, run when the route announces
};

// A rule that keeps matching triggers from being announced (alerts.quiet.NAME): the team's own
// scanner, a known test. The trigger and its incident are still recorded. Every list that is set
// must match. A rule stops applying at `expires`.
struct QuietOptions {
  std::string name;
  std::vector<std::string> source_ips;   // addresses or CIDR blocks
  std::vector<std::string> user_agents;  // globs
  std::vector<std::string> tokens;       // token IDs or access key IDs
  std::vector<std::string> routes;       // only on these routes; empty = every route
  std::string expires;                   // ISO 8601 UTC, e.g. "2027-01-31T00:00:00Z"; required
  std::string reason;                    // shown on the timeline
};

// A response action (alerts.actions.NAME), run when a route that names it announces.
struct ActionOptions {
  std::string name;
  std::optional<ActionType> type;  // unset: the config did not say (an error at validation)
  // command: argv (no shell); the incident JSON arrives on standard input. Its output (at most
  // 64 KiB) and exit status are kept on the incident's timeline.
  std::vector<std::string> command;
  std::string url;             // webhook: POST the incident JSON here
  std::string secret_env;      // webhook: HMAC key for X-Honeytrail-Signature
  bool allow_private = false;  // webhook
  // dry-run: record what would run; approval: wait until someone runs `honeytrail alert approve`;
  // auto: run at once.
  ActionMode mode = ActionMode::kDryRun;
  int timeout_seconds = 60;
  std::vector<std::string> on = {"new"};  // which announcements run it: new, escalation
};

// The runbook for a token class (alerts.runbooks.CLASS): the class is the token's "class" tag,
// else the kind of its first placement (file, lambda, ...); "default" serves every other class.
struct RunbookOptions {
  std::string name;
  std::string markdown;  // the text itself
  std::string file;      // or a Markdown file (relative to the config file's directory)
};

// Incidents and alerting.
struct AlertsOptions {
  // Triggers of one token within this many minutes of the previous one join its open incident;
  // a later one opens a new incident.
  int incident_window_minutes = 60;
  // Where the web UI lives, for the incident link in every alert ("" = no link).
  std::string ui_base_url;
  // Delivery: retries with exponential backoff (full jitter) from retry_first_seconds up to
  // retry_max_seconds between attempts; after retry_max_age_hours the notification is dead.
  int retry_first_seconds = 5;
  int retry_max_seconds = 900;
  int retry_max_age_hours = 24;
  // How long a one-shot `honeytrail ingest` waits to deliver what it caused before it exits;
  // the rest stays in the outbox for `serve` or `honeytrail alert flush`.
  int ingest_wait_seconds = 30;
  std::vector<OutputOptions> outputs;
  std::vector<RouteOptions> routes;
  std::vector<QuietOptions> quiet;
  std::vector<ActionOptions> actions;
  std::vector<RunbookOptions> runbooks;
};

struct ServeOptions {
  int shutdown_timeout_seconds = 30;  // after SIGTERM: finish the object in hand, then exit
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
  EnrichOptions enrich;
  SourcesOptions sources;
  AlertsOptions alerts;
  ServeOptions serve;
};

}  // namespace ht::config
