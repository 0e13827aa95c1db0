// The subcommands of `honeytrail`, one file per group in this folder. Each group registers its
// subcommands on the app; a command parses its arguments, calls one service of a module and
// renders the answer (tables: app/output.h, JSON: app/json_views.h). cli.cpp owns the global
// options, the order of the groups (it is the order `--help` lists them in) and turning a failed
// command into its message and exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "app/context.h"
#include "core/status.h"

namespace ht::app {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

// What every command shares: the global options (filled in by parsing before any callback
// runs), the Context, built on first use so that commands that need no state (key inspect) touch
// nothing on disk, and the exit code of a command that finished but found a problem.
class CommandEnv {
 public:
  GlobalOptions& globals() { return globals_; }
  Context& ctx();
  void fail() { exit_code_ = kExitError; }
  int exitCode() const { return exit_code_; }

 private:
  GlobalOptions globals_;
  std::unique_ptr<Context> ctx_;
  int exit_code_ = kExitOk;
};

// Leaves a command callback with the Status that stopped it; runCli prints it and exits 1. Thrown
// only by command callbacks (through check/unwrap, app/commands/common.h) and caught in runCli.
struct CommandFailed {
  Status status;
};

// One registration function per group; the comment lists what each registers.
// status
void addStatusCommands(CLI::App& app, CommandEnv& env);
// key inspect
void addKeyCommands(CLI::App& app, CommandEnv& env);
// config validate | show
void addConfigCommands(CLI::App& app, CommandEnv& env);
// token create | import | list | show | render | revoke | forget-secret | audit | verify
void addTokenCommands(CLI::App& app, CommandEnv& env);
// aws whoami | poll-last-used | setup
void addAwsCommands(CLI::App& app, CommandEnv& env);
// ingest, hunt
void addDetectCommands(CLI::App& app, CommandEnv& env);
// incident list | show | ack | confirm | false-positive | resolve | note
void addIncidentCommands(CLI::App& app, CommandEnv& env);
// alert list | flush | test | approve | reject
void addAlertCommands(CLI::App& app, CommandEnv& env);
// serve, sources
void addServeCommands(CLI::App& app, CommandEnv& env);
// triggers list (its own group only because --help has always listed it after sources)
void addTriggerCommands(CLI::App& app, CommandEnv& env);
// placement add | list, custody add | list
void addPlacementCommands(CLI::App& app, CommandEnv& env);
// history
void addHistoryCommands(CLI::App& app, CommandEnv& env);

}  // namespace ht::app
