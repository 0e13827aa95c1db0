// placement add | list, custody add | list: where tokens live and every hop they took there.
#include <iostream>

#include "app/commands/common.h"
#include "app/json_views.h"

namespace ht::app {
namespace {

using nlohmann::json;

// ---- placement add ----
struct PlacementAddArgs {
  std::string ref, path, resource, out;
  std::vector<std::string> tags;
  tokens::Placement placement;
};

void addPlacement(CommandEnv& env, PlacementAddArgs& args) {
  tokens::Placement& p = args.placement;
  p.token_id = args.ref;
  p.location = args.path.empty() ? args.resource : args.path;
  if (p.kind.empty())
    p.kind = args.path.empty() ? (args.resource.empty() ? "host" : "resource") : "file";
  p.tags = unwrap(parseTags(args.tags));
  int64_t id = unwrap(env.ctx().registry().addPlacement(p));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    std::cout << json{{"id", id}}.dump() << "\n";
  } else {
    std::cout << "placement " << id << " recorded\n";
  }
}

// ---- placement list ----
struct PlacementListArgs {
  std::string token, out;
};

void listPlacements(CommandEnv& env, const PlacementListArgs& args) {
  auto ps = unwrap(env.ctx().registry().placements(args.token.empty() ? std::nullopt
                                                                      : std::optional(args.token)));
  auto key_of = unwrap(env.ctx().registry().keyIdsByToken());
  if (parseOutput(args.out) == OutputFormat::kJson) {
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
               p.owner, formatTime(p.created_at)});
  }
  std::cout << (table.empty() ? "no placements\n" : table.render());
}

void addPlacementGroup(CLI::App& app, CommandEnv& env) {
  auto* placement = app.add_subcommand("placement", "Record where tokens live");
  placement->require_subcommand(1);

  auto add_args = std::make_shared<PlacementAddArgs>();
  tokens::Placement& p = add_args->placement;
  auto* add = placement->add_subcommand("add", "Record that a token was put somewhere");
  add->add_option("TOKEN", add_args->ref, "Token ID or key ID")->required();
  add->add_option("--host", p.host, "Host, laptop or account where it lives");
  auto* path_opt = add->add_option("--path", add_args->path, "File path on the host");
  auto* res_opt = add->add_option("--resource", add_args->resource,
                                  "A cloud resource (Lambda ARN, repo URL, mailbox)");
  path_opt->excludes(res_opt);
  add->add_option("--kind", p.kind,
                  "file, env-file, source, lambda, ec2-user-data, k8s-secret, repo, email, other");
  add->add_option("--owner", p.owner, "Team or person responsible for the place");
  add->add_option("--notes", p.notes, "Free text");
  add->add_option("--tag", add_args->tags, "KEY=VALUE, repeatable");
  addOutputOption(add, &add_args->out);
  add->callback([&env, add_args] { addPlacement(env, *add_args); });

  auto list_args = std::make_shared<PlacementListArgs>();
  auto* list = placement->add_subcommand("list", "List placements");
  list->add_option("--token", list_args->token, "Only this token's");
  addOutputOption(list, &list_args->out);
  list->callback([&env, list_args] { listPlacements(env, *list_args); });
}

// ---- custody add ----
struct CustodyAddArgs {
  std::string ref, at, out;
  int64_t placement = 0;
  tokens::CustodyEvent hop;
};

void addCustody(CommandEnv& env, CustodyAddArgs& args) {
  args.hop.token_id = args.ref;
  if (!args.at.empty()) {
    auto t = parseTime(args.at);
    if (!t) check(Status::invalidArgument("--at '" + args.at + "' is not a date/time"));
    args.hop.at = *t;
  }
  if (args.placement > 0) args.hop.placement_id = args.placement;
  int64_t id = unwrap(env.ctx().registry().addCustody(args.hop));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    std::cout << json{{"id", id}}.dump() << "\n";
  } else {
    std::cout << "custody hop " << id << " recorded\n";
  }
}

// ---- custody list ----
struct CustodyListArgs {
  std::string ref, out;
};

void listCustody(CommandEnv& env, const CustodyListArgs& args) {
  auto cs = unwrap(env.ctx().registry().custody(args.ref));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    for (const auto& c : cs) std::cout << custodyToJson(c).dump() << "\n";
    return;
  }
  Table table({"#", "AT", "HOLDER", "METHOD", "PLACEMENT", "NOTES"});
  int n = 0;
  for (const auto& c : cs) {
    table.add({std::to_string(++n), formatTime(c.at), c.holder, c.method,
               c.placement_id ? std::to_string(*c.placement_id) : "", c.notes});
  }
  std::cout << (table.empty() ? "no custody events\n" : table.render());
}

void addCustodyGroup(CLI::App& app, CommandEnv& env) {
  auto* custody =
      app.add_subcommand("custody", "The chain of custody: every hop a token passed through");
  custody->require_subcommand(1);

  auto add_args = std::make_shared<CustodyAddArgs>();
  tokens::CustodyEvent& hop = add_args->hop;
  auto* add = custody->add_subcommand("add", "Record a hop (who or what held the token, and how)");
  add->add_option("TOKEN", add_args->ref, "Token ID or key ID")->required();
  add->add_option("--holder", hop.holder, "Who or what held it (person, pipeline, vault path)")
      ->required();
  add->add_option("--method", hop.method, "How it got there (scp, ansible, email, agent, ...)")
      ->required();
  add->add_option("--at", add_args->at, "When (default now), e.g. 2026-11-28T10:00:00Z");
  add->add_option("--placement", add_args->placement, "Placement ID this hop belongs to");
  add->add_option("--notes", hop.notes, "Free text");
  addOutputOption(add, &add_args->out);
  add->callback([&env, add_args] { addCustody(env, *add_args); });

  auto list_args = std::make_shared<CustodyListArgs>();
  auto* list = custody->add_subcommand("list", "A token's chain of custody, oldest first");
  list->add_option("TOKEN", list_args->ref, "Token ID or key ID")->required();
  addOutputOption(list, &list_args->out);
  list->callback([&env, list_args] { listCustody(env, *list_args); });
}

}  // namespace

void addPlacementCommands(CLI::App& app, CommandEnv& env) {
  addPlacementGroup(app, env);
  addCustodyGroup(app, env);
}

}  // namespace ht::app
