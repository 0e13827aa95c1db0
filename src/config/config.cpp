#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "config/schema.h"
#include "core/files.h"
#include "core/strings.h"

namespace ht::config {

namespace detail {

namespace {

bool isValidVarName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

}  // namespace

Result<std::string> expandEnv(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Status::invalidArgument("unterminated \"${\" (write \"$${\" for a literal \"${\")");
    }
    std::string_view body = text.substr(i + 2, close - i - 2);
    std::string_view reference = text.substr(i, close - i + 1);
    size_t sep = body.find(":-");
    std::string name(body.substr(0, sep));
    std::optional<std::string_view> fallback;
    if (sep != std::string_view::npos) fallback = body.substr(sep + 2);
    if (!isValidVarName(name)) {
      return Status::invalidArgument("invalid variable name " + jsonQuote(name) + " in " +
                                     jsonQuote(reference));
    }
    // The default ends at the first '}', so a nested reference would be cut in half; say so rather
    // than produce a half-expanded value.
    if (fallback && fallback->find("${") != std::string_view::npos) {
      return Status::invalidArgument("nested \"${\" in the default of " + jsonQuote(reference) +
                                     " is not supported");
    }
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (value && !(value->empty() && fallback)) {
      out += *value;
    } else if (fallback) {
      out += *fallback;
    } else {
      return Status::invalidArgument("environment variable " + name + " is not set (write ${" +
                                     name + ":-default} to give a default)");
    }
    i = close + 1;
  }
  return out;
}

}  // namespace detail

namespace {

constexpr size_t kMaxShownValue = 80;

std::string kindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kString:
      return "a string";
    case ValueKind::kInt:
      return "an integer";
    case ValueKind::kBool:
      return "true or false";
    case ValueKind::kEnum:
      return "a string";
    case ValueKind::kStringList:
      return "a list of strings";
  }
  return "a value";
}

std::string quoteShort(std::string_view text) {
  if (text.size() <= kMaxShownValue) return jsonQuote(text);
  return jsonQuote(text.substr(0, kMaxShownValue)) + "...";
}

