// token create | import | list | show | render | revoke | forget-secret | audit | verify.
#include <filesystem>
#include <iostream>
#include <set>

#include "app/commands/common.h"
#include "app/json_views.h"
#include "tokens/audit.h"
#include "tokens/render.h"
#include "tokens/verify.h"

namespace ht::app {
namespace {

using nlohmann::json;
using tokens::Token;

// "web-01:/home/deploy/.aws/credentials; arn:aws:lambda:..."
std::string placementSummary(const std::vector<tokens::Placement>& ps) {
  std::string out;
  for (const auto& p : ps) {
    if (!out.empty()) out += "; ";
    out += p.host.empty() ? p.location : (p.location.empty() ? p.host : p.host + ":" + p.location);
  }
  return out;
}

// ---- create ----
struct CreateArgs {
  tokens::CreateOptions opts;
  std::vector<std::string> tags;
  bool no_store_secret = false;
  std::string out;
};

void createToken(CommandEnv& env, CreateArgs& args) {
  args.opts.tags = unwrap(parseTags(args.tags));
  args.opts.store_secret = !args.no_store_secret;
  tokens::CreatedToken made = unwrap(env.ctx().registry().create(args.opts));
  const Token& t = made.token;
  if (parseOutput(args.out) == OutputFormat::kJson) {
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
  if (args.no_store_secret)
    std::cout << "note: the secret was not stored; this is the only time it is shown\n";
  std::cout << "next: honeytrail token render " << t.id
            << " --format aws-credentials --into FILE\n";
}

void addCreate(CLI::App& token, CommandEnv& env) {
  auto args = std::make_shared<CreateArgs>();
  auto* cmd = token.add_subcommand("create", "Mint a new honey token (prints its secret once)");
  cmd->add_option("--backend", args->opts.backend, "synthetic or aws (default: config)")
      ->check(CLI::IsMember({"synthetic", "aws"}));
  cmd->add_option("--label", args->opts.label, "Free text for people");
  cmd->add_option("--tag", args->tags, "KEY=VALUE, repeatable");
  cmd->add_option("--user-name", args->opts.user_name, "IAM user name (default: generated)");
  cmd->add_option("--path", args->opts.user_path, "IAM path (default: generated)");
  cmd->add_flag("--no-store-secret", args->no_store_secret,
                "Show the secret once and keep nothing (rendering then reads it from stdin)");
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { createToken(env, *args); });
}

// ---- import ----
struct ImportArgs {
  tokens::ImportOptions opts;
  std::vector<std::string> tags;
  std::string key_created;
  std::string out;
};

void importToken(CommandEnv& env, ImportArgs& args) {
  args.opts.tags = unwrap(parseTags(args.tags));
  if (!args.key_created.empty()) {
    auto t = parseTime(args.key_created);
    if (!t) {
      check(Status::invalidArgument("--key-created '" + args.key_created + "' is not a date/time"));
    }
    args.opts.key_created_at = *t;
  }
  Token t = unwrap(env.ctx().registry().importKey(args.opts));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    std::cout << tokenToJson(t).dump() << "\n";
  } else {
    std::cout << "imported " << t.key_id << " as " << t.id
              << (t.account_id.empty() ? "" : " (account " + t.account_id + ")") << "\n";
  }
}

void addImport(CLI::App& token, CommandEnv& env) {
  auto args = std::make_shared<ImportArgs>();
  auto* cmd = token.add_subcommand("import", "Register a key made elsewhere (key ID only)");
  cmd->add_option("--key-id", args->opts.key_id, "AKIA... access key ID")->required();
  cmd->add_option("--user-name", args->opts.user_name, "IAM user that owns the key");
  cmd->add_option("--user-arn", args->opts.user_arn, "arn:aws:iam::ACCOUNT:user/NAME");
  cmd->add_option("--principal-id", args->opts.principal_id, "The user's unique ID (AIDA...)");
  cmd->add_option("--path", args->opts.user_path, "IAM path");
  cmd->add_option("--label", args->opts.label, "Free text for people");
  cmd->add_option("--tag", args->tags, "KEY=VALUE, repeatable");
  cmd->add_option("--key-created", args->key_created,
                  "When the key was made (2026-01-31T12:00:00Z)");
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { importToken(env, *args); });
}

