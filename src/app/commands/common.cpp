#include "app/commands/common.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "core/strings.h"

namespace ht::app {
namespace {

std::atomic<bool> g_stop{false};

void onStopSignal(int) { g_stop = true; }

}  // namespace

Context& CommandEnv::ctx() {
  if (!ctx_) ctx_ = std::make_unique<Context>(globals_);
  return *ctx_;
}

void check(const Status& st) {
  if (!st.isOk()) throw CommandFailed{st};
}

void addOutputOption(CLI::App* cmd, std::string* out) {
  cmd->add_option("-o,--output", *out, "table (for people) or json (for scripts)")
      ->check(CLI::IsMember({"table", "json"}))
      ->default_val("table");
}

OutputFormat parseOutput(const std::string& s) {
  return s == "json" ? OutputFormat::kJson : OutputFormat::kTable;
}

Result<tokens::Tags> parseTags(const std::vector<std::string>& items) {
  tokens::Tags tags;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::invalidArgument("tag '" + item + "' must be KEY=VALUE");
    }
    tags[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return tags;
}

Result<SecretString> readSecretFromStdin() {
  std::string line;
  std::getline(std::cin, line);
  SecretString secret(trim(line));
  secureZero(line.data(), line.size());
  if (secret.size() != 40) {
    return Status::invalidArgument(
        "the secret on standard input is not an AWS secret access key "
        "(expected 40 characters, got " +
        std::to_string(secret.size()) + ")");
  }
  for (char c : secret.reveal()) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    if (!ok) {
      return Status::invalidArgument(
          "the secret on standard input has a character outside the "
          "base64 alphabet (A-Z a-z 0-9 + /)");
    }
  }
  return secret;
}

void installStopHandlers() {
  std::signal(SIGTERM, onStopSignal);
  std::signal(SIGINT, onStopSignal);
}

const std::atomic<bool>& stopFlag() { return g_stop; }

bool sleepUnlessStopped(int seconds) {
  for (int i = 0; i < seconds * 10 && !g_stop; ++i) ::usleep(100000);
  return !g_stop;
}

void printDrain(const std::string& who, const alert::DrainSummary& s) {
  std::cerr << who << ": alerts " << s.totals.delivered << " delivered, " << s.totals.dead
            << " dead, " << s.still_pending << " waiting in the outbox";
  if (s.still_pending > 0) std::cerr << " (honeytrail serve or alert flush delivers them)";
  if (s.awaiting_approval > 0) {
    std::cerr << ", " << s.awaiting_approval
              << " action(s) waiting for approval (honeytrail alert list --state approval)";
  }
  std::cerr << "\n";
}

alert::Delivery* routedDelivery(Context& c) {
  return c.config().alerts.routes.empty() ? nullptr : unwrap(c.delivery());
}

void deliverCaused(Context& c, alert::Delivery* delivery, const std::string& who) {
  if (delivery == nullptr) return;
  auto wait = std::chrono::seconds(c.config().alerts.ingest_wait_seconds);
  printDrain(who, unwrap(delivery->drain(wait)));
}

}  // namespace ht::app
