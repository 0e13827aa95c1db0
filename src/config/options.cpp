#include "config/options.h"

namespace ht::config {

const char* actionTypeName(ActionType t) {
  switch (t) {
    case ActionType::kCommand:
      return "command";
    case ActionType::kWebhook:
      return "webhook";
  }
  return "command";
}

std::optional<ActionType> parseActionType(std::string_view text) {
  for (ActionType t : {ActionType::kCommand, ActionType::kWebhook}) {
    if (text == actionTypeName(t)) return t;
  }
  return std::nullopt;
}

const char* actionModeName(ActionMode m) {
  switch (m) {
    case ActionMode::kDryRun:
      return "dry-run";
    case ActionMode::kApproval:
      return "approval";
    case ActionMode::kAuto:
      return "auto";
  }
  return "dry-run";
}

std::optional<ActionMode> parseActionMode(std::string_view text) {
  for (ActionMode m : {ActionMode::kDryRun, ActionMode::kApproval, ActionMode::kAuto}) {
    if (text == actionModeName(m)) return m;
  }
  return std::nullopt;
}

}  // namespace ht::config
