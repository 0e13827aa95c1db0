#include "app/output.h"

#include <algorithm>

namespace ht::app {

std::string Table::render() const {
  std::vector<size_t> width(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); ++i) width[i] = headers_[i].size();
  for (const auto& r : rows_) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < width.size(); ++i) {
      std::string cell = i < cells.size() ? cells[i] : "";
      out += cell;
      if (i + 1 < width.size()) out += std::string(width[i] - cell.size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(headers_);
  for (const auto& r : rows_) out += line(r);
  return out;
}

std::string tagsToText(const tokens::Tags& tags) {
  std::string out;
  for (const auto& [k, v] : tags) {
    if (!out.empty()) out += ",";
    out += k + "=" + v;
  }
  return out;
}

nlohmann::json tokenToJson(const tokens::Token& t) {
  nlohmann::json j = {
      {"id", t.id},
      {"key_id", t.key_id},
      {"backend", t.backend},
      {"can_trigger", t.can_trigger},
      {"account_id", t.account_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.account_id)},
      {"user_name", t.user_name},
      {"user_path", t.user_path},
      {"user_arn", t.user_arn},
      {"principal_id", t.principal_id},
      {"label", t.label},
      {"tags", t.tags},
      {"status", tokens::tokenStatusName(t.status)},
      {"secret", tokens::secretStateName(t.secret_state)},
      {"created_at", formatTime(t.created_at)},
      {"key_created_at", formatTime(t.key_created_at)},
  };
  j["revoked_at"] =
      t.revoked_at ? nlohmann::json(formatTime(*t.revoked_at)) : nlohmann::json(nullptr);
  if (t.revoked_at) j["revoke_reason"] = t.revoke_reason;
  return j;
}

nlohmann::json placementToJson(const tokens::Placement& p) {
  return {{"id", p.id},
          {"token_id", p.token_id},
          {"host", p.host},
          {"location", p.location},
          {"kind", p.kind},
          {"owner", p.owner},
          {"notes", p.notes},
          {"tags", p.tags},
          {"created_at", formatTime(p.created_at)}};
}

nlohmann::json custodyToJson(const tokens::CustodyEvent& e) {
  return {
      {"id", e.id},
      {"token_id", e.token_id},
      {"placement_id", e.placement_id ? nlohmann::json(*e.placement_id) : nlohmann::json(nullptr)},
      {"holder", e.holder},
      {"method", e.method},
      {"at", formatTime(e.at)},
      {"notes", e.notes}};
}

nlohmann::json auditEntryToJson(const tokens::AuditEntry& a) {
  nlohmann::json details = nlohmann::json::parse(a.details, nullptr, false);
  if (details.is_discarded()) details = a.details;
  return {{"id", a.id},         {"at", formatTime(a.at)},       {"actor", a.actor},
          {"action", a.action}, {"object_type", a.object_type}, {"object_id", a.object_id},
          {"details", details}};
}

nlohmann::json findingToJson(const tokens::Finding& f) {
  return {{"token_id", f.token_id}, {"key_id", f.key_id},
          {"code", f.code},         {"severity", tokens::severityName(f.severity)},
          {"message", f.message},   {"fix", f.fix}};
}

}  // namespace ht::app