// What a node is, for "expected X, got Y".
std::string describeNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return quoteShort(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string joinPath(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

std::string parentOf(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? "" : std::string(path.substr(0, dot));
}

std::string lastComponent(std::string_view path) {
  size_t dot = path.rfind('.');
  return std::string(dot == std::string_view::npos ? path : path.substr(dot + 1));
}

// "did you mean" for an unknown key: first a near spelling among its siblings, then the same name
// in another section (a key indented under the wrong parent).
std::string unknownKeyMessage(const std::string& prefix, const std::string& name) {
  const std::vector<std::string>& paths = configPathsInOrder();
  std::string best;
  size_t best_distance = std::string::npos;
  for (const std::string& path : paths) {
    if (parentOf(path) != prefix) continue;
    std::string candidate = lastComponent(path);
    size_t d = detail::editDistance(name, candidate);
    size_t longest = std::max(name.size(), candidate.size());
    bool prefix_match = std::min(name.size(), candidate.size()) >= 3 &&
                        (startsWith(candidate, name) || startsWith(name, candidate));
    bool close = d <= std::max<size_t>(2, longest / 3) || prefix_match;
    if (close && d < best_distance) {
      best = path;
      best_distance = d;
    }
  }
  if (best.empty()) {
    for (const std::string& path : paths) {
      if (lastComponent(path) == name) {
        best = path;
        break;
      }
    }
  }
  if (!best.empty()) return "unknown key (did you mean '" + best + "'?)";
  std::string known;
  for (const std::string& path : paths) {
    if (parentOf(path) != prefix) continue;
    known += (known.empty() ? "" : ", ") + lastComponent(path);
  }
  return "unknown key (known keys here: " + known + ")";
}

// Walks one YAML document against the schema, writing good values into the Config and recording
// every problem; it never stops at the first so that `config validate` can list them all.
class Loader {
 public:
  Loader(const std::string& source, const EnvLookup& env, std::vector<ConfigProblem>* problems)
      : source_(source), env_(env), problems_(problems) {}

  void loadDocument(const YAML::Node& root, Config* config) {
    if (root.IsNull() || !root.IsDefined()) return;  // empty file or only comments: all defaults
    if (!root.IsMap()) {
      report(lineOf(root, 1), "",
             "the top level must be a mapping of keys such as \"log:\", got " + describeNode(root));
      return;
    }
    walkSection(root, "", config);
  }

  void report(int line, std::string key_path, std::string message) {
    problems_->push_back(ConfigProblem{source_, line, std::move(key_path), std::move(message)});
  }

 private:
  static int lineOf(const YAML::Node& node, int fallback) {
    int line = node.Mark().line;  // 0-based; -1 when yaml-cpp has no position
    return line >= 0 ? line + 1 : fallback;
  }

  void walkSection(const YAML::Node& node, const std::string& prefix, Config* config) {
    std::map<std::string, int> seen;  // name -> line, to catch a key written twice
    for (auto it = node.begin(); it != node.end(); ++it) {
      // Copies, not references: yaml-cpp's iterator-> returns a temporary proxy, so a reference
      // to its first/second dangles (AddressSanitizer: stack-use-after-scope).
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      int key_line = lineOf(key, 0);
      if (!key.IsScalar() || key.Scalar().empty()) {
        report(key_line, prefix, "keys must be plain names, got " + describeNode(key));
        continue;
      }
      const std::string& name = key.Scalar();
      std::string path = joinPath(prefix, name);
      auto [prev, inserted] = seen.emplace(name, key_line);
      if (!inserted) {
        report(key_line, path,
               "duplicate key (first set on line " + std::to_string(prev->second) + ")");
        continue;
      }
      if (name.find('.') != std::string::npos) {
        // Dotted names would otherwise look like a supported shorthand for nesting; they are not.
        report(key_line, path, "unknown key (write nested sections instead of dots in a name)");
        continue;
      }
      if (isSection(path)) {
        if (value.IsNull()) continue;  // "log:" with nothing under it keeps the defaults
        if (!value.IsMap()) {
          report(lineOf(value, key_line), path,
                 "expected a mapping of " + path + ".* keys, got " + describeNode(value));
          continue;
        }
        walkSection(value, path, config);
      } else if (const KeySpec* spec = findKey(path)) {
        applyKey(*spec, value, key_line, config);
      } else {
        report(key_line, path, unknownKeyMessage(prefix, name));
      }
    }
  }

  // Expands ${...} in a scalar and says where the result came from when it differs, so that a bad
  // value pulled from the environment can be traced back to its reference.
  std::optional<std::string> scalarText(const YAML::Node& node, const std::string& key_path,
                                        int line, std::string* origin) {
    const std::string& raw = node.Scalar();
    Result<std::string> expanded = detail::expandEnv(raw, env_);
    if (!expanded) {
      report(line, key_path, expanded.status().message());
      return std::nullopt;
    }
    *origin = expanded.value() == raw ? "" : " (from " + quoteShort(raw) + ")";
    return std::move(expanded).value();
  }

  void applyKey(const KeySpec& spec, const YAML::Node& value, int key_line, Config* config) {
    if (value.IsNull()) return;  // "key:" with no value keeps the default
    const std::string path(spec.path);
    int line = lineOf(value, key_line);
    if (spec.kind == ValueKind::kStringList) {
      applyList(spec, value, line, config);
      return;
    }
    if (!value.IsScalar()) {
      report(line, path, "expected " + kindName(spec.kind) + ", got " + describeNode(value));
      return;
    }
    std::string origin;
    std::optional<std::string> text = scalarText(value, path, line, &origin);
    if (!text) return;
    switch (spec.kind) {
      case ValueKind::kString: {
        if (!passesCheck(spec, *text, path, line)) return;
        std::get<StringField>(spec.field)(*config) = *text;
        return;
      }
      case ValueKind::kEnum: {
        if (!isAllowed(spec, *text, origin, path, line)) return;
        std::get<StringField>(spec.field)(*config) = *text;
        return;
      }
      case ValueKind::kInt: {
        Result<int> parsed = detail::parseInt(*text);
        if (!parsed) {
          bool looks_numeric =
              !text->empty() && text->find_first_not_of("+-0123456789") == std::string::npos;
          if (!looks_numeric) {
            report(line, path, "expected an integer, got " + quoteShort(*text) + origin);
            return;
          }
        }
        if (!parsed || *parsed < spec.min_value || *parsed > spec.max_value) {
          report(line, path,
                 "expected an integer from " + std::to_string(spec.min_value) + " to " +
                     std::to_string(spec.max_value) + ", got " + quoteShort(*text) + origin);
          return;
        }
        std::get<IntField>(spec.field)(*config) = *parsed;
        return;
      }
      case ValueKind::kBool: {
        Result<bool> parsed = detail::parseBool(*text);
        if (!parsed) {
          report(line, path, "expected true or false, got " + quoteShort(*text) + origin);
          return;
        }
        std::get<BoolField>(spec.field)(*config) = *parsed;
        return;
      }
      case ValueKind::kStringList:
        return;
    }
  }

  void applyList(const KeySpec& spec, const YAML::Node& value, int line, Config* config) {
    const std::string path(spec.path);
    if (!value.IsSequence()) {
      report(line, path,
             "expected a list of strings, got " + describeNode(value) +
                 (value.IsScalar() ? " (write [\"a\", \"b\"] or one \"- a\" per line)" : ""));
      return;
    }
    std::vector<std::string> items;
    bool ok = true;
    for (size_t i = 0; i < value.size(); ++i) {
      const YAML::Node item = value[i];
      std::string item_path = path + "[" + std::to_string(i) + "]";
      int item_line = lineOf(item, line);
      if (!item.IsScalar()) {
        report(item_line, item_path, "expected a string, got " + describeNode(item));
        ok = false;
        continue;
      }
      std::string origin;
      std::optional<std::string> text = scalarText(item, item_path, item_line, &origin);
      if (!text || !passesCheck(spec, *text, item_path, item_line)) {
        ok = false;
        continue;
      }
      items.push_back(std::move(*text));
    }
    if (ok) std::get<StringListField>(spec.field)(*config) = std::move(items);
  }

  bool passesCheck(const KeySpec& spec, const std::string& text, const std::string& key_path,
                   int line) {
    if (spec.check == nullptr) return true;
    std::string why = spec.check(text);
    if (why.empty()) return true;
    report(line, key_path, why);
    return false;
  }

  bool isAllowed(const KeySpec& spec, const std::string& text, const std::string& origin,
                 const std::string& key_path, int line) {
    const auto& allowed = spec.allowed_values;
    if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return true;
    std::string choices;
    for (std::string_view a : allowed) choices += (choices.empty() ? "" : ", ") + std::string(a);
    const auto& later = spec.unsupported_values;
    if (std::find(later.begin(), later.end(), text) != later.end()) {
      report(
          line, key_path,
          quoteShort(text) + " is not yet supported by this version (supported: " + choices + ")");
      return false;
    }
    std::string hint;
    std::string lower = toLower(text);
    if (lower != text && std::find(allowed.begin(), allowed.end(), lower) != allowed.end()) {
      hint = " (values are lower case)";
    }
    report(line, key_path,
           "expected one of " + choices + ", got " + quoteShort(text) + origin + hint);
    return false;
  }

  const std::string& source_;
  const EnvLookup& env_;
  std::vector<ConfigProblem>* problems_;
};

std::string joinProblems(const std::vector<ConfigProblem>& problems, size_t from) {
  std::string out;
  for (size_t i = from; i < problems.size(); ++i) {
    if (!out.empty()) out += "\n";
    out += problems[i].toString();
  }
  return out;
}

// A string as a YAML scalar that reads back as the same text: double-quoted (JSON escapes are
// valid YAML) so "true", "null" or "123" stay strings, and "${" escaped so it is not expanded.
std::string yamlString(const std::string& value) {
  std::string escaped;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value.compare(i, 2, "${") == 0) escaped += '$';
    escaped += value[i];
  }
  return jsonQuote(escaped);
}

}  // namespace