// ---- list ----
struct ListArgs {
  std::string out;
  std::string status;
};

void listTokens(CommandEnv& env, const ListArgs& args) {
  tokens::TokenFilter filter;
  if (!args.status.empty()) {
    tokens::TokenStatus s;
    tokens::parseTokenStatus(args.status, &s);
    filter.status = s;
  }
  auto placed = unwrap(env.ctx().registry().listPlaced(filter));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    for (const auto& p : placed)
      std::cout << placedTokenToJson(p.token, p.placements).dump() << "\n";
    return;
  }
  Table table({"TOKEN", "KEY ID", "STATUS", "BACKEND", "USER", "LABEL", "PLACED AT"});
  for (const auto& [t, placements] : placed) {
    table.add({t.id, t.key_id, tokens::tokenStatusName(t.status), t.backend,
               t.user_path + t.user_name, t.label, placementSummary(placements)});
  }
  std::cout << (table.empty() ? "no tokens\n" : table.render());
}

void addList(CLI::App& token, CommandEnv& env) {
  auto args = std::make_shared<ListArgs>();
  auto* cmd = token.add_subcommand("list", "List tokens with their placements");
  addOutputOption(cmd, &args->out);
  cmd->add_option("--status", args->status, "active or revoked")
      ->check(CLI::IsMember({"active", "revoked"}));
  cmd->callback([&env, args] { listTokens(env, *args); });
}

// ---- show ----
struct ShowArgs {
  std::string ref;
  std::string out;
};

void printToken(const Token& t, const std::vector<tokens::Placement>& ps,
                const std::vector<tokens::CustodyEvent>& custody) {
  std::cout << "token        " << t.id << "\n"
            << "key id       " << t.key_id << "\n"
            << "status       " << tokens::tokenStatusName(t.status)
            << (t.revoked_at ? " (" + formatTime(*t.revoked_at) + ": " + t.revoke_reason + ")" : "")
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
            << "created      " << formatTime(t.created_at) << "\n";
  std::cout << "\nplacements\n";
  Table pt({"ID", "HOST", "LOCATION", "KIND", "OWNER", "ADDED"});
  for (const auto& p : ps)
    pt.add({std::to_string(p.id), p.host, p.location, p.kind, p.owner, formatTime(p.created_at)});
  std::cout << (pt.empty() ? "  (none)\n" : pt.render());
  std::cout << "\nchain of custody\n";
  Table ct({"#", "AT", "HOLDER", "METHOD", "PLACEMENT", "NOTES"});
  int n = 0;
  for (const auto& c : custody) {
    ct.add({std::to_string(++n), formatTime(c.at), c.holder, c.method,
            c.placement_id ? std::to_string(*c.placement_id) : "", c.notes});
  }
  std::cout << (ct.empty() ? "  (none)\n" : ct.render());
}

void showToken(CommandEnv& env, const ShowArgs& args) {
  tokens::Registry& registry = env.ctx().registry();
  Token t = unwrap(registry.find(args.ref));
  auto placements = unwrap(registry.placements(t.id));
  auto custody = unwrap(registry.custody(t.id));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    std::cout << tokenDetailToJson(t, placements, custody).dump() << "\n";
  } else {
    printToken(t, placements, custody);
  }
}

void addShow(CLI::App& token, CommandEnv& env) {
  auto args = std::make_shared<ShowArgs>();
  auto* cmd = token.add_subcommand("show", "One token with its placements and chain of custody");
  cmd->add_option("TOKEN", args->ref, "Token ID or key ID")->required();
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { showToken(env, *args); });
}

// ---- render ----
struct RenderArgs {
  std::string ref, format, into, profile, region, name, home;
  bool secret_stdin = false;
};

