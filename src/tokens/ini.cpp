#include "tokens/ini.h"

#include <map>
#include <set>
#include <utility>

#include "core/strings.h"

namespace ht::tokens {
namespace {

// configparser works on Python str, whose strip() and \S know Unicode white space. Matching it
// matters for indentation: an NBSP-indented line is a continuation to Python, so it must be one
// here too, or the two would disagree about which lines belong to which key.
size_t whitespaceLen(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  unsigned char c = at(i);
  if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) return 1;
  if (c == 0xC2 && (at(i + 1) == 0x85 || at(i + 1) == 0xA0)) return 2;  // U+0085, U+00A0
  if (c == 0xE1 && at(i + 1) == 0x9A && at(i + 2) == 0x80) return 3;    // U+1680
  if (c == 0xE2 && at(i + 1) == 0x80) {
    unsigned char e = at(i + 2);
    // U+2000..U+200A, U+2028, U+2029, U+202F
    if ((e >= 0x80 && e <= 0x8A) || e == 0xA8 || e == 0xA9 || e == 0xAF) return 3;
  }
  if (c == 0xE2 && at(i + 1) == 0x81 && at(i + 2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && at(i + 1) == 0x80 && at(i + 2) == 0x80) return 3;  // U+3000
  return 0;
}

size_t codePointLen(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  return 4;
}

struct Stripped {
  std::string_view text;  // the line without leading and trailing white space
  size_t indent = 0;      // code points before the first non-space one (configparser's measure)
};

Stripped stripLine(std::string_view line) {
  Stripped out;
  size_t i = 0;
  size_t first = std::string_view::npos, last_end = 0;
  size_t indent = 0;
  while (i < line.size()) {
    size_t ws = whitespaceLen(line, i);
    if (ws > 0) {
      if (first == std::string_view::npos) ++indent;
      i += ws;
      continue;
    }
    size_t n = codePointLen(static_cast<unsigned char>(line[i]));
    if (first == std::string_view::npos) first = i;
    i += n;
    last_end = i;
  }
  if (first == std::string_view::npos) return out;
  out.text = line.substr(first, last_end - first);
  out.indent = indent;
  return out;
}

struct Line {
  std::string_view text;  // without its line break
  size_t begin = 0;
};

// Python's text mode reads "\n", "\r\n" and a lone "\r" as line breaks; so does this.
std::vector<Line> splitLines(std::string_view text, IniDocument* doc) {
  std::vector<Line> lines;
  bool saw_break = false;
  size_t start = 0;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '\n' && c != '\r') {
      ++i;
      continue;
    }
    size_t brk = (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
    if (!saw_break) {
      doc->line_ending = std::string(text.substr(i, brk));
      saw_break = true;
    }
    lines.push_back({text.substr(start, i - start), start});
    i += brk;
    start = i;
  }
  if (start < text.size()) lines.push_back({text.substr(start), start});
  doc->ends_with_newline = !text.empty() && (text.back() == '\n' || text.back() == '\r');
  return lines;
}

Status lineError(int line, const std::string& why) {
  return Status::invalidArgument("line " + std::to_string(line) + ": " + why);
}

// Pieces of one key's value as configparser collects them, with their lines, so that botocore's
// sub-section check can point at the offending line.
struct ValuePart {
  std::string text;
  int line = 0;
};

}  // namespace

const IniKey* IniSection::findKey(std::string_view key) const {
  std::string wanted = toLower(key);
  for (const IniKey& k : keys) {
    if (toLower(k.name) == wanted) return &k;
  }
  return nullptr;
}

