#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands/commands.h"
#include "app/context.h"
#include "core/log.h"

namespace ht::app {

int runCli(int argc, char** argv) {
  CLI::App app{
      "honeytrail: AWS honey tokens, from minting and placement to detection.\n"
      "State lives in the data dir (--data-dir, $HONEYTRAIL_DATA_DIR, default ./honeytrail-data)."};
  app.set_version_flag("--version", "honeytrail 0.1.0");
  app.require_subcommand(1);
  CommandEnv env;
  GlobalOptions& g = env.globals();
  app.add_option("--data-dir", g.data_dir,
                 "Directory holding all state (also $HONEYTRAIL_DATA_DIR)");
  app.add_option(
      "-c,--config", g.config_path,
      "Config file (also $HONEYTRAIL_CONFIG; default DATA_DIR/honeytrail.yaml if present)");
  app.add_option("--log-level", g.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--log-format", g.log_format, "plain or json")
      ->check(CLI::IsMember({"plain", "json"}));

  // The order here is the order `honeytrail --help` lists the commands in.
  addStatusCommands(app, env);
  addKeyCommands(app, env);
  addConfigCommands(app, env);
  addTokenCommands(app, env);
  addAwsCommands(app, env);
  addDetectCommands(app, env);
  addIncidentCommands(app, env);
  addAlertCommands(app, env);
  addServeCommands(app, env);
  addTriggerCommands(app, env);
  addPlacementCommands(app, env);
  addHistoryCommands(app, env);

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
  return env.exitCode();
}

}  // namespace ht::app