void renderToken(CommandEnv& env, const RenderArgs& args) {
  tokens::RenderFormat fmt;
  if (!tokens::parseRenderFormat(args.format, &fmt)) {
    check(Status::invalidArgument("unknown format '" + args.format + "'"));
  }
  Context& c = env.ctx();
  Token t = unwrap(c.registry().find(args.ref));
  if (t.status != tokens::TokenStatus::kActive) {
    check(Status::failedPrecondition("token " + t.id + " is revoked; render an active token"));
  }
  tokens::RenderInput in;
  in.key_id = t.key_id;
  in.secret =
      args.secret_stdin ? unwrap(readSecretFromStdin()) : unwrap(c.registry().storedSecret(t));
  in.profile = args.profile.empty() ? c.config().render.default_profile : args.profile;
  in.region = args.region.empty() ? c.config().render.default_region : args.region;
  in.name = args.name;
  if (!args.home.empty()) in.home_dir = args.home;
  if (args.into.empty()) {
    std::string text = unwrap(tokens::render(fmt, in));
    check(c.registry().recordRender(t, args.format, ""));
    std::cout << text;
    return;
  }
  std::string path = std::filesystem::absolute(args.into).lexically_normal().string();
  check(tokens::renderIntoFile(fmt, in, path));
  check(c.registry().recordRender(t, args.format, path));
  std::cerr << "wrote " << args.format << " for " << t.key_id << " into " << path
            << "\nrecord where it lives: honeytrail placement add " << t.id
            << " --host HOST --path " << path << "\n";
}

