// history: the audit log of changes to the registry.
#include <iostream>

#include "app/commands/common.h"
#include "app/json_views.h"

namespace ht::app {
namespace {

struct HistoryArgs {
  int limit = 50;
  std::string out;
};

void showHistory(CommandEnv& env, const HistoryArgs& args) {
  auto entries = unwrap(env.ctx().registry().history(args.limit));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    for (const auto& a : entries) std::cout << auditEntryToJson(a).dump() << "\n";
    return;
  }
  Table table({"AT", "ACTOR", "ACTION", "OBJECT", "DETAILS"});
  for (const auto& a : entries)
    table.add({formatTime(a.at), a.actor, a.action, a.object_type + " " + a.object_id, a.details});
  std::cout << (table.empty() ? "no history\n" : table.render());
}

}  // namespace

void addHistoryCommands(CLI::App& app, CommandEnv& env) {
  auto args = std::make_shared<HistoryArgs>();
  auto* cmd =
      app.add_subcommand("history", "The audit log of changes to the registry, newest first");
  cmd->add_option("--limit", args->limit, "How many entries")->check(CLI::Range(1, 100000));
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { showHistory(env, *args); });
}

}  // namespace ht::app
