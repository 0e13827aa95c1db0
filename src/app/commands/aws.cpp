// aws whoami | poll-last-used | setup: the honey account.
#include <iostream>

#include "app/commands/common.h"
#include "app/json_views.h"
#include "aws/setup_templates.h"
#include "core/log.h"
#include "core/strings.h"
#include "live/pipeline.h"

namespace ht::app {
namespace {

using nlohmann::json;

// ---- whoami ----
struct WhoamiArgs {
  std::string out;
};

void whoami(CommandEnv& env, const WhoamiArgs& args) {
  aws::AwsSession* session = unwrap(env.ctx().aws());
  aws::CallerIdentity id = unwrap(session->sts().getCallerIdentity());
  if (parseOutput(args.out) == OutputFormat::kJson) {
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
}

// ---- poll-last-used ----
struct PollArgs {
  bool watch = false;
  std::string out;
};

void printLastUsed(const detect::PollReport& report, OutputFormat out) {
  for (const auto& t : report.triggers) {
    if (out == OutputFormat::kJson) {
      std::cout << lastUsedToJson(t).dump() << std::endl;
    } else {
      std::cout << "USED " << t.token_id << " " << t.key_id << " at " << formatTime(t.last_used_at)
                << " service " << t.service << " region " << t.region << std::endl;
    }
  }
}

void pollLastUsed(CommandEnv& env, const PollArgs& args) {
  Context& c = env.ctx();
  aws::AwsSession* session = unwrap(c.aws());
  // The same pipeline as `serve`: each new use is stored, grouped into its incident and
  // announced through the outbox, and only then hidden by the saved last-used state.
  alert::Delivery* delivery = routedDelivery(c);
  live::Pipeline* pipeline = unwrap(c.pipeline());
  unwrap(pipeline->catchUp());
  installStopHandlers();
  do {
    live::LastUsedResult pass = unwrap(pipeline->pollLastUsed(session->iam()));
    const detect::PollReport& report = pass.report;
    printLastUsed(report, parseOutput(args.out));
    for (const auto& e : report.error_messages)
      log::warn("last-used check failed", {{"detail", e}});
    log::info("last-used poll done", {{"checked", std::to_string(report.checked)},
                                      {"uses", std::to_string(report.triggers.size())},
                                      {"new_triggers", std::to_string(pass.new_triggers.size())},
                                      {"errors", std::to_string(report.errors)}});
    if (!pass.new_triggers.empty()) deliverCaused(c, delivery, "aws poll-last-used");
    if (report.errors > 0 && !args.watch) env.fail();
  } while (args.watch && sleepUnlessStopped(c.config().aws.last_used_poll_seconds));
}

// ---- setup ----
struct SetupArgs {
  std::string what = "all", regions, account, home = "us-east-1", path = "/";
  bool print = false;
};

Result<aws::SetupOptions> setupOptions(const SetupArgs& args) {
  aws::SetupOptions o;
  o.account_id = args.account;
  o.home_region = args.home;
  o.user_path_prefix = args.path;
  if (!args.account.empty() &&
      (args.account.size() != 12 ||
       args.account.find_first_not_of("0123456789") != std::string::npos)) {
    return Status::invalidArgument("--account-id '" + args.account +
                                   "' is not a 12-digit account ID");
  }
  if (args.path.empty() || args.path.front() != '/' || args.path.back() != '/') {
    return Status::invalidArgument("--user-path must start and end with '/'");
  }
  for (const auto& r : split(args.regions, ',')) {
    if (!trim(r).empty()) o.regions.push_back(trim(r));
  }
  return o;
}

void printSetup(const SetupArgs& args) {
  aws::SetupOptions o = unwrap(setupOptions(args));
  if (args.what == "policy" || args.what == "all") {
    if (args.what == "all") std::cout << "# --- IAM policy for the minting role ---\n";
    std::cout << aws::mintingRolePolicy(o);
  }
  if (args.what == "terraform" || args.what == "all") {
    if (args.what == "all") std::cout << "\n# --- Terraform module for the honey account ---\n";
    std::cout << aws::honeyAccountTerraform(o);
  }
}

void addSetup(CLI::App& aws_cmd) {
  auto args = std::make_shared<SetupArgs>();
  auto* cmd =
      aws_cmd.add_subcommand("setup", "Print what the honey account needs (policy, Terraform)");
  cmd->add_flag("--print", args->print, "Print to standard output (nothing is changed in AWS)")
      ->required();
  cmd->add_option("--what", args->what, "policy, terraform or all")
      ->check(CLI::IsMember({"policy", "terraform", "all"}));
  cmd->add_option("--account-id", args->account, "The honey account (default: any)");
  cmd->add_option(
      "--regions", args->regions,
      "Comma-separated regions for EventBridge rules (default: all enabled-by-default regions)");
  cmd->add_option("--home-region", args->home, "Region of the trail, bus and API destination");
  cmd->add_option("--user-path", args->path, "IAM path prefix of honey users");
  cmd->callback([args] { printSetup(*args); });
}

}  // namespace

void addAwsCommands(CLI::App& app, CommandEnv& env) {
  auto* aws_cmd =
      app.add_subcommand("aws", "The honey account: identity, set-up, last-used safety net");
  aws_cmd->require_subcommand(1);

  auto whoami_args = std::make_shared<WhoamiArgs>();
  auto* whoami_cmd =
      aws_cmd->add_subcommand("whoami", "Which identity honeytrail uses (sts:GetCallerIdentity)");
  addOutputOption(whoami_cmd, &whoami_args->out);
  whoami_cmd->callback([&env, whoami_args] { whoami(env, *whoami_args); });

  auto poll_args = std::make_shared<PollArgs>();
  auto* poll = aws_cmd->add_subcommand(
      "poll-last-used",
      "Safety net: report uses AWS recorded (GetAccessKeyLastUsed) since the last poll");
  poll->add_flag("--watch", poll_args->watch,
                 "Keep polling every aws.last_used_poll_seconds until stopped");
  addOutputOption(poll, &poll_args->out);
  poll->callback([&env, poll_args] { pollLastUsed(env, *poll_args); });

  addSetup(*aws_cmd);
}

}  // namespace ht::app