std::string ConfigProblem::toString() const {
  std::string out = source;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!key_path.empty()) out += key_path + ": ";
  return out + message;
}

EnvLookup processEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Config> parseConfigCollect(std::string_view yaml_text, const std::string& source_name,
                                  const EnvLookup& env, std::vector<ConfigProblem>* problems) {
  std::vector<ConfigProblem> local;
  std::vector<ConfigProblem>* sink = problems != nullptr ? problems : &local;
  size_t first_new = sink->size();
  Loader loader(source_name, env, sink);
  Config config;
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml_text));
    if (documents.size() > 1) {
      loader.report(0, "",
                    "expected one YAML document, found " + std::to_string(documents.size()) +
                        " (remove the extra \"---\")");
    } else if (!documents.empty()) {
      loader.loadDocument(documents.front(), &config);
    }
  } catch (const YAML::ParserException& e) {
    // yaml-cpp marks are 0-based; editors count from 1.
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    std::string where = e.mark.column >= 0 ? " at column " + std::to_string(e.mark.column + 1) : "";
    loader.report(line, "", "YAML syntax error" + where + ": " + e.msg);
  } catch (const std::exception& e) {
    // Any other yaml-cpp failure is reported, never thrown past this module.
    loader.report(0, "", std::string("cannot read YAML: ") + e.what());
  }
  if (sink->size() > first_new) return Status::invalidArgument(joinProblems(*sink, first_new));
  return config;
}

