// triggers list: the stored triggers. Its own group because `--help` lists it after `sources`.
#include <iostream>

#include "app/commands/common.h"
#include "app/json_views.h"

namespace ht::app {
namespace {

struct ListArgs {
  std::string out, token;
  int limit = 1000;
};

void listTriggers(CommandEnv& env, const ListArgs& args) {
  detect::TriggerFilter filter;
  filter.limit = args.limit;
  auto key_of = unwrap(env.ctx().registry().keyIdsByToken());
  if (!args.token.empty()) filter.token_id = unwrap(env.ctx().registry().find(args.token)).id;
  auto triggers = unwrap(env.ctx().store().listTriggers(filter));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    for (const auto& t : triggers) std::cout << triggerToJson(t, key_of[t.token_id]).dump() << "\n";
    return;
  }
  Table table(
      {"EVENT TIME", "CLASS", "KEY ID", "CALL", "SOURCE IP", "CLIENT", "INTENT", "EVENT ID"});
  for (const auto& t : triggers) {
    table.add({t.event_time ? formatTime(*t.event_time) : "",
               detect::triggerClassName(t.trigger_class), key_of[t.token_id],
               t.event_source + ":" + t.event_name, t.source_ip, t.client, t.intent, t.event_id});
  }
  std::cout << (table.empty() ? "no triggers\n" : table.render());
}

}  // namespace

void addTriggerCommands(CLI::App& app, CommandEnv& env) {
  auto* triggers = app.add_subcommand("triggers", "Stored triggers");
  triggers->require_subcommand(1);
  auto args = std::make_shared<ListArgs>();
  auto* list = triggers->add_subcommand("list", "Stored triggers, oldest event first");
  list->add_option("--token", args->token, "Only this token's");
  list->add_option("--limit", args->limit, "How many")->check(CLI::Range(1, 1000000));
  addOutputOption(list, &args->out);
  list->callback([&env, args] { listTriggers(env, *args); });
}

}  // namespace ht::app
