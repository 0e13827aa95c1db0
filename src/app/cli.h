// The honeytrail command line: parses arguments (CLI11) and dispatches to the subcommands.
#pragma once

namespace ht::app {

// Returns the process exit code: 0 success, 1 operation failed, 2 usage error.
int runCli(int argc, char** argv);

}  // namespace ht::app
