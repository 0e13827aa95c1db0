// What the command files share: leaving a callback with a Status, the --output option, tags,
// secrets on standard input, the stop signals of long-running commands, and the delivery summary
// printed after a command that queued alerts.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "alert/delivery.h"
#include "app/commands/commands.h"
#include "app/output.h"
#include "core/secret.h"
#include "core/status.h"
#include "tokens/model.h"

namespace ht::app {

// Stop the command with st (an error message and exit code 1) unless it is OK.
void check(const Status& st);
template <typename T>
T unwrap(Result<T> r) {
  if (!r.hasValue()) throw CommandFailed{r.status()};
  return std::move(r).value();
}

// -o/--output table|json; the value lands in *out (default "table").
void addOutputOption(CLI::App* cmd, std::string* out);
OutputFormat parseOutput(const std::string& s);

// KEY=VALUE items (--tag, repeatable).
Result<tokens::Tags> parseTags(const std::vector<std::string>& items);

// Reads a secret access key from standard input without echoing it anywhere.
Result<SecretString> readSecretFromStdin();

// SIGTERM and SIGINT end a long-running command (serve, --watch loops) at its next check.
void installStopHandlers();
const std::atomic<bool>& stopFlag();
// Sleeps in short steps so that SIGTERM ends a --watch loop within a second; false when stopped.
bool sleepUnlessStopped(int seconds);

// The summary after a command drained the outbox, on standard error: who is "ingest",
// "alert flush", ...
void printDrain(const std::string& who, const alert::DrainSummary& s);
// For a command whose triggers may announce incidents (ingest, aws poll-last-used): the alert
// delivery when a route is configured, built (credentials read) before any work so that a
// missing credential stops the command instead of leaving alerts it cannot send; else nullptr.
alert::Delivery* routedDelivery(Context& c);
// Delivers what such a command caused, waiting up to alerts.ingest_wait_seconds for retries.
void deliverCaused(Context& c, alert::Delivery* delivery, const std::string& who);

}  // namespace ht::app
