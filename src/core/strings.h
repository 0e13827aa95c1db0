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
// Every occurrence of from (non-empty) replaced by to.
std::string replaceAll(std::string_view s, std::string_view from, std::string_view to);
// Shell-style match where '*' is any run of characters (no other metacharacters), case-sensitive.
bool globMatch(std::string_view pattern, std::string_view text);
// Whether every byte sequence is well-formed UTF-8.
bool isValidUtf8(std::string_view s);

}  // namespace ht
