// How commands print: aligned tables for people, JSON for scripts (the JSON of each record is in
// app/json_views.h). Lists print one JSON object per line (JSON lines), so `| jq` and
// line-oriented tools both work; single objects print one.
#pragma once

#include <string>
#include <vector>

#include "tokens/model.h"

namespace ht::app {

enum class OutputFormat { kTable, kJson };

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render() const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

std::string tagsToText(const tokens::Tags& tags);

}  // namespace ht::app
