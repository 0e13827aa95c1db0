// status: where the data lives and how the registry stands.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands/common.h"
#include "tokens/audit.h"

namespace ht::app {
namespace {

using nlohmann::json;

struct StatusArgs {
  std::string out;
};

// "2 high, 1 low", most severe first; "none" without findings.
std::string findingsText(const std::map<tokens::Severity, int>& by_severity) {
  if (by_severity.empty()) return "none";
  std::string text;
  for (auto s : {tokens::Severity::kCritical, tokens::Severity::kHigh, tokens::Severity::kMedium,
                 tokens::Severity::kLow, tokens::Severity::kInfo}) {
    auto it = by_severity.find(s);
    if (it == by_severity.end()) continue;
    text += (text.empty() ? "" : ", ") + std::to_string(it->second) + " " + severityName(s);
  }
  return text;
}

void showStatus(CommandEnv& env, const StatusArgs& args) {
  Context& c = env.ctx();
  tokens::RegistrySummary s = unwrap(c.registry().summary());
  auto by_severity = tokens::countBySeverity(unwrap(c.auditAll()));
  int version = unwrap(c.store().schemaVersion());
  if (parseOutput(args.out) == OutputFormat::kJson) {
    json findings = json::object();
    for (const auto& [severity, n] : by_severity) findings[severityName(severity)] = n;
    json j = {{"data_dir", c.dataDir()},       {"database", c.databasePath()},
              {"schema_version", version},     {"config", c.configSource()},
              {"tokens_active", s.active},     {"tokens_revoked", s.revoked},
              {"tokens_unplaced", s.unplaced}, {"secrets_stored", s.secrets_stored},
              {"audit_findings", findings}};
    std::cout << j.dump() << "\n";
    return;
  }
  std::cout << "honeytrail 0.1.0\n"
            << "data dir        " << c.dataDir() << "\n"
            << "database        " << c.databasePath() << " (sqlite, schema v" << version << ")\n"
            << "config          " << c.configSource() << "\n"
            << "tokens          " << s.active << " active, " << s.revoked << " revoked\n"
            << "not yet placed  " << s.unplaced << "\n"
            << "secrets stored  " << s.secrets_stored << " (encrypted; forget them once placed)\n"
            << "audit findings  " << findingsText(by_severity) << "\n";
  if (s.tokens == 0) {
    std::cout << "\nNo tokens yet. Start with:\n  honeytrail token create --label web-01\n";
  } else if (!by_severity.empty()) {
    std::cout << "\nSee `honeytrail token audit` for the findings and their fixes.\n";
  }
}

}  // namespace

void addStatusCommands(CLI::App& app, CommandEnv& env) {
  auto args = std::make_shared<StatusArgs>();
  auto* cmd = app.add_subcommand("status", "Open the data dir and summarise the registry");
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { showStatus(env, *args); });
}

}  // namespace ht::app
