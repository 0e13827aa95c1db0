// serve, sources: the long-running process (app/serve.h) and the health of its sources.
#include "app/serve.h"

#include <iostream>

#include "app/commands/common.h"

namespace ht::app {
namespace {

using nlohmann::json;

void printSources(CommandEnv& env, const std::string& out) {
  auto rows = unwrap(sourcesReport(env.ctx()));
  if (parseOutput(out) == OutputFormat::kJson) {
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
}

}  // namespace

void addServeCommands(CLI::App& app, CommandEnv& env) {
  auto* serve = app.add_subcommand(
      "serve", "Run the configured live sources (S3, SQS, push, last-used) until SIGTERM");
  serve->callback([&env] {
    installStopHandlers();
    check(runServe(env.ctx(), stopFlag()));
  });

  auto out = std::make_shared<std::string>();
  auto* sources =
      app.add_subcommand("sources", "Health of each live source (a quiet one is 'blind')");
  addOutputOption(sources, out.get());
  sources->callback([&env, out] { printSources(env, *out); });
}

}  // namespace ht::app