std::string renderFormatList() {
  std::string s;
  for (const auto& n : tokens::renderFormatNames()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

void addRender(CLI::App& token, CommandEnv& env) {
  auto args = std::make_shared<RenderArgs>();
  auto* cmd =
      token.add_subcommand("render", "Write a token into the file format an attacker looks for");
  cmd->add_option("TOKEN", args->ref, "Token ID or key ID")->required();
  cmd->add_option("--format", args->format, "One of: " + renderFormatList())->required();
  cmd->add_option("--profile", args->profile, "Profile name for aws-credentials/aws-config");
  cmd->add_option("--region", args->region, "Region to put beside the key");
  cmd->add_option("--name", args->name,
                  "k8s-secret: Secret name; python/javascript/go: client variable; "
                  "lambda-env: variable prefix");
  cmd->add_option("--home-dir", args->home,
                  "ec2-user-data: whose home gets ~/.aws (default /root)");
  cmd->add_option(
      "--into", args->into,
      "Write into FILE (aws-credentials, aws-config, env, shell: merged beside what is there)");
  cmd->add_flag("--secret-stdin", args->secret_stdin, "Read the secret from standard input");
  cmd->callback([&env, args] { renderToken(env, *args); });
}

// ---- revoke, forget-secret ----
struct RefArgs {
  std::string ref;
  std::string reason;
};

void revokeToken(CommandEnv& env, const RefArgs& args) {
  Token t = unwrap(env.ctx().registry().find(args.ref));
  check(env.ctx().registry().revoke(t, args.reason));
  std::cout << "revoked " << t.id << " (" << t.key_id << ")\n";
  if (t.backend == "import") {
    std::cout << "note: the key itself was made elsewhere; delete it in the account that owns it\n";
  }
}

void forgetSecret(CommandEnv& env, const RefArgs& args) {
  Token t = unwrap(env.ctx().registry().find(args.ref));
  check(env.ctx().registry().forgetSecret(t));
  std::cout << "forgot the secret of " << t.id << "; rendering it again needs --secret-stdin\n";
}

void addRevokeAndForget(CLI::App& token, CommandEnv& env) {
  auto revoke_args = std::make_shared<RefArgs>();
  auto* revoke = token.add_subcommand("revoke", "Retire a token (its stored secret is wiped)");
  revoke->add_option("TOKEN", revoke_args->ref, "Token ID or key ID")->required();
  revoke->add_option("--reason", revoke_args->reason, "Why, for the audit log");
  revoke->callback([&env, revoke_args] { revokeToken(env, *revoke_args); });

  auto forget_args = std::make_shared<RefArgs>();
  auto* forget =
      token.add_subcommand("forget-secret", "Wipe a token's stored secret after placement");
  forget->add_option("TOKEN", forget_args->ref, "Token ID or key ID")->required();
  forget->callback([&env, forget_args] { forgetSecret(env, *forget_args); });
}

// ---- audit ----
struct AuditArgs {
  std::vector<std::string> refs;
  std::string out;
  std::string fail_on;
};

void auditTokens(CommandEnv& env, const AuditArgs& args) {
  auto findings = unwrap(env.ctx().auditAll());
  if (!args.refs.empty()) {
    std::set<std::string> ids;
    for (const auto& r : args.refs) ids.insert(unwrap(env.ctx().registry().find(r)).id);
    std::erase_if(findings, [&](const tokens::Finding& f) { return !ids.count(f.token_id); });
  }
  if (parseOutput(args.out) == OutputFormat::kJson) {
    for (const auto& f : findings) std::cout << findingToJson(f).dump() << "\n";
  } else if (findings.empty()) {
    std::cout << "no findings\n";
  } else {
    for (const auto& f : findings) {
      std::cout << "[" << severityName(f.severity) << "] " << f.token_id << " " << f.key_id << " "
                << f.code << "\n    " << f.message << "\n    fix: " << f.fix << "\n";
    }
  }
  std::optional<Severity> threshold = parseSeverity(args.fail_on);  // "" (not given): none
  if (threshold) {
    for (const auto& f : findings) {
      if (f.severity >= *threshold) env.fail();
    }
  }
}

void addAudit(CLI::App& token, CommandEnv& env) {
  auto args = std::make_shared<AuditArgs>();
  auto* cmd = token.add_subcommand(
      "audit", "What an attacker can learn from each token, and what gives it away");
  cmd->add_option("TOKEN", args->refs, "Tokens to audit (default: all)");
  addOutputOption(cmd, &args->out);
  cmd->add_option("--fail-on", args->fail_on, "Exit 1 if a finding is at least this severe")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd->callback([&env, args] { auditTokens(env, *args); });
}

// ---- verify ----
struct VerifyArgs {
  std::vector<std::string> refs;
  std::string out;
  bool include_imported = false;
};

// The named tokens, or every active token whose IAM user lives in the honey account.
std::vector<Token> verifyTargets(tokens::Registry& registry, const VerifyArgs& args) {
  std::vector<Token> targets;
  if (!args.refs.empty()) {
    for (const auto& r : args.refs) targets.push_back(unwrap(registry.find(r)));
    return targets;
  }
  tokens::TokenFilter active;
  active.status = tokens::TokenStatus::kActive;
  for (auto& t : unwrap(registry.list(active))) {
    if (t.backend == "aws" || (args.include_imported && t.backend == "import")) {
      targets.push_back(t);
    }
  }
  return targets;
}

void verifyTokens(CommandEnv& env, const VerifyArgs& args) {
  Context& c = env.ctx();
  std::vector<Token> targets = verifyTargets(c.registry(), args);
  aws::AwsSession* session = unwrap(c.aws());
  const bool as_json = parseOutput(args.out) == OutputFormat::kJson;
  int drifted = 0;
  Table table({"TOKEN", "KEY ID", "USER", "STATE", "DRIFT"});
  for (const auto& t : targets) {
    tokens::VerifyResult v =
        tokens::verifyToken(session->iam(), t, c.config().aws.deny_policy_name);
    if (!v.ok) ++drifted;
    if (as_json) {
      std::cout << verifyResultToJson(v).dump() << "\n";
      continue;
    }
    std::string drift;
    for (size_t i = 0; i < v.details.size(); ++i)
      drift += (i ? "; " : "") + v.drift[i] + ": " + v.details[i];
    table.add({v.token_id, v.key_id, v.user_name, v.ok ? "ok" : "DRIFT", drift});
  }
  if (!as_json) std::cout << (table.empty() ? "no aws tokens to verify\n" : table.render());
  if (drifted > 0) {
    std::cerr << drifted << " of " << targets.size() << " token(s) drifted\n";
    env.fail();
  }
}

void addVerify(CLI::App& token, CommandEnv& env) {
  auto args = std::make_shared<VerifyArgs>();
  auto* cmd = token.add_subcommand(
      "verify", "Check in AWS that each token's user, key and deny-all policy are as made");
  cmd->add_option("TOKEN", args->refs, "Tokens to check (default: every active aws token)");
  cmd->add_flag("--include-imported", args->include_imported,
                "Also check imported tokens (their users must live in the configured account)");
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { verifyTokens(env, *args); });
}

}  // namespace

void addTokenCommands(CLI::App& app, CommandEnv& env) {
  auto* token =
      app.add_subcommand("token", "Create, import, list, render, audit and revoke tokens");
  token->require_subcommand(1);
  addCreate(*token, env);
  addImport(*token, env);
  addList(*token, env);
  addShow(*token, env);
  addRender(*token, env);
  addRevokeAndForget(*token, env);
  addAudit(*token, env);
  addVerify(*token, env);
}

}  // namespace ht::app
