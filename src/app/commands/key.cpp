// key inspect: what an access key ID says about itself, offline.
#include <iostream>

#include "app/commands/common.h"
#include "app/json_views.h"
#include "aws/key_id.h"

namespace ht::app {
namespace {

struct InspectArgs {
  std::string key_id;
  std::string out;
};

void inspectKey(CommandEnv& env, const InspectArgs& args) {
  aws::KeyIdInfo info = aws::inspectKeyId(args.key_id);
  tokens::CanaryAccounts canaries = unwrap(loadCanaryAccounts(env.ctx().config()));
  const std::string* list = info.account_id ? canaries.find(*info.account_id) : nullptr;
  const std::string canary = list ? *list : "";
  if (parseOutput(args.out) == OutputFormat::kJson) {
    std::cout << keyIdInfoToJson(args.key_id, info, canary).dump() << "\n";
  } else {
    std::cout << "key id      " << args.key_id << "\n"
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
  if (!info.valid_format) env.fail();
}

}  // namespace

void addKeyCommands(CLI::App& app, CommandEnv& env) {
  auto* key = app.add_subcommand("key", "Look at access key IDs");
  key->require_subcommand(1);
  auto args = std::make_shared<InspectArgs>();
  auto* inspect = key->add_subcommand("inspect", "Format, kind and account of a key ID (offline)");
  inspect->add_option("KEY_ID", args->key_id, "An access key ID or other AWS unique ID")
      ->required();
  addOutputOption(inspect, &args->out);
  inspect->callback([&env, args] { inspectKey(env, *args); });
}

}  // namespace ht::app
