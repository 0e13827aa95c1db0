// Small string helpers shared by every module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ht {

std::string trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
bool startsWith(std::string_view s, std::string_view prefix);
bool endsWith(std::string_view s, std::string_view suffix);
std::string toLower(std::string_view s);
// A JSON string literal, quotes included, for hand-built JSON (logs). Escapes control bytes.
std::string jsonQuote(std::string_view s);
// Whether every byte sequence is well-formed UTF-8.
bool isValidUtf8(std::string_view s);

}  // namespace ht
