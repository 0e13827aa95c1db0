// Versioned schema for the SQLite back-end. Append new migrations; never edit an applied one.
#pragma once

#include <vector>

namespace ht::store::sqlite {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<Migration>& migrations();

}  // namespace ht::store::sqlite
