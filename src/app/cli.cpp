#include "app/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "alert/outputs.h"
#include "app/context.h"
#include "app/output.h"
#include "app/serve.h"
#include "aws/key_id.h"
#include "aws/setup_templates.h"
#include "config/config.h"
#include "core/files.h"
#include "core/log.h"
#include "core/strings.h"
#include "detect/last_used_poller.h"
#include "detect/scanner.h"
#include "detect/trigger.h"
#include "live/pipeline.h"
#include "ingest/reader.h"
#include "tokens/audit.h"
#include "tokens/name_generator.h"
#include "tokens/render.h"
#include "tokens/verify.h"

namespace ht::app {
namespace {

using nlohmann::json;
using tokens::Token;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

// Thrown only inside this file to leave a subcommand callback with a Status; never escapes runCli.
struct CommandFailed {
  Status status;
};

void check(const Status& st) {
  if (!st.isOk()) throw CommandFailed{st};
}
template <typename T>
T unwrap(Result<T> r) {
  if (!r.hasValue()) throw CommandFailed{r.status()};
  return std::move(r).value();
}

Result<tokens::Tags> parseTags(const std::vector<std::string>& items) {
  tokens::Tags tags;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::invalidArgument("tag '" + item + "' must be KEY=VALUE");
    }
    tags[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return tags;
}

OutputFormat parseOutput(const std::string& s) {
  return s == "json" ? OutputFormat::kJson : OutputFormat::kTable;
}

void addOutputOption(CLI::App* cmd, std::string* out) {
  cmd->add_option("-o,--output", *out, "table (for people) or json (for scripts)")
      ->check(CLI::IsMember({"table", "json"}))
      ->default_val("table");
}

// Reads a secret access key from standard input without echoing it anywhere.
Result<SecretString> readSecretFromStdin() {
  std::string line;
  std::getline(std::cin, line);
  SecretString secret(trim(line));
  secureZero(line.data(), line.size());
  if (secret.size() != 40) {
    return Status::invalidArgument(
        "the secret on standard input is not an AWS secret access key "
        "(expected 40 characters, got " +
        std::to_string(secret.size()) + ")");
  }
  for (char c : secret.reveal()) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    if (!ok) {
      return Status::invalidArgument(
          "the secret on standard input has a character outside the "
          "base64 alphabet (A-Z a-z 0-9 + /)");
    }
  }
  return secret;
}

std::string shortTime(TimePoint t) { return formatTime(t); }

std::string placementSummary(const std::vector<tokens::Placement>& ps) {
  std::string out;
  for (const auto& p : ps) {
    if (!out.empty()) out += "; ";
    out += p.host.empty() ? p.location : (p.location.empty() ? p.host : p.host + ":" + p.location);
  }
  return out;
}

std::map<std::string, std::vector<tokens::Placement>> placementsByToken(Context& ctx) {
  std::map<std::string, std::vector<tokens::Placement>> by;
  for (auto& p : unwrap(ctx.registry().placements(std::nullopt))) by[p.token_id].push_back(p);
  return by;
}

void printToken(const Token& t, const std::vector<tokens::Placement>& ps,
                const std::vector<tokens::CustodyEvent>& custody, OutputFormat out) {
  if (out == OutputFormat::kJson) {
    json j = tokenToJson(t);
    j["placements"] = json::array();
    for (const auto& p : ps) j["placements"].push_back(placementToJson(p));
    j["custody"] = json::array();
    for (const auto& c : custody) j["custody"].push_back(custodyToJson(c));
    std::cout << j.dump() << "\n";
    return;
  }
  std::cout << "token        " << t.id << "\n"
            << "key id       " << t.key_id << "\n"
            << "status       " << tokens::tokenStatusName(t.status)
            << (t.revoked_at ? " (" + shortTime(*t.revoked_at) + ": " + t.revoke_reason + ")" : "")
            << "\n"
            << "back-end     " << t.backend
            << (t.can_trigger ? "" : " (synthetic: cannot trigger in AWS)") << "\n"
            << "account      " << (t.account_id.empty() ? "(not decodable)" : t.account_id) << "\n"
            << "user         " << (t.user_arn.empty() ? t.user_path + t.user_name : t.user_arn)
            << "\n"
            << "principal    " << (t.principal_id.empty() ? "-" : t.principal_id) << "\n"
            << "secret       " << tokens::secretStateName(t.secret_state) << "\n"
            << "label        " << (t.label.empty() ? "-" : t.label) << "\n"
            << "tags         " << (t.tags.empty() ? "-" : tagsToText(t.tags)) << "\n"
            << "created      " << shortTime(t.created_at) << "\n";
  std::cout << "\nplacements\n";
  Table pt({"ID", "HOST", "LOCATION", "KIND", "OWNER", "ADDED"});
  for (const auto& p : ps)
    pt.add({std::to_string(p.id), p.host, p.location, p.kind, p.owner, shortTime(p.created_at)});
  std::cout << (pt.empty() ? "  (none)\n" : pt.render());
  std::cout << "\nchain of custody\n";
  Table ct({"#", "AT", "HOLDER", "METHOD", "PLACEMENT", "NOTES"});
  int n = 0;
  for (const auto& c : custody) {
    ct.add({std::to_string(++n), shortTime(c.at), c.holder, c.method,
            c.placement_id ? std::to_string(*c.placement_id) : "", c.notes});
  }
  std::cout << (ct.empty() ? "  (none)\n" : ct.render());
}

std::atomic<bool> g_stop{false};

void onStopSignal(int) { g_stop = true; }

void installStopHandlers() {
  std::signal(SIGTERM, onStopSignal);
  std::signal(SIGINT, onStopSignal);
}

// Sleeps in short steps so that SIGTERM ends a --watch loop within a second.
bool sleepUnlessStopped(int seconds) {
  for (int i = 0; i < seconds * 10 && !g_stop; ++i) ::usleep(100000);
  return !g_stop;
}

void printDrain(const std::string& who, const alert::DrainSummary& s) {
  std::cerr << who << ": alerts " << s.totals.delivered << " delivered, " << s.totals.dead
            << " dead, " << s.still_pending << " waiting in the outbox";
  if (s.still_pending > 0) std::cerr << " (honeytrail serve or alert flush delivers them)";
  if (s.awaiting_approval > 0) {
    std::cerr << ", " << s.awaiting_approval
              << " action(s) waiting for approval (honeytrail alert list --state approval)";
  }
  std::cerr << "\n";
}

int defaultThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

json triggerToJson(const detect::TriggerRecord& t, const std::string& key_id) {
  json j = {{"event_id", t.event_id},
            {"key_id", key_id},
            {"token_id", t.token_id},
            {"trigger_class", t.trigger_class},
            {"event_time", t.event_time ? json(formatTime(*t.event_time)) : json(nullptr)},
            {"event_source", t.event_source},
            {"event_name", t.event_name},
            {"aws_region", t.aws_region},
            {"source_ip", t.source_ip},
            {"user_agent", t.user_agent},
            {"error_code", t.error_code},
            {"recipient_account_id", t.recipient_account_id},
            {"read_only", t.read_only ? json(*t.read_only) : json(nullptr)},
            {"client", t.client},
            {"intent", t.intent},
            {"matched_on", t.matched_on},
            {"source", t.source}};
  // Present only when known: a missing enrichment file must not look like "not Tor".
  if (!t.source_country.empty()) j["source_country"] = t.source_country;
  if (t.source_asn) j["source_asn"] = *t.source_asn;
  if (!t.source_as_org.empty()) j["source_as_org"] = t.source_as_org;
  if (t.source_tor) j["source_tor"] = *t.source_tor;
  if (!t.service.empty()) j["service"] = t.service;
  return j;
}

json eventToJson(const detect::FoundEvent& f) {
  const detect::CloudTrailEvent& e = f.event;
  json matches = json::array();
  for (const auto& m : f.matches) {
    matches.push_back({{"key_id", m.token->key_id},
                       {"token_id", m.token->id},
                       {"trigger_class", detect::triggerClassName(m.trigger_class)},
                       {"matched_on", m.matched_on}});
  }
  return {{"event_id", e.event_id},
          {"file", f.source},
          {"index", f.index},
          {"offset", f.offset},
          {"event_time", e.event_time},
          {"event_source", e.event_source},
          {"event_name", e.event_name},
          {"aws_region", e.aws_region},
          {"source_ip", e.source_ip},
          {"user_agent", e.user_agent},
          {"error_code", e.error_code},
          {"client", f.classification.client},
          {"intent", f.classification.intent},
          {"matches", matches}};
}

void printInputProblem(const ingest::InputProblem& p) {
  std::cerr << "honeytrail: bad input: " << p.source << " at byte " << p.offset << ": " << p.kind
            << ": " << log::redactSecrets(p.message) << "\n";
}

// Runs the scanner, reporting input problems on standard error as they come (with a progress
// line on a terminal) and returning the summary.
detect::ScanSummary runScan(const detect::TokenIndex& index, const std::vector<std::string>& files,
                            const detect::ScanOptions& options,
                            const std::function<void(detect::FoundEvent&&)>& on_match,
                            bool progress = false) {
  detect::Scanner scanner(index);
  detect::ScanSummary summary;
  detect::ScanOptions opts = options;
  if (progress) {
    opts.on_file_done = [](size_t done, size_t total, uint64_t bytes) {
      std::cerr << "\r" << done << "/" << total << " files, " << bytes / 1000000 << " MB"
                << std::flush;
      if (done == total) std::cerr << "\n";
    };
  }
  check(scanner.scan(files, opts, on_match, printInputProblem, &summary));
  return summary;
}

int failOnRank(const std::string& s) {
  tokens::Severity sev;
  if (!tokens::parseSeverity(s, &sev)) return 100;
  return static_cast<int>(sev);
}

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{
      "honeytrail: AWS honey tokens, from minting and placement to detection.\n"
      "State lives in the data dir (--data-dir, $HONEYTRAIL_DATA_DIR, default ./honeytrail-data)."};
  app.set_version_flag("--version", "honeytrail 0.1.0");
  app.require_subcommand(1);
  GlobalOptions g;
  app.add_option("--data-dir", g.data_dir,
                 "Directory holding all state (also $HONEYTRAIL_DATA_DIR)");
  app.add_option(
      "-c,--config", g.config_path,
      "Config file (also $HONEYTRAIL_CONFIG; default DATA_DIR/honeytrail.yaml if present)");
  app.add_option("--log-level", g.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--log-format", g.log_format, "plain or json")
      ->check(CLI::IsMember({"plain", "json"}));

  std::unique_ptr<Context> ctx_holder;
  auto ctx = [&]() -> Context& {
    if (!ctx_holder) ctx_holder = std::make_unique<Context>(g);
    return *ctx_holder;
  };
  int exit_code = kExitOk;

  // ---- status ----
  auto* status_cmd = app.add_subcommand("status", "Open the data dir and summarise the registry");
  std::string status_out;
  addOutputOption(status_cmd, &status_out);
  status_cmd->callback([&] {
    Context& c = ctx();
    auto toks = unwrap(c.registry().list({}));
    auto by = placementsByToken(c);
    int active = 0, revoked = 0, unplaced = 0, stored = 0;
    for (const auto& t : toks) {
      (t.status == tokens::TokenStatus::kActive ? active : revoked)++;
      if (t.status == tokens::TokenStatus::kActive && by[t.id].empty()) ++unplaced;
      if (t.secret_state == tokens::SecretState::kStored) ++stored;
    }
    auto findings = unwrap(c.auditAll());
    std::map<std::string, int> by_sev;
    for (const auto& f : findings) by_sev[tokens::severityName(f.severity)]++;
    int version = unwrap(c.store().schemaVersion());
    if (parseOutput(status_out) == OutputFormat::kJson) {
      json j = {{"data_dir", c.dataDir()},     {"database", c.databasePath()},
                {"schema_version", version},   {"config", c.configSource()},
                {"tokens_active", active},     {"tokens_revoked", revoked},
                {"tokens_unplaced", unplaced}, {"secrets_stored", stored},
                {"audit_findings", by_sev}};
      std::cout << j.dump() << "\n";
      return;
    }
    std::cout << "honeytrail 0.1.0\n"
              << "data dir        " << c.dataDir() << "\n"
              << "database        " << c.databasePath() << " (sqlite, schema v" << version << ")\n"
              << "config          " << c.configSource() << "\n"
              << "tokens          " << active << " active, " << revoked << " revoked\n"
              << "not yet placed  " << unplaced << "\n"
              << "secrets stored  " << stored << " (encrypted; forget them once placed)\n"
              << "audit findings  ";
    if (findings.empty()) std::cout << "none";
    bool first = true;
    for (const char* s : {"critical", "high", "medium", "low", "info"}) {
      if (by_sev.count(s)) {
        std::cout << (first ? "" : ", ") << by_sev[s] << " " << s;
        first = false;
      }
    }
    std::cout << "\n";
    if (toks.empty()) {
      std::cout << "\nNo tokens yet. Start with:\n  honeytrail token create --label web-01\n";
    } else if (!findings.empty()) {
      std::cout << "\nSee `honeytrail token audit` for the findings and their fixes.\n";
    }
  });

  // ---- key inspect ----
  auto* key_cmd = app.add_subcommand("key", "Look at access key IDs");
  key_cmd->require_subcommand(1);
  auto* inspect_cmd =
      key_cmd->add_subcommand("inspect", "Format, kind and account of a key ID (offline)");
  std::string inspect_key, inspect_out;
  inspect_cmd->add_option("KEY_ID", inspect_key, "An access key ID or other AWS unique ID")
      ->required();
  addOutputOption(inspect_cmd, &inspect_out);
  inspect_cmd->callback([&] {
    aws::KeyIdInfo info = aws::inspectKeyId(inspect_key);
    tokens::CanaryAccounts canaries = unwrap(loadCanaryAccounts(ctx().config()));
    std::string canary;
    if (info.account_id) {
      auto it = canaries.accounts.find(*info.account_id);
      if (it != canaries.accounts.end()) canary = it->second;
    }
    if (parseOutput(inspect_out) == OutputFormat::kJson) {
      json j = {{"key_id", inspect_key},
                {"valid", info.valid_format},
                {"prefix", info.prefix},
                {"kind", info.kind}};
      if (!info.valid_format) j["error"] = info.format_error;
      j["account_id"] = info.account_id ? json(*info.account_id) : json(nullptr);
      if (!info.account_id) j["account_note"] = info.account_note;
      j["known_canary_account"] = !canary.empty();
      if (!canary.empty()) j["canary_list"] = canary;
      std::cout << j.dump() << "\n";
    } else {
      std::cout << "key id      " << inspect_key << "\n"
                << "format      " << (info.valid_format ? "valid" : "invalid: " + info.format_error)
                << "\n";
      if (!info.prefix.empty())
        std::cout << "kind        " << info.prefix << ": " << info.kind << "\n";
      std::cout << "account     "
                << (info.account_id ? *info.account_id : "none (" + info.account_note + ")") << "\n"
                << "canary      "
                << (canary.empty() ? "not a known canary account"
                                   : "KNOWN CANARY ACCOUNT (" + canary + ")")
                << "\n";
    }
    if (!info.valid_format) exit_code = kExitError;
  });

  // ---- config ----
  auto* config_cmd = app.add_subcommand("config", "Check and show configuration");
  config_cmd->require_subcommand(1);
  auto* validate_cmd =
      config_cmd->add_subcommand("validate", "Check a config file and list every problem");
  std::string validate_path;
  validate_cmd->add_option("FILE", validate_path,
                           "Config file (default: the one honeytrail would load)");
  validate_cmd->callback([&] {
    std::string path = validate_path.empty() ? resolveConfigPath(g) : validate_path;
    if (path.empty()) {
      std::cout << "no config file: every option takes its default\n";
      return;
    }
    auto text = readFile(path);
    if (!text.hasValue()) throw CommandFailed{text.status()};
    std::vector<config::ConfigProblem> problems;
    auto parsed = config::parseConfigCollect(*text, path, config::processEnv(), &problems);
    if (problems.empty() && parsed.hasValue()) {
      // Checks that need the modules above config: naming word lists and canary-account files.
      std::vector<Status> deeper = {tokens::NameGenerator::validate(parsed->tokens.naming),
                                    loadCanaryAccounts(*parsed).status()};
      bool clean = true;
      for (const auto& st : deeper) {
        if (st.isOk()) continue;
        std::cerr << path << ": " << st.message() << "\n";
        clean = false;
      }
      if (clean) {
        std::cout << path << ": OK\n";
      } else {
        exit_code = kExitError;
      }
      return;
    }
    for (const auto& p : problems) std::cerr << p.toString() << "\n";
    if (problems.empty()) std::cerr << parsed.status().message() << "\n";
    std::cerr << path << ": " << std::max<size_t>(problems.size(), 1) << " problem(s)\n";
    exit_code = kExitError;
  });
  auto* show_cmd =
      config_cmd->add_subcommand("show", "Print the effective config (defaults + file)");
  show_cmd->callback([&] { std::cout << config::configToYaml(ctx().config()); });

  // ---- token ----
  auto* token_cmd =
      app.add_subcommand("token", "Create, import, list, render, audit and revoke tokens");
  token_cmd->require_subcommand(1);

  auto* create_cmd =
      token_cmd->add_subcommand("create", "Mint a new honey token (prints its secret once)");
  tokens::CreateOptions create_opts;
  std::vector<std::string> create_tags;
  bool no_store_secret = false;
  std::string create_out;
  create_cmd->add_option("--backend", create_opts.backend, "synthetic or aws (default: config)")
      ->check(CLI::IsMember({"synthetic", "aws"}));
  create_cmd->add_option("--label", create_opts.label, "Free text for people");
  create_cmd->add_option("--tag", create_tags, "KEY=VALUE, repeatable");
  create_cmd->add_option("--user-name", create_opts.user_name,
                         "IAM user name (default: generated)");
  create_cmd->add_option("--path", create_opts.user_path, "IAM path (default: generated)");
  create_cmd->add_flag(
      "--no-store-secret", no_store_secret,
      "Show the secret once and keep nothing (rendering then reads it from stdin)");
  addOutputOption(create_cmd, &create_out);
  create_cmd->callback([&] {
    create_opts.tags = unwrap(parseTags(create_tags));
    create_opts.store_secret = !no_store_secret;
    tokens::CreatedToken made = unwrap(ctx().registry().create(create_opts));
    const Token& t = made.token;
    if (parseOutput(create_out) == OutputFormat::kJson) {
      json j = tokenToJson(t);
      j["secret_access_key"] = std::string(made.secret.reveal());
      std::cout << j.dump() << "\n";
      return;
    }
    std::cout << "token                 " << t.id << "\n"
              << "aws_access_key_id     " << t.key_id << "\n"
              << "aws_secret_access_key " << made.secret.reveal() << "\n"
              << "iam user              " << t.user_arn << "\n";
    if (!t.can_trigger)
      std::cout
          << "note: synthetic key: format-valid, but AWS never issued it, so it cannot trigger\n";
    if (no_store_secret)
      std::cout << "note: the secret was not stored; this is the only time it is shown\n";
    std::cout << "next: honeytrail token render " << t.id
              << " --format aws-credentials --into FILE\n";
  });

  auto* import_cmd =
      token_cmd->add_subcommand("import", "Register a key made elsewhere (key ID only)");
  tokens::ImportOptions import_opts;
  std::vector<std::string> import_tags;
  std::string import_out, import_created;
  import_cmd->add_option("--key-id", import_opts.key_id, "AKIA... access key ID")->required();
  import_cmd->add_option("--user-name", import_opts.user_name, "IAM user that owns the key");
  import_cmd->add_option("--user-arn", import_opts.user_arn, "arn:aws:iam::ACCOUNT:user/NAME");
  import_cmd->add_option("--principal-id", import_opts.principal_id,
                         "The user's unique ID (AIDA...)");
  import_cmd->add_option("--path", import_opts.user_path, "IAM path");
  import_cmd->add_option("--label", import_opts.label, "Free text for people");
  import_cmd->add_option("--tag", import_tags, "KEY=VALUE, repeatable");
  import_cmd->add_option("--key-created", import_created,
                         "When the key was made (2026-01-31T12:00:00Z)");
  addOutputOption(import_cmd, &import_out);
  import_cmd->callback([&] {
    import_opts.tags = unwrap(parseTags(import_tags));
    if (!import_created.empty()) {
      auto t = parseTime(import_created);
      if (!t)
        check(Status::invalidArgument("--key-created '" + import_created + "' is not a date/time"));
      import_opts.key_created_at = *t;
    }
    Token t = unwrap(ctx().registry().importKey(import_opts));
    if (parseOutput(import_out) == OutputFormat::kJson) {
      std::cout << tokenToJson(t).dump() << "\n";
    } else {
      std::cout << "imported " << t.key_id << " as " << t.id
                << (t.account_id.empty() ? "" : " (account " + t.account_id + ")") << "\n";
    }
  });

  auto* list_cmd = token_cmd->add_subcommand("list", "List tokens with their placements");
  std::string list_out, list_status;
  addOutputOption(list_cmd, &list_out);
  list_cmd->add_option("--status", list_status, "active or revoked")
      ->check(CLI::IsMember({"active", "revoked"}));
  list_cmd->callback([&] {
    tokens::TokenFilter filter;
    if (!list_status.empty()) {
      tokens::TokenStatus s;
      tokens::parseTokenStatus(list_status, &s);
      filter.status = s;
    }
    auto toks = unwrap(ctx().registry().list(filter));
    auto by = placementsByToken(ctx());
    if (parseOutput(list_out) == OutputFormat::kJson) {
      for (const auto& t : toks) {
        json j = tokenToJson(t);
        j["placements"] = json::array();
        for (const auto& p : by[t.id]) j["placements"].push_back(placementToJson(p));
        std::cout << j.dump() << "\n";
      }
      return;
    }
    Table table({"TOKEN", "KEY ID", "STATUS", "BACKEND", "USER", "LABEL", "PLACED AT"});
    for (const auto& t : toks) {
      table.add({t.id, t.key_id, tokens::tokenStatusName(t.status), t.backend,
                 t.user_path + t.user_name, t.label, placementSummary(by[t.id])});
    }
    std::cout << (table.empty() ? "no tokens\n" : table.render());
  });

  auto* tshow_cmd =
      token_cmd->add_subcommand("show", "One token with its placements and chain of custody");
  std::string tshow_ref, tshow_out;
  tshow_cmd->add_option("TOKEN", tshow_ref, "Token ID or key ID")->required();
  addOutputOption(tshow_cmd, &tshow_out);
  tshow_cmd->callback([&] {
    Token t = unwrap(ctx().registry().find(tshow_ref));
    auto ps = unwrap(ctx().registry().placements(t.id));
    auto cs = unwrap(ctx().registry().custody(t.id));
    printToken(t, ps, cs, parseOutput(tshow_out));
  });

  auto* render_cmd = token_cmd->add_subcommand(
      "render", "Write a token into the file format an attacker looks for");
  std::string render_ref, render_format, render_into, render_profile, render_region, render_name,
      render_home;
  bool render_stdin = false;
  render_cmd->add_option("TOKEN", render_ref, "Token ID or key ID")->required();
  render_cmd
      ->add_option(
          "--format", render_format,
          "One of: " +
              [] {
                std::string s;
                for (const auto& n : tokens::renderFormatNames()) s += (s.empty() ? "" : ", ") + n;
                return s;
              }())
      ->required();
  render_cmd->add_option("--profile", render_profile,
                         "Profile name for aws-credentials/aws-config");
  render_cmd->add_option("--region", render_region, "Region to put beside the key");
  render_cmd->add_option("--name", render_name,
                         "k8s-secret: Secret name; python/javascript/go: client variable; "
                         "lambda-env: variable prefix");
  render_cmd->add_option("--home-dir", render_home,
                         "ec2-user-data: whose home gets ~/.aws (default /root)");
  render_cmd->add_option(
      "--into", render_into,
      "Write into FILE (aws-credentials, aws-config, env, shell: merged beside what is there)");
  render_cmd->add_flag("--secret-stdin", render_stdin, "Read the secret from standard input");
  render_cmd->callback([&] {
    tokens::RenderFormat fmt;
    if (!tokens::parseRenderFormat(render_format, &fmt)) {
      check(Status::invalidArgument("unknown format '" + render_format + "'"));
    }
    Context& c = ctx();
    Token t = unwrap(c.registry().find(render_ref));
    if (t.status != tokens::TokenStatus::kActive) {
      check(Status::failedPrecondition("token " + t.id + " is revoked; render an active token"));
    }
    tokens::RenderInput in;
    in.key_id = t.key_id;
    in.secret = render_stdin ? unwrap(readSecretFromStdin()) : unwrap(c.registry().storedSecret(t));
    in.profile = render_profile.empty() ? c.config().render.default_profile : render_profile;
    in.region = render_region.empty() ? c.config().render.default_region : render_region;
    in.name = render_name;
    if (!render_home.empty()) in.home_dir = render_home;
    if (render_into.empty()) {
      std::string text = unwrap(tokens::render(fmt, in));
      check(c.registry().recordRender(t, render_format, ""));
      std::cout << text;
      return;
    }
    std::string path = std::filesystem::absolute(render_into).lexically_normal().string();
    check(tokens::renderIntoFile(fmt, in, path));
    check(c.registry().recordRender(t, render_format, path));
    std::cerr << "wrote " << render_format << " for " << t.key_id << " into " << path
              << "\nrecord where it lives: honeytrail placement add " << t.id
              << " --host HOST --path " << path << "\n";
  });

  auto* revoke_cmd =
      token_cmd->add_subcommand("revoke", "Retire a token (its stored secret is wiped)");
  std::string revoke_ref, revoke_reason;
  revoke_cmd->add_option("TOKEN", revoke_ref, "Token ID or key ID")->required();
  revoke_cmd->add_option("--reason", revoke_reason, "Why, for the audit log");
  revoke_cmd->callback([&] {
    Token t = unwrap(ctx().registry().find(revoke_ref));
    check(ctx().registry().revoke(t, revoke_reason));
    std::cout << "revoked " << t.id << " (" << t.key_id << ")\n";
    if (t.backend == "import") {
      std::cout
          << "note: the key itself was made elsewhere; delete it in the account that owns it\n";
    }
  });

  auto* forget_cmd =
      token_cmd->add_subcommand("forget-secret", "Wipe a token's stored secret after placement");
  std::string forget_ref;
  forget_cmd->add_option("TOKEN", forget_ref, "Token ID or key ID")->required();
  forget_cmd->callback([&] {
    Token t = unwrap(ctx().registry().find(forget_ref));
    check(ctx().registry().forgetSecret(t));
    std::cout << "forgot the secret of " << t.id << "; rendering it again needs --secret-stdin\n";
  });

  auto* audit_cmd = token_cmd->add_subcommand(
      "audit", "What an attacker can learn from each token, and what gives it away");
  std::vector<std::string> audit_refs;
  std::string audit_out, audit_fail_on;
  audit_cmd->add_option("TOKEN", audit_refs, "Tokens to audit (default: all)");
  addOutputOption(audit_cmd, &audit_out);
  audit_cmd->add_option("--fail-on", audit_fail_on, "Exit 1 if a finding is at least this severe")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  audit_cmd->callback([&] {
    auto findings = unwrap(ctx().auditAll());
    if (!audit_refs.empty()) {
      std::set<std::string> ids;
      for (const auto& r : audit_refs) ids.insert(unwrap(ctx().registry().find(r)).id);
      std::erase_if(findings, [&](const tokens::Finding& f) { return !ids.count(f.token_id); });
    }
    if (parseOutput(audit_out) == OutputFormat::kJson) {
      for (const auto& f : findings) std::cout << findingToJson(f).dump() << "\n";
    } else if (findings.empty()) {
      std::cout << "no findings\n";
    } else {
      std::string last;
      for (const auto& f : findings) {
        std::cout << "[" << tokens::severityName(f.severity) << "] " << f.token_id << " "
                  << f.key_id << " " << f.code << "\n    " << f.message << "\n    fix: " << f.fix
                  << "\n";
      }
    }
    if (!audit_fail_on.empty()) {
      int rank = failOnRank(audit_fail_on);
      for (const auto& f : findings) {
        if (static_cast<int>(f.severity) >= rank) exit_code = kExitError;
      }
    }
  });

  auto* verify_cmd = token_cmd->add_subcommand(
      "verify", "Check in AWS that each token's user, key and deny-all policy are as made");
  std::vector<std::string> verify_refs;
  std::string verify_out;
  bool verify_imported = false;
  verify_cmd->add_option("TOKEN", verify_refs, "Tokens to check (default: every active aws token)");
  verify_cmd->add_flag(
      "--include-imported", verify_imported,
      "Also check imported tokens (their users must live in the configured account)");
  addOutputOption(verify_cmd, &verify_out);
  verify_cmd->callback([&] {
    Context& c = ctx();
    std::vector<Token> targets;
    if (verify_refs.empty()) {
      tokens::TokenFilter active;
      active.status = tokens::TokenStatus::kActive;
      for (auto& t : unwrap(c.registry().list(active))) {
        if (t.backend == "aws" || (verify_imported && t.backend == "import")) targets.push_back(t);
      }
    } else {
      for (const auto& r : verify_refs) targets.push_back(unwrap(c.registry().find(r)));
    }
    aws::AwsSession* session = unwrap(c.aws());
    int drifted = 0;
    Table table({"TOKEN", "KEY ID", "USER", "STATE", "DRIFT"});
    for (const auto& t : targets) {
      tokens::VerifyResult v =
          tokens::verifyToken(session->iam(), t, c.config().aws.deny_policy_name);
      if (!v.ok) ++drifted;
      if (parseOutput(verify_out) == OutputFormat::kJson) {
        json j = {{"token_id", v.token_id},   {"key_id", v.key_id},
                  {"user_name", v.user_name}, {"ok", v.ok},
                  {"drift", v.drift},         {"details", v.details}};
        std::cout << j.dump() << "\n";
      } else {
        std::string drift;
        for (size_t i = 0; i < v.details.size(); ++i)
          drift += (i ? "; " : "") + v.drift[i] + ": " + v.details[i];
        table.add({v.token_id, v.key_id, v.user_name, v.ok ? "ok" : "DRIFT", drift});
      }
    }
    if (parseOutput(verify_out) == OutputFormat::kTable) {
      std::cout << (table.empty() ? "no aws tokens to verify\n" : table.render());
    }
    if (drifted > 0) {
      std::cerr << drifted << " of " << targets.size() << " token(s) drifted\n";
      exit_code = kExitError;
    }
  });

  // ---- aws ----
  auto* aws_cmd =
      app.add_subcommand("aws", "The honey account: identity, set-up, last-used safety net");
  aws_cmd->require_subcommand(1);
  auto* whoami_cmd =
      aws_cmd->add_subcommand("whoami", "Which identity honeytrail uses (sts:GetCallerIdentity)");
  std::string whoami_out;
  addOutputOption(whoami_cmd, &whoami_out);
  whoami_cmd->callback([&] {
    aws::AwsSession* session = unwrap(ctx().aws());
    aws::CallerIdentity id = unwrap(session->sts().getCallerIdentity());
    if (parseOutput(whoami_out) == OutputFormat::kJson) {
      std::cout << json{{"account", id.account},
                        {"arn", id.arn},
                        {"user_id", id.user_id},
                        {"credentials", session->credentials().describe()},
                        {"iam_endpoint", session->endpoints().endpoint("IAM")}}
                       .dump()
                << "\n";
    } else {
      std::cout << "account      " << id.account << "\narn          " << id.arn << "\ncredentials  "
                << session->credentials().describe() << "\niam endpoint "
                << session->endpoints().endpoint("IAM") << "\n";
    }
  });

  auto* poll_cmd = aws_cmd->add_subcommand(
      "poll-last-used",
      "Safety net: report uses AWS recorded (GetAccessKeyLastUsed) since the last poll");
  bool poll_watch = false;
  std::string poll_out;
  poll_cmd->add_flag("--watch", poll_watch,
                     "Keep polling every aws.last_used_poll_seconds until stopped");
  addOutputOption(poll_cmd, &poll_out);
  poll_cmd->callback([&] {
    Context& c = ctx();
    aws::AwsSession* session = unwrap(c.aws());
    // The same pipeline as `serve`: each new use is stored, grouped into its incident and
    // announced through the outbox, and only then hidden by the saved last-used state.
    alert::Delivery* delivery = nullptr;
    if (!c.config().alerts.routes.empty()) delivery = unwrap(c.delivery());
    live::Pipeline* pipeline = unwrap(c.pipeline());
    unwrap(pipeline->catchUp());
    installStopHandlers();
    do {
      live::LastUsedResult pass = unwrap(pipeline->pollLastUsed(session->iam()));
      const detect::PollReport& report = pass.report;
      for (const auto& t : report.triggers) {
        if (parseOutput(poll_out) == OutputFormat::kJson) {
          json j = {{"source", "last-used"},
                    {"token_id", t.token_id},
                    {"key_id", t.key_id},
                    {"last_used_at", formatTime(t.last_used_at)},
                    {"service", t.service},
                    {"region", t.region},
                    {"previous", t.previous ? json(formatTime(*t.previous)) : json(nullptr)}};
          std::cout << j.dump() << std::endl;
        } else {
          std::cout << "USED " << t.token_id << " " << t.key_id << " at "
                    << formatTime(t.last_used_at) << " service " << t.service << " region "
                    << t.region << std::endl;
        }
      }
      for (const auto& e : report.error_messages)
        log::warn("last-used check failed", {{"detail", e}});
      log::info("last-used poll done", {{"checked", std::to_string(report.checked)},
                                        {"uses", std::to_string(report.triggers.size())},
                                        {"new_triggers", std::to_string(pass.new_triggers.size())},
                                        {"errors", std::to_string(report.errors)}});
      if (delivery != nullptr && !pass.new_triggers.empty()) {
        auto wait = std::chrono::seconds(c.config().alerts.ingest_wait_seconds);
        printDrain("aws poll-last-used", unwrap(delivery->drain(wait)));
      }
      if (report.errors > 0 && !poll_watch) exit_code = kExitError;
    } while (poll_watch && sleepUnlessStopped(c.config().aws.last_used_poll_seconds));
  });

  auto* setup_cmd =
      aws_cmd->add_subcommand("setup", "Print what the honey account needs (policy, Terraform)");
  std::string setup_what = "all", setup_regions, setup_account, setup_home = "us-east-1",
              setup_path = "/";
  bool setup_print = false;
  setup_cmd
      ->add_flag("--print", setup_print, "Print to standard output (nothing is changed in AWS)")
      ->required();
  setup_cmd->add_option("--what", setup_what, "policy, terraform or all")
      ->check(CLI::IsMember({"policy", "terraform", "all"}));
  setup_cmd->add_option("--account-id", setup_account, "The honey account (default: any)");
  setup_cmd->add_option(
      "--regions", setup_regions,
      "Comma-separated regions for EventBridge rules (default: all enabled-by-default regions)");
  setup_cmd->add_option("--home-region", setup_home,
                        "Region of the trail, bus and API destination");
  setup_cmd->add_option("--user-path", setup_path, "IAM path prefix of honey users");
  setup_cmd->callback([&] {
    aws::SetupOptions o;
    o.account_id = setup_account;
    o.home_region = setup_home;
    o.user_path_prefix = setup_path;
    if (!setup_account.empty() &&
        (setup_account.size() != 12 ||
         setup_account.find_first_not_of("0123456789") != std::string::npos)) {
      check(Status::invalidArgument("--account-id '" + setup_account +
                                    "' is not a 12-digit account ID"));
    }
    if (setup_path.empty() || setup_path.front() != '/' || setup_path.back() != '/') {
      check(Status::invalidArgument("--user-path must start and end with '/'"));
    }
    if (!setup_regions.empty()) {
      for (const auto& r : split(setup_regions, ',')) {
        if (!trim(r).empty()) o.regions.push_back(trim(r));
      }
    }
    if (setup_what == "policy" || setup_what == "all") {
      if (setup_what == "all") std::cout << "# --- IAM policy for the minting role ---\n";
      std::cout << aws::mintingRolePolicy(o);
    }
    if (setup_what == "terraform" || setup_what == "all") {
      if (setup_what == "all") std::cout << "\n# --- Terraform module for the honey account ---\n";
      std::cout << aws::honeyAccountTerraform(o);
    }
  });

  // ---- detection: ingest, hunt, triggers ----
  auto* ingest_cmd =
      app.add_subcommand("ingest", "Read CloudTrail files once and store the triggers they hold");
  std::vector<std::string> ingest_paths;
  std::string ingest_out;
  int ingest_threads = 0;
  ingest_cmd
      ->add_option("PATH", ingest_paths,
                   "Files, directories (recursive), globs; - for standard input")
      ->required();
  ingest_cmd->add_option("--threads", ingest_threads, "Worker threads (default: every core)");
  addOutputOption(ingest_cmd, &ingest_out);
  ingest_cmd->callback([&] {
    Context& c = ctx();
    // Outputs are built (and their credentials read) before any work, so that a missing
    // credential stops the command instead of leaving alerts it cannot send.
    alert::Delivery* delivery = nullptr;
    if (!c.config().alerts.routes.empty()) delivery = unwrap(c.delivery());
    live::Pipeline* pipeline = unwrap(c.pipeline());
    detect::ScanOptions options;
    options.threads = ingest_threads > 0 ? ingest_threads : defaultThreads();
    options.validate_all = true;
    const bool as_json = parseOutput(ingest_out) == OutputFormat::kJson;
    live::BatchResult batch = unwrap(pipeline->ingestFiles(
        unwrap(ingest::expandPaths(ingest_paths)), options,
        [&](const detect::TriggerRecord& t, const std::string& key_id) {
          if (as_json) {
            std::cout << triggerToJson(t, key_id).dump() << std::endl;
          } else {
            std::cout << t.trigger_class << " " << key_id << " " << t.event_name << " "
                      << t.event_source << " from " << t.source_ip << " (" << t.client << ", "
                      << t.intent << ") event " << t.event_id << std::endl;
          }
        },
        printInputProblem));
    const detect::ScanSummary& summary = batch.scan;
    std::cerr << "ingest: " << summary.files << " file(s), " << summary.records << " record(s), "
              << summary.matched_events << " matching event(s), " << batch.new_triggers
              << " new trigger(s), " << batch.incidents_opened << " new incident(s), "
              << summary.duplicates << " duplicate(s), " << summary.problems << " problem(s)\n";
    if (delivery != nullptr) {
      auto wait = std::chrono::seconds(c.config().alerts.ingest_wait_seconds);
      printDrain("ingest", unwrap(delivery->drain(wait)));
    }
  });

  auto* hunt_cmd =
      app.add_subcommand("hunt", "Search an archive for every use of the tokens (stores nothing)");
  std::vector<std::string> hunt_paths, hunt_keys;
  std::string hunt_out;
  int hunt_threads = 0;
  hunt_cmd->add_option("PATH", hunt_paths, "Files, directories (recursive), globs")->required();
  hunt_cmd->add_option("--key-id", hunt_keys,
                       "Hunt for these keys instead of the registry's (repeatable)");
  hunt_cmd->add_option("--threads", hunt_threads, "Worker threads (default: every core)");
  addOutputOption(hunt_cmd, &hunt_out);
  hunt_cmd->callback([&] {
    detect::TokenIndex index;
    if (hunt_keys.empty()) {
      for (auto& t : unwrap(ctx().registry().list({}))) index.add(t);
    } else {
      for (const auto& k : hunt_keys) {
        aws::KeyIdInfo info = aws::inspectKeyId(k);
        if (!info.valid_format && !aws::isIdShaped(k)) {
          check(Status::invalidArgument("--key-id '" + k + "': " + info.format_error));
        }
        tokens::Token t;
        t.id = k;
        t.key_id = k;
        t.account_id = info.account_id.value_or("");
        index.add(std::move(t));
      }
    }
    detect::ScanOptions options;
    options.threads = hunt_threads > 0 ? hunt_threads : defaultThreads();
    std::vector<std::string> files = unwrap(ingest::expandPaths(hunt_paths));
    bool progress = ::isatty(2) != 0;
    detect::ScanSummary summary = runScan(
        index, files, options,
        [&](detect::FoundEvent&& f) {
          if (parseOutput(hunt_out) == OutputFormat::kJson) {
            json j = eventToJson(f);
            std::cout << j.dump() << "\n";
          } else {
            for (const auto& m : f.matches) {
              std::cout << f.event.event_time << "  " << detect::triggerClassName(m.trigger_class)
                        << "  " << m.token->key_id << "  " << f.event.event_source << ":"
                        << f.event.event_name << "  " << f.event.source_ip << "  "
                        << f.classification.client << "  " << f.source << "#" << f.index << "\n";
            }
          }
        },
        progress);
    std::cerr << "hunt: " << summary.files << " file(s) (" << summary.files_skipped
              << " mention no token), " << summary.bytes_decompressed / 1000000 << " MB of JSON, "
              << summary.records << " record(s) read, " << summary.candidates << " candidate(s), "
              << summary.matched_events << " matching event(s), " << summary.duplicates
              << " duplicate(s), " << summary.problems << " problem(s)\n";
  });

  // ---- incidents ----
  auto* incident_cmd = app.add_subcommand("incident", "Incidents: grouped triggers of a token");
  incident_cmd->require_subcommand(1);
  auto incidentJson = [](const incidents::Incident& i) {
    return json{{"id", i.id},
                {"token_id", i.token_id},
                {"state", i.state},
                {"severity", i.severity},
                {"title", i.title},
                {"opened_at", formatTime(i.opened_at)},
                {"first_seen", formatTime(i.first_seen)},
                {"last_seen", formatTime(i.last_seen)},
                {"trigger_count", i.trigger_count},
                {"seen", json::parse(i.seen, nullptr, false)},
                {"updated_at", formatTime(i.updated_at)}};
  };
  auto* ilist_cmd = incident_cmd->add_subcommand("list", "Incidents, most recent activity first");
  std::string ilist_out, ilist_state, ilist_token;
  int ilist_limit = 1000;
  ilist_cmd->add_option("--state", ilist_state, "Only in this state")
      ->check(CLI::IsMember({"open", "acknowledged", "confirmed", "false-positive", "resolved"}));
  ilist_cmd->add_option("--token", ilist_token, "Only this token's");
  ilist_cmd->add_option("--limit", ilist_limit, "How many")->check(CLI::Range(1, 1000000));
  addOutputOption(ilist_cmd, &ilist_out);
  ilist_cmd->callback([&] {
    incidents::IncidentFilter filter;
    filter.limit = ilist_limit;
    if (!ilist_state.empty()) filter.state = ilist_state;
    if (!ilist_token.empty()) filter.token_id = unwrap(ctx().registry().find(ilist_token)).id;
    auto list = unwrap(ctx().store().listIncidents(filter));
    if (parseOutput(ilist_out) == OutputFormat::kJson) {
      for (const auto& i : list) std::cout << incidentJson(i).dump() << "\n";
      return;
    }
    Table t({"ID", "STATE", "SEVERITY", "TRIGGERS", "FIRST SEEN", "LAST SEEN", "TITLE"});
    for (const auto& i : list) {
      t.add({i.id, i.state, i.severity, std::to_string(i.trigger_count), formatTime(i.first_seen),
             formatTime(i.last_seen), i.title});
    }
    std::cout << (t.empty() ? "no incidents\n" : t.render());
  });

  auto* ishow_cmd = incident_cmd->add_subcommand(
      "show", "One incident: the token, everywhere it has been, and the timeline");
  std::string ishow_id, ishow_out;
  ishow_cmd->add_option("ID", ishow_id, "Incident ID")->required();
  addOutputOption(ishow_cmd, &ishow_out);
  ishow_cmd->callback([&] {
    Context& c = ctx();
    auto found = unwrap(c.store().getIncident(ishow_id));
    if (!found) check(Status::notFound("no incident " + ishow_id));
    const incidents::Incident& inc = *found;
    auto token = unwrap(c.registry().find(inc.token_id));
    auto placements = unwrap(c.registry().placements(inc.token_id));
    auto custody = unwrap(c.store().listCustody(inc.token_id));
    auto timeline = unwrap(c.store().incidentTimeline(inc.id));
    // The chain of custody belongs on the timeline too: every hop the token took before (and
    // after) it was used, in one order with the triggers, notifications and actions.
    for (const auto& h : custody) {
      json details = custodyToJson(h);
      timeline.push_back({0, inc.id, h.at, "custody", h.holder,
                          h.method + (h.notes.empty() ? "" : ": " + h.notes), details.dump()});
    }
    std::stable_sort(
        timeline.begin(), timeline.end(),
        [](const incidents::IncidentEvent& a, const incidents::IncidentEvent& b) { return a.at < b.at; });
    if (parseOutput(ishow_out) == OutputFormat::kJson) {
      json j = incidentJson(inc);
      j["key_id"] = token.key_id;
      j["token_label"] = token.label;
      // Everything that may be compromised: where it lives and every hop on the way there.
      j["placements"] = json::array();
      for (const auto& p : placements) j["placements"].push_back(placementToJson(p));
      j["custody"] = json::array();
      for (const auto& h : custody) j["custody"].push_back(custodyToJson(h));
      j["timeline"] = json::array();
      for (const auto& e : timeline) {
        j["timeline"].push_back({{"at", formatTime(e.at)},
                                 {"kind", e.kind},
                                 {"actor", e.actor},
                                 {"text", e.text},
                                 {"details", json::parse(e.details, nullptr, false)}});
      }
      std::cout << j.dump() << "\n";
      return;
    }
    std::cout << "incident     " << inc.id << "  (" << inc.state << ", " << inc.severity << ")\n"
              << "title        " << inc.title << "\n"
              << "token        " << token.id << "  " << token.key_id
              << (token.label.empty() ? "" : "  " + token.label) << "\n"
              << "seen         " << formatTime(inc.first_seen) << " .. "
              << formatTime(inc.last_seen) << "  (" << inc.trigger_count << " trigger(s))\n";
    std::cout << "\nmay be compromised (placements and every hop of custody)\n";
    Table pt({"HOST", "LOCATION", "KIND", "OWNER"});
    for (const auto& p : placements) pt.add({p.host, p.location, p.kind, p.owner});
    std::cout << (pt.empty() ? "  (no placement recorded)\n" : pt.render());
    Table ct({"AT", "HOLDER", "METHOD", "NOTES"});
    for (const auto& h : custody) ct.add({formatTime(h.at), h.holder, h.method, h.notes});
    std::cout << (ct.empty() ? "  (no custody recorded)\n" : ct.render());
    std::cout << "\ntimeline\n";
    Table tt({"AT", "KIND", "ACTOR", "WHAT"});
    for (const auto& e : timeline) tt.add({formatTime(e.at), e.kind, e.actor, e.text});
    std::cout << tt.render();
  });

  // State changes: ack, confirm, false-positive, resolve; each with an optional note.
  struct StateCommand {
    const char* name;
    const char* state;
    const char* help;
  };
  static const StateCommand kStateCommands[] = {
      {"ack", "acknowledged", "Acknowledge: someone is looking at it"},
      {"confirm", "confirmed", "Confirm: a real compromise"},
      {"false-positive", "false-positive", "Mark as a false positive (a colleague, a test)"},
      {"resolve", "resolved", "Resolve: handled and closed"},
  };
  static std::string state_id, state_note, state_out;
  for (const auto& sc : kStateCommands) {
    auto* cmd = incident_cmd->add_subcommand(sc.name, sc.help);
    cmd->add_option("ID", state_id, "Incident ID")->required();
    cmd->add_option("--note", state_note, "A note for the timeline");
    addOutputOption(cmd, &state_out);
    const char* state = sc.state;
    cmd->callback([&, state] {
      incidents::Incident inc =
          unwrap(ctx().incidents().setState(state_id, state, tokens::currentActor(), state_note));
      if (parseOutput(state_out) == OutputFormat::kJson) {
        std::cout << incidentJson(inc).dump() << "\n";
      } else {
        std::cout << inc.id << " is now " << inc.state << "\n";
      }
    });
  }
  auto* inote_cmd = incident_cmd->add_subcommand("note", "Add a note to the timeline");
  std::string inote_id, inote_text;
  inote_cmd->add_option("ID", inote_id, "Incident ID")->required();
  inote_cmd->add_option("TEXT", inote_text, "The note")->required();
  inote_cmd->callback([&] {
    check(ctx().incidents().addNote(inote_id, tokens::currentActor(), inote_text));
    std::cout << "noted\n";
  });

  // ---- alerts: the outbox, tests, approvals ----
  auto* alert_cmd = app.add_subcommand("alert", "Alert delivery: the outbox, tests, approvals");
  alert_cmd->require_subcommand(1);
  auto outboxJson = [](const incidents::OutboxItem& o) {
    json j = {{"id", o.id},
              {"incident_id", o.incident_id},
              {"output", o.output},
              {"kind", o.kind},
              {"route", o.route},
              {"state", o.state},
              {"attempts", o.attempts},
              {"created_at", formatTime(o.created_at)},
              {"next_attempt_at", formatTime(o.next_attempt_at)},
              {"last_error", o.last_error}};
    if (o.sent_at) j["sent_at"] = formatTime(*o.sent_at);
    if (!o.result.empty()) j["result"] = o.result;
    return j;
  };
  auto* alist_cmd = alert_cmd->add_subcommand("list", "Notifications and actions in the outbox");
  std::string alist_state, alist_incident, alist_out;
  alist_cmd->add_option("--state", alist_state, "Only in this state")
      ->check(CLI::IsMember({"pending", "sent", "dead", "approval", "dry-run", "rejected"}));
  alist_cmd->add_option("--incident", alist_incident, "Only this incident's");
  addOutputOption(alist_cmd, &alist_out);
  alist_cmd->callback([&] {
    std::optional<std::string> state;
    if (!alist_state.empty()) state = alist_state;
    auto items = alist_incident.empty() ? unwrap(ctx().store().listOutbox(state))
                                        : unwrap(ctx().store().incidentOutbox(alist_incident));
    if (state) {
      std::erase_if(items, [&](const incidents::OutboxItem& o) { return o.state != *state; });
    }
    if (parseOutput(alist_out) == OutputFormat::kJson) {
      for (const auto& o : items) std::cout << outboxJson(o).dump() << "\n";
      return;
    }
    Table t({"ID", "INCIDENT", "OUTPUT", "KIND", "ROUTE", "STATE", "ATTEMPTS", "WHEN", "ERROR"});
    for (const auto& o : items) {
      std::string when = o.sent_at ? formatTime(*o.sent_at) : formatTime(o.next_attempt_at);
      t.add({std::to_string(o.id), o.incident_id, o.output, o.kind, o.route, o.state,
             std::to_string(o.attempts), when, o.last_error});
    }
    std::cout << (t.empty() ? "the outbox is empty\n" : t.render());
  });

  auto* aflush_cmd = alert_cmd->add_subcommand(
      "flush", "Deliver what is waiting in the outbox now (retries that fall due are waited for)");
  int aflush_wait = 60;
  aflush_cmd->add_option("--wait", aflush_wait, "Seconds to keep retrying (default 60)")
      ->check(CLI::Range(0, 86400));
  aflush_cmd->callback([&] {
    alert::Delivery* delivery = unwrap(ctx().delivery());
    printDrain("alert flush", unwrap(delivery->drain(std::chrono::seconds(aflush_wait))));
  });

  auto* atest_cmd = alert_cmd->add_subcommand(
      "test", "Send a clearly marked test message through a route's outputs, now");
  std::string atest_route;
  atest_cmd->add_option("--route", atest_route, "The route (alerts.routes.NAME)")->required();
  atest_cmd->callback([&] {
    Context& c = ctx();
    const config::AlertsOptions& alerts = c.config().alerts;
    auto route = std::find_if(alerts.routes.begin(), alerts.routes.end(),
                              [&](const config::RouteOptions& r) { return r.name == atest_route; });
    if (route == alerts.routes.end()) {
      std::string known;
      for (const auto& r : alerts.routes) known += (known.empty() ? "" : ", ") + r.name;
      check(Status::notFound("no route named " + atest_route +
                             " (routes: " + (known.empty() ? "none" : known) + ")"));
    }
    alert::Story story =
        alert::testStory(atest_route, c.config().alerts.ui_base_url, SystemClock::instance().now());
    int failed = 0;
    for (const std::string& name : route->outputs) {
      auto o = std::find_if(alerts.outputs.begin(), alerts.outputs.end(),
                            [&](const config::OutputOptions& x) { return x.name == name; });
      if (o == alerts.outputs.end()) continue;
      if (!o->enabled) {
        std::cout << name << ": skipped (enabled: false)\n";
        continue;
      }
      std::unique_ptr<alert::Output> output = unwrap(alert::makeOutput(*o, config::processEnv()));
      incidents::OutboxItem item;
      item.incident_id = story.incident_id;
      item.output = name;
      item.kind = "test";
      item.route = atest_route;
      item.body = alert::renderBody(*o, story, SystemClock::instance().now(), hostName());
      alert::DeliveryResult r = output->deliver(item);
      if (r.ok) {
        std::cout << name << ": sent" << (r.output.empty() ? "" : " (" + r.output + ")") << "\n";
      } else {
        ++failed;
        std::cout << name << ": FAILED: " << r.error << "\n";
      }
    }
    if (!route->actions.empty()) {
      std::cout << "actions are not run by a test (" << route->actions.size()
                << " on this route)\n";
    }
    if (failed > 0) check(Status::ioError(std::to_string(failed) + " output(s) failed"));
  });

  // Approval of response actions waiting in the outbox.
  auto decide = [&](int64_t id, bool approve, const std::string& note) {
    Context& c = ctx();
    auto found = unwrap(c.store().getOutboxItem(id));
    if (!found || !startsWith(found->output, "action:")) {
      check(Status::notFound("no response action " + std::to_string(id) +
                             " in the outbox (see honeytrail alert list --state approval)"));
    }
    incidents::OutboxItem item = *found;
    if (item.state != "approval") {
      check(Status::failedPrecondition("action " + std::to_string(id) + " is " + item.state +
                                       ", not waiting for approval"));
    }
    TimePoint now = SystemClock::instance().now();
    item.state = approve ? "pending" : "rejected";
    item.next_attempt_at = now;
    incidents::IncidentEvent e;
    e.incident_id = item.incident_id;
    e.at = now;
    e.kind = "action";
    e.actor = tokens::currentActor();
    e.text = std::string(approve ? "approved" : "rejected") + " action " + item.output.substr(7) +
             (note.empty() ? "" : ": " + note);
    e.details = json{{"outbox_id", id}, {"decision", approve ? "approved" : "rejected"}}.dump();
    check(c.store().recordDelivery(item, e));
    return item;
  };
  auto* aapprove_cmd =
      alert_cmd->add_subcommand("approve", "Approve a response action that waits for approval");
  int64_t aapprove_id = 0;
  std::string aapprove_note;
  bool aapprove_no_run = false;
  aapprove_cmd->add_option("ID", aapprove_id, "Outbox ID (honeytrail alert list)")->required();
  aapprove_cmd->add_option("--note", aapprove_note, "Why, for the timeline");
  aapprove_cmd->add_flag("--no-run", aapprove_no_run, "Only approve; serve or alert flush runs it");
  aapprove_cmd->callback([&] {
    incidents::OutboxItem item = decide(aapprove_id, true, aapprove_note);
    std::cout << "approved " << item.output.substr(7) << " for " << item.incident_id << "\n";
    if (!aapprove_no_run) {
      alert::Delivery* delivery = unwrap(ctx().delivery());
      printDrain("alert approve", unwrap(delivery->drain(std::chrono::seconds(0))));
      auto after = unwrap(ctx().store().getOutboxItem(aapprove_id));
      if (after && !after->result.empty()) std::cout << after->result;
      if (after && after->state == "dead") {
        check(Status::ioError("action " + std::to_string(aapprove_id) +
                              " failed: " + after->last_error));
      }
    }
  });
  auto* areject_cmd = alert_cmd->add_subcommand("reject", "Reject a response action");
  int64_t areject_id = 0;
  std::string areject_note;
  areject_cmd->add_option("ID", areject_id, "Outbox ID")->required();
  areject_cmd->add_option("--note", areject_note, "Why, for the timeline");
  areject_cmd->callback([&] {
    incidents::OutboxItem item = decide(areject_id, false, areject_note);
    std::cout << "rejected " << item.output.substr(7) << " for " << item.incident_id << "\n";
  });

  // ---- live detection: serve, sources ----
  auto* serve_cmd = app.add_subcommand(
      "serve", "Run the configured live sources (S3, SQS, push, last-used) until SIGTERM");
  serve_cmd->callback([&] {
    installStopHandlers();
    check(runServe(ctx(), g_stop));
  });

  auto* sources_cmd =
      app.add_subcommand("sources", "Health of each live source (a quiet one is 'blind')");
  std::string sources_out;
  addOutputOption(sources_cmd, &sources_out);
  sources_cmd->callback([&] {
    auto rows = unwrap(sourcesReport(ctx()));
    if (parseOutput(sources_out) == OutputFormat::kJson) {
      for (const auto& r : rows) std::cout << r.dump() << "\n";
      return;
    }
    Table t({"SOURCE", "STATUS", "OBJECTS", "RECORDS", "TRIGGERS", "BAD", "ERRORS", "LAST DATA",
             "REASON"});
    auto str = [](const json& j, const char* k) {
      return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string("-");
    };
    for (const auto& r : rows) {
      t.add({str(r, "source"), str(r, "status"), r["objects"].dump(), r["records"].dump(),
             r["triggers"].dump(), r["bad_objects"].dump(), r["errors"].dump(),
             str(r, "last_data_at"), str(r, "reason")});
    }
    std::cout << (t.empty() ? "no source is configured or has run\n" : t.render());
  });

  auto* triggers_cmd = app.add_subcommand("triggers", "Stored triggers");
  triggers_cmd->require_subcommand(1);
  auto* tlist_cmd = triggers_cmd->add_subcommand("list", "Stored triggers, oldest event first");
  std::string tlist_out, tlist_token;
  int tlist_limit = 1000;
  tlist_cmd->add_option("--token", tlist_token, "Only this token's");
  tlist_cmd->add_option("--limit", tlist_limit, "How many")->check(CLI::Range(1, 1000000));
  addOutputOption(tlist_cmd, &tlist_out);
  tlist_cmd->callback([&] {
    detect::TriggerFilter filter;
    filter.limit = tlist_limit;
    std::map<std::string, std::string> key_of;
    for (const auto& t : unwrap(ctx().registry().list({}))) key_of[t.id] = t.key_id;
    if (!tlist_token.empty()) filter.token_id = unwrap(ctx().registry().find(tlist_token)).id;
    auto triggers = unwrap(ctx().store().listTriggers(filter));
    if (parseOutput(tlist_out) == OutputFormat::kJson) {
      for (const auto& t : triggers)
        std::cout << triggerToJson(t, key_of[t.token_id]).dump() << "\n";
      return;
    }
    Table table(
        {"EVENT TIME", "CLASS", "KEY ID", "CALL", "SOURCE IP", "CLIENT", "INTENT", "EVENT ID"});
    for (const auto& t : triggers) {
      table.add({t.event_time ? formatTime(*t.event_time) : "", t.trigger_class, key_of[t.token_id],
                 t.event_source + ":" + t.event_name, t.source_ip, t.client, t.intent, t.event_id});
    }
    std::cout << (table.empty() ? "no triggers\n" : table.render());
  });

  // ---- placement ----
  auto* placement_cmd = app.add_subcommand("placement", "Record where tokens live");
  placement_cmd->require_subcommand(1);
  auto* padd_cmd = placement_cmd->add_subcommand("add", "Record that a token was put somewhere");
  std::string padd_ref, padd_path, padd_resource, padd_out;
  std::vector<std::string> padd_tags;
  tokens::Placement padd;
  padd_cmd->add_option("TOKEN", padd_ref, "Token ID or key ID")->required();
  padd_cmd->add_option("--host", padd.host, "Host, laptop or account where it lives");
  auto* path_opt = padd_cmd->add_option("--path", padd_path, "File path on the host");
  auto* res_opt = padd_cmd->add_option("--resource", padd_resource,
                                       "A cloud resource (Lambda ARN, repo URL, mailbox)");
  path_opt->excludes(res_opt);
  padd_cmd->add_option(
      "--kind", padd.kind,
      "file, env-file, source, lambda, ec2-user-data, k8s-secret, repo, email, other");
  padd_cmd->add_option("--owner", padd.owner, "Team or person responsible for the place");
  padd_cmd->add_option("--notes", padd.notes, "Free text");
  padd_cmd->add_option("--tag", padd_tags, "KEY=VALUE, repeatable");
  addOutputOption(padd_cmd, &padd_out);
  padd_cmd->callback([&] {
    padd.token_id = padd_ref;
    padd.location = padd_path.empty() ? padd_resource : padd_path;
    if (padd.kind.empty())
      padd.kind = padd_path.empty() ? (padd_resource.empty() ? "host" : "resource") : "file";
    padd.tags = unwrap(parseTags(padd_tags));
    int64_t id = unwrap(ctx().registry().addPlacement(padd));
    if (parseOutput(padd_out) == OutputFormat::kJson) {
      std::cout << json{{"id", id}}.dump() << "\n";
    } else {
      std::cout << "placement " << id << " recorded\n";
    }
  });
  auto* plist_cmd = placement_cmd->add_subcommand("list", "List placements");
  std::string plist_token, plist_out;
  plist_cmd->add_option("--token", plist_token, "Only this token's");
  addOutputOption(plist_cmd, &plist_out);
  plist_cmd->callback([&] {
    auto ps = unwrap(ctx().registry().placements(plist_token.empty() ? std::nullopt
                                                                     : std::optional(plist_token)));
    std::map<std::string, std::string> key_of;
    for (const auto& t : unwrap(ctx().registry().list({}))) key_of[t.id] = t.key_id;
    if (parseOutput(plist_out) == OutputFormat::kJson) {
      for (const auto& p : ps) {
        json j = placementToJson(p);
        j["key_id"] = key_of[p.token_id];
        std::cout << j.dump() << "\n";
      }
      return;
    }
    Table table({"ID", "TOKEN", "KEY ID", "HOST", "LOCATION", "KIND", "OWNER", "ADDED"});
    for (const auto& p : ps) {
      table.add({std::to_string(p.id), p.token_id, key_of[p.token_id], p.host, p.location, p.kind,
                 p.owner, shortTime(p.created_at)});
    }
    std::cout << (table.empty() ? "no placements\n" : table.render());
  });

  // ---- custody ----
  auto* custody_cmd =
      app.add_subcommand("custody", "The chain of custody: every hop a token passed through");
  custody_cmd->require_subcommand(1);
  auto* cadd_cmd =
      custody_cmd->add_subcommand("add", "Record a hop (who or what held the token, and how)");
  std::string cadd_ref, cadd_at, cadd_out;
  int64_t cadd_placement = 0;
  tokens::CustodyEvent cadd;
  cadd_cmd->add_option("TOKEN", cadd_ref, "Token ID or key ID")->required();
  cadd_cmd
      ->add_option("--holder", cadd.holder, "Who or what held it (person, pipeline, vault path)")
      ->required();
  cadd_cmd
      ->add_option("--method", cadd.method, "How it got there (scp, ansible, email, agent, ...)")
      ->required();
  cadd_cmd->add_option("--at", cadd_at, "When (default now), e.g. 2026-11-28T10:00:00Z");
  cadd_cmd->add_option("--placement", cadd_placement, "Placement ID this hop belongs to");
  cadd_cmd->add_option("--notes", cadd.notes, "Free text");
  addOutputOption(cadd_cmd, &cadd_out);
  cadd_cmd->callback([&] {
    cadd.token_id = cadd_ref;
    if (!cadd_at.empty()) {
      auto t = parseTime(cadd_at);
      if (!t) check(Status::invalidArgument("--at '" + cadd_at + "' is not a date/time"));
      cadd.at = *t;
    }
    if (cadd_placement > 0) cadd.placement_id = cadd_placement;
    int64_t id = unwrap(ctx().registry().addCustody(cadd));
    if (parseOutput(cadd_out) == OutputFormat::kJson) {
      std::cout << json{{"id", id}}.dump() << "\n";
    } else {
      std::cout << "custody hop " << id << " recorded\n";
    }
  });
  auto* clist_cmd = custody_cmd->add_subcommand("list", "A token's chain of custody, oldest first");
  std::string clist_ref, clist_out;
  clist_cmd->add_option("TOKEN", clist_ref, "Token ID or key ID")->required();
  addOutputOption(clist_cmd, &clist_out);
  clist_cmd->callback([&] {
    auto cs = unwrap(ctx().registry().custody(clist_ref));
    if (parseOutput(clist_out) == OutputFormat::kJson) {
      for (const auto& c : cs) std::cout << custodyToJson(c).dump() << "\n";
      return;
    }
    Table table({"#", "AT", "HOLDER", "METHOD", "PLACEMENT", "NOTES"});
    int n = 0;
    for (const auto& c : cs) {
      table.add({std::to_string(++n), shortTime(c.at), c.holder, c.method,
                 c.placement_id ? std::to_string(*c.placement_id) : "", c.notes});
    }
    std::cout << (table.empty() ? "no custody events\n" : table.render());
  });

  // ---- history ----
  auto* history_cmd =
      app.add_subcommand("history", "The audit log of changes to the registry, newest first");
  int history_limit = 50;
  std::string history_out;
  history_cmd->add_option("--limit", history_limit, "How many entries")
      ->check(CLI::Range(1, 100000));
  addOutputOption(history_cmd, &history_out);
  history_cmd->callback([&] {
    auto entries = unwrap(ctx().registry().history(history_limit));
    if (parseOutput(history_out) == OutputFormat::kJson) {
      for (const auto& a : entries) std::cout << auditEntryToJson(a).dump() << "\n";
      return;
    }
    Table table({"AT", "ACTOR", "ACTION", "OBJECT", "DETAILS"});
    for (const auto& a : entries)
      table.add({shortTime(a.at), a.actor, a.action, a.object_type + " " + a.object_id, a.details});
    std::cout << (table.empty() ? "no history\n" : table.render());
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const ContextError& f) {
    std::cerr << "honeytrail: error: " << log::redactSecrets(f.status.message()) << "\n";
    return kExitError;
  } catch (const CommandFailed& f) {
    std::cerr << "honeytrail: error: " << log::redactSecrets(f.status.message()) << "\n";
    return kExitError;
  }
  return exit_code;
}

}  // namespace ht::app
