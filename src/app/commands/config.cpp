// config validate | show: every problem of a config file at once, and the effective config.
#include "config/config.h"

#include <iostream>

#include "app/commands/common.h"
#include "core/files.h"
#include "tokens/name_generator.h"

namespace ht::app {
namespace {

struct ValidateArgs {
  std::string path;
};

// Checks that need the modules above config: naming word lists and canary-account files. Prints
// each problem; true when there is none.
bool deeperChecksPass(const std::string& path, const config::Config& parsed) {
  std::vector<Status> deeper = {tokens::NameGenerator::validate(parsed.tokens.naming),
                                loadCanaryAccounts(parsed).status()};
  bool clean = true;
  for (const auto& st : deeper) {
    if (st.isOk()) continue;
    std::cerr << path << ": " << st.message() << "\n";
    clean = false;
  }
  return clean;
}

void validateConfig(CommandEnv& env, const ValidateArgs& args) {
  std::string path = args.path.empty() ? resolveConfigPath(env.globals()) : args.path;
  if (path.empty()) {
    std::cout << "no config file: every option takes its default\n";
    return;
  }
  std::string text = unwrap(readFile(path));
  std::vector<config::ConfigProblem> problems;
  auto parsed = config::parseConfigCollect(text, path, config::processEnv(), &problems);
  if (problems.empty() && parsed.hasValue()) {
    if (deeperChecksPass(path, *parsed)) {
      std::cout << path << ": OK\n";
    } else {
      env.fail();
    }
    return;
  }
  for (const auto& p : problems) std::cerr << p.toString() << "\n";
  if (problems.empty()) std::cerr << parsed.status().message() << "\n";
  std::cerr << path << ": " << std::max<size_t>(problems.size(), 1) << " problem(s)\n";
  env.fail();
}

}  // namespace

void addConfigCommands(CLI::App& app, CommandEnv& env) {
  auto* config_cmd = app.add_subcommand("config", "Check and show configuration");
  config_cmd->require_subcommand(1);
  auto args = std::make_shared<ValidateArgs>();
  auto* validate =
      config_cmd->add_subcommand("validate", "Check a config file and list every problem");
  validate->add_option("FILE", args->path, "Config file (default: the one honeytrail would load)");
  validate->callback([&env, args] { validateConfig(env, *args); });
  auto* show = config_cmd->add_subcommand("show", "Print the effective config (defaults + file)");
  show->callback([&env] { std::cout << config::configToYaml(env.ctx().config()); });
}

}  // namespace ht::app
