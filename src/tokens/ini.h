// A small INI reader that accepts exactly what the AWS CLI and SDKs accept in ~/.aws/credentials
// and ~/.aws/config (botocore reads them with Python's configparser.RawConfigParser in strict
// mode, then splits indented sub-sections). The renderers use it to refuse to touch a file the
// AWS tools could not read, and to find existing profiles; it never rewrites the text it reads,
// so a merge can leave every existing byte where it was.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ht::tokens {

struct IniKey {
  std::string name;  // as written, trimmed; configparser compares names case-insensitively
  // configparser's view of the value: the first line trimmed, continuation lines appended with
  // '\n', trailing blank lines dropped. May hold secret material: never log it.
  std::string value;
  int line = 0;  // 1-based line of "name = value"
};

struct IniSection {
  std::string name;  // the text between the brackets, untrimmed, as configparser reads it
  int line = 0;      // 1-based line of the [header]
  size_t begin = 0;  // byte offset where the header line starts
  size_t end = 0;    // byte offset where the next header line starts, or the text's size
  std::vector<IniKey> keys;

  // Case-insensitive, like configparser's option names.
  const IniKey* findKey(std::string_view key) const;
};

struct IniDocument {
  std::vector<IniSection> sections;  // in file order; "DEFAULT" sections included as written
  int line_count = 0;
  bool ends_with_newline = true;   // false when the last line has no line break (or text is "")
  std::string line_ending = "\n";  // the first line break's style ("\n", "\r\n" or "\r")

  // Exact, case-sensitive match on the name between the brackets (configparser's rule).
  const IniSection* findSection(std::string_view name) const;
};

// Parses text the way botocore does and reports the first line it would reject, as
// InvalidArgument "line N: reason". Messages never quote a line's content, which may be a secret.
// Stricter than configparser in one place: a line starting with '[' that has no closing ']' is
// an error even inside a section (configparser would read "[a = b" as a key named "[a").
Result<IniDocument> parseIni(std::string_view text);

}  // namespace ht::tokens