const IniSection* IniDocument::findSection(std::string_view name) const {
  for (const IniSection& s : sections) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<IniDocument> parseIni(std::string_view text) {
  IniDocument doc;
  std::vector<Line> lines = splitLines(text, &doc);
  doc.line_count = static_cast<int>(lines.size());

  // Parallel to doc.sections[s].keys[k]: the raw value pieces.
  std::vector<std::vector<std::vector<ValuePart>>> parts;
  std::map<std::string, int> section_first_line;
  std::set<std::pair<std::string, std::string>> seen_keys;  // (section, lower-case key)
  int sect = -1;            // index of the current section, -1 before the first header
  int key = -1;             // index of the key continuation lines would extend, -1 for none
  size_t indent_level = 0;  // indentation of the last header or key line

  for (size_t n = 0; n < lines.size(); ++n) {
    const int lineno = static_cast<int>(n) + 1;
    std::string_view raw = lines[n].text;
    if (!isValidUtf8(raw)) {
      // botocore turns the UnicodeDecodeError into "Unable to parse config file".
      return lineError(lineno, "not valid UTF-8");
    }
    if (n == 0 && startsWith(raw, "\xEF\xBB\xBF")) {
      return lineError(lineno, "starts with a UTF-8 byte-order mark, which the AWS CLI rejects");
    }
    Stripped s = stripLine(raw);
    if (!s.text.empty() && (s.text[0] == '#' || s.text[0] == ';')) continue;  // comment
    if (s.text.empty()) {
      // Blank lines inside a value are kept (empty_lines_in_values=True) and do not end it.
      if (sect >= 0 && key >= 0) parts[sect][key].push_back({"", lineno});
      continue;
    }
    if (sect >= 0 && key >= 0 && s.indent > indent_level) {
      parts[sect][key].push_back({std::string(s.text), lineno});
      continue;
    }
    indent_level = s.indent;

    if (s.text[0] == '[') {
      size_t close = s.text.rfind(']');
      if (close == std::string_view::npos) {
        return lineError(lineno, "unterminated section header (no closing ']')");
      }
      if (close < 2) return lineError(lineno, "empty section name");
      // Like configparser's greedy "\[(.+)\]": up to the last ']', ignoring anything after it.
      std::string name(s.text.substr(1, close - 1));
      if (name != "DEFAULT") {
        auto it = section_first_line.find(name);
        if (it != section_first_line.end()) {
          return lineError(lineno, "duplicate section [" + name + "] (first at line " +
                                       std::to_string(it->second) + ")");
        }
        section_first_line.emplace(name, lineno);
      }
      if (sect >= 0) doc.sections[sect].end = lines[n].begin;
      IniSection section;
      section.name = std::move(name);
      section.line = lineno;
      section.begin = lines[n].begin;
      section.end = text.size();
      doc.sections.push_back(std::move(section));
      parts.emplace_back();
      sect = static_cast<int>(doc.sections.size()) - 1;
      key = -1;
      continue;
    }

    size_t delim = s.text.find_first_of("=:");
    if (sect < 0) {
      return lineError(lineno, delim == std::string_view::npos
                                   ? "text before the first [section] header"
                                   : "a key = value line before the first [section] header");
    }
    if (delim == std::string_view::npos) {
      return lineError(lineno,
                       "not a [section] header, key = value pair, comment or indented "
                       "continuation line");
    }
    std::string name(stripLine(s.text.substr(0, delim)).text);
    if (name.empty()) return lineError(lineno, "a key with an empty name");
    IniSection& section = doc.sections[sect];
    if (!seen_keys.emplace(section.name, toLower(name)).second) {
      return lineError(lineno, "duplicate key '" + name + "' in section [" + section.name + "]");
    }
    section.keys.push_back({name, "", lineno});
    parts[sect].push_back({{std::string(stripLine(s.text.substr(delim + 1)).text), lineno}});
    key = static_cast<int>(section.keys.size()) - 1;
  }

  // Join values the way configparser does, then apply botocore's sub-section rule: a value whose
  // first line is empty is a nested block, and each of its lines must be "name = value".
  for (size_t si = 0; si < doc.sections.size(); ++si) {
    for (size_t ki = 0; ki < doc.sections[si].keys.size(); ++ki) {
      const std::vector<ValuePart>& p = parts[si][ki];
      size_t used = p.size();
      while (used > 1 && p[used - 1].text.empty()) --used;  // configparser's rstrip()
      std::string value;
      for (size_t i = 0; i < used; ++i) {
        if (i > 0) value += '\n';
        value += p[i].text;
      }
      if (used > 1 && p[0].text.empty()) {
        for (size_t i = 1; i < used; ++i) {
          if (!p[i].text.empty() && p[i].text.find('=') == std::string::npos) {
            return lineError(p[i].line, "a line of the nested settings under '" +
                                            doc.sections[si].keys[ki].name +
                                            "' has no '=' (the AWS CLI cannot read it)");
          }
        }
      }
      doc.sections[si].keys[ki].value = std::move(value);
    }
  }
  return doc;
}

}  // namespace ht::tokens