Result<Config> parseConfig(std::string_view yaml_text, const std::string& source_name,
                           const EnvLookup& env) {
  return parseConfigCollect(yaml_text, source_name, env, nullptr);
}

Result<Config> loadConfigFile(const std::string& path) {
  Result<std::string> text = readFile(path);
  if (!text) return text.status().withContext("loading config");
  return parseConfig(text.value(), path, processEnv());
}

std::string configToYaml(const Config& config) {
  std::string out;
  std::string open_section;  // sections already written, as a dotted path
  for (const KeySpec& spec : configSchema()) {
    std::string section = parentOf(spec.path);
    // Open each section on the way from the common parent down to this key's section.
    if (section != open_section) {
      std::vector<std::string> want =
          section.empty() ? std::vector<std::string>{} : split(section, '.');
      std::vector<std::string> have =
          open_section.empty() ? std::vector<std::string>{} : split(open_section, '.');
      size_t common = 0;
      while (common < want.size() && common < have.size() && want[common] == have[common]) {
        ++common;
      }
      for (size_t depth = common; depth < want.size(); ++depth) {
        out += std::string(depth * 2, ' ') + want[depth] + ":\n";
      }
      open_section = section;
    }
    std::string indent(
        section.empty() ? 0 : (std::count(section.begin(), section.end(), '.') + 1) * 2, ' ');
    std::string name = lastComponent(spec.path);
    switch (spec.kind) {
      case ValueKind::kString:
      case ValueKind::kEnum:
        out += indent + name + ": " + yamlString(readScalar(spec, config)) + "\n";
        break;
      case ValueKind::kInt:
      case ValueKind::kBool:
        out += indent + name + ": " + readScalar(spec, config) + "\n";
        break;
      case ValueKind::kStringList: {
        std::vector<std::string> items = readList(spec, config);
        if (items.empty()) {
          out += indent + name + ": []\n";
          break;
        }
        out += indent + name + ":\n";
        for (const std::string& item : items) out += indent + "  - " + yamlString(item) + "\n";
        break;
      }
    }
  }
  return out;
}

std::vector<std::string> diffConfigs(const Config& a, const Config& b) {
  std::vector<std::string> out;
  for (const KeySpec& spec : configSchema()) {
    bool same = spec.kind == ValueKind::kStringList ? readList(spec, a) == readList(spec, b)
                                                    : readScalar(spec, a) == readScalar(spec, b);
    if (!same) out.emplace_back(spec.path);
  }
  return out;
}

}  // namespace ht::config
