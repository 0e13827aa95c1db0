#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

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
      if (const CollectionSpec* collection = findCollection(path)) {
        if (value.IsNull()) continue;
        if (!value.IsMap()) {
          report(lineOf(value, key_line), path,
                 "expected a mapping of " + std::string(collection->noun) +
                     " names, each with its settings, got " + describeNode(value));
          continue;
        }
        walkCollection(*collection, value, config);
      } else if (isSection(path)) {
        if (value.IsNull()) continue;  // "log:" with nothing under it keeps the defaults
        if (!value.IsMap()) {
          report(lineOf(value, key_line), path,
                 "expected a mapping of " + path + ".* keys, got " + describeNode(value));
          continue;
        }
        walkSection(value, path, config);
      } else if (const KeySpec* spec = findKey(path)) {
        key_lines_[path] = key_line;
        applyKey(*spec, value, key_line, config);
      } else {
        report(key_line, path, unknownKeyMessage(prefix, name));
      }
    }
  }

  // Each key under a collection is an entry name; its value holds the entry's own keys.
  void walkCollection(const CollectionSpec& collection, const YAML::Node& node, Config* config) {
    const std::string base(collection.path);
    std::map<std::string, int> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      int key_line = lineOf(key, 0);
      if (!key.IsScalar() || !isEntryName(key.Scalar())) {
        report(key_line, base,
               std::string(collection.noun) +
                   " names are 1 to 64 letters, digits, '-' or '_', got " + describeNode(key));
        continue;
      }
      const std::string& name = key.Scalar();
      std::string entry = base + "." + name;
      auto [prev, inserted] = seen.emplace(name, key_line);
      if (!inserted) {
        report(key_line, entry,
               "duplicate " + std::string(collection.noun) + " (first on line " +
                   std::to_string(prev->second) + ")");
        continue;
      }
      if (!value.IsNull() && !value.IsMap()) {
        report(lineOf(value, key_line), entry,
               "expected a mapping of settings, got " + describeNode(value));
        continue;
      }
      size_t item = collection.add(*config);
      collection.name(*config, item) = name;
      entry_lines_[entry] = key_line;
      if (value.IsNull()) continue;
      for (auto field = value.begin(); field != value.end(); ++field) {
        const YAML::Node field_key = field->first;
        const YAML::Node field_value = field->second;
        int field_line = lineOf(field_key, key_line);
        if (!field_key.IsScalar() || field_key.Scalar().empty()) {
          report(field_line, entry, "keys must be plain names, got " + describeNode(field_key));
          continue;
        }
        const std::string& field_name = field_key.Scalar();
        std::string shown = entry + "." + field_name;
        if (const KeySpec* spec = findKey(base + ".*." + field_name)) {
          applyKey(*spec, field_value, field_line, config, item, shown);
        } else {
          std::string message = unknownKeyMessage(base + ".*", field_name);
          report(field_line, shown, replaceAll(message, base + ".*.", entry + "."));
        }
      }
    }
  }

  static bool isEntryName(const std::string& name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
  }

 public:
  // Checks that span keys: names that refer to other entries, and the settings each output or
  // action type needs. Runs after the whole document is read.
  void checkReferences(const Config& c) {
    const AlertsOptions& a = c.alerts;
    auto line = [&](const std::string& entry) {
      auto it = entry_lines_.find(entry);
      return it == entry_lines_.end() ? 0 : it->second;
    };
    auto hasOutput = [&](const std::string& n) {
      return std::any_of(a.outputs.begin(), a.outputs.end(),
                         [&](const OutputOptions& o) { return o.name == n; });
    };
    auto hasAction = [&](const std::string& n) {
      return std::any_of(a.actions.begin(), a.actions.end(),
                         [&](const ActionOptions& o) { return o.name == n; });
    };
    auto hasRoute = [&](const std::string& n) {
      return std::any_of(a.routes.begin(), a.routes.end(),
                         [&](const RouteOptions& o) { return o.name == n; });
    };
    auto names = [](const auto& entries) {
      std::string out;
      for (const auto& e : entries) out += (out.empty() ? "" : ", ") + e.name;
      return out.empty() ? std::string("none") : out;
    };
    for (const OutputOptions& o : a.outputs) {
      std::string entry = "alerts.outputs." + o.name;
      if (troubled(entry)) continue;
      int at = line(entry);
      if (o.type.empty()) {
        report(at, entry + ".type",
               "every output needs a type (webhook, slack, teams, pagerduty, jira, email, syslog, "
               "file)");
        continue;
      }
      bool web = o.type == "webhook" || o.type == "slack" || o.type == "teams";
      bool http_url =
          o.url.empty() || startsWith(o.url, "http://") || startsWith(o.url, "https://");
      if (web && o.url.empty() && o.url_env.empty()) {
        report(at, entry, "a " + o.type + " output needs url or url_env");
      }
      if ((web || o.type == "pagerduty" || o.type == "jira") && !http_url) {
        report(at, entry + ".url", "a " + o.type + " output needs an http:// or https:// URL");
      }
      if (o.type == "pagerduty" && o.secret_env.empty()) {
        report(at, entry,
               "a pagerduty output needs secret_env (the variable holding the routing key)");
      }
      if (o.type == "jira") {
        if (o.url.empty())
          report(at, entry,
                 "a jira output needs url (the site, e.g. https://example.atlassian.net)");
        if (o.jira_project.empty()) report(at, entry, "a jira output needs jira_project");
        if (o.username.empty() || o.secret_env.empty()) {
          report(at, entry,
                 "a jira output needs username and secret_env (the API token's variable)");
        }
      }
      if (o.type == "email") {
        if (!startsWith(o.url, "smtp://") && !startsWith(o.url, "smtps://")) {
          report(at, entry + ".url", "an email output needs an smtp:// or smtps:// URL");
        }
        if (o.email_from.empty() || o.email_to.empty()) {
          report(at, entry, "an email output needs email_from and email_to");
        }
      }
      if (o.type == "syslog" && !startsWith(o.url, "udp://") && !startsWith(o.url, "tcp://") &&
          !startsWith(o.url, "unix://")) {
        report(at, entry + ".url",
               "a syslog output needs url udp://host:port, tcp://host:port or unix:///dev/log");
      }
      if (o.type == "file" && o.path.empty()) {
        report(at, entry, "a file output needs path (\"-\" for standard output)");
      }
    }
    for (const RouteOptions& r : a.routes) {
      std::string entry = "alerts.routes." + r.name;
      if (troubled(entry)) continue;
      if (r.outputs.empty() && r.actions.empty()) {
        report(line(entry), entry, "a route needs outputs (or actions)");
      }
      for (const std::string& o : r.outputs) {
        if (!hasOutput(o)) {
          report(line(entry), entry + ".outputs",
                 "no output named " + jsonQuote(o) + " (outputs: " + names(a.outputs) + ")");
        }
      }
      for (const std::string& o : r.actions) {
        if (!hasAction(o)) {
          report(line(entry), entry + ".actions",
                 "no action named " + jsonQuote(o) + " (actions: " + names(a.actions) + ")");
        }
      }
    }
    for (const QuietOptions& q : a.quiet) {
      std::string entry = "alerts.quiet." + q.name;
      if (troubled(entry)) continue;
      if (q.source_ips.empty() && q.user_agents.empty() && q.tokens.empty()) {
        report(
            line(entry), entry,
            "a quiet rule needs source_ips, user_agents or tokens (it would silence everything)");
      }
      if (q.expires.empty()) {
        report(line(entry), entry + ".expires",
               "a quiet rule needs expires (a forgotten silence hides real attacks)");
      }
      for (const std::string& r : q.routes) {
        if (!hasRoute(r)) {
          report(line(entry), entry + ".routes",
                 "no route named " + jsonQuote(r) + " (routes: " + names(a.routes) + ")");
        }
      }
    }
    for (const ActionOptions& x : a.actions) {
      std::string entry = "alerts.actions." + x.name;
      if (troubled(entry)) continue;
      if (!x.type) {
        report(line(entry), entry + ".type", "every action needs a type (command or webhook)");
        continue;
      }
      switch (*x.type) {
        case ActionType::kCommand:
          if (x.command.empty()) {
            report(line(entry), entry + ".command",
                   "a command action needs command (the program and its arguments, as a list)");
          }
          break;
        case ActionType::kWebhook:
          if (x.url.empty()) report(line(entry), entry + ".url", "a webhook action needs url");
          break;
      }
    }
    for (const RunbookOptions& r : a.runbooks) {
      std::string entry = "alerts.runbooks." + r.name;
      if (troubled(entry)) continue;
      if (r.markdown.empty() == r.file.empty()) {
        report(line(entry), entry, "a runbook needs exactly one of markdown or file");
      }
    }
  }

  // Settings an enabled source cannot run without. Whether the variables they name are set is
  // checked by serve at start, on the host that runs it (as for the alert outputs' secret_env).
  // A config that enables no source is valid: the CLI alone needs none.
  void checkSources(const Config& c) {
    const SourcesOptions& s = c.sources;
    if (s.s3.enabled && s.s3.bucket.empty()) {
      requireKey("sources.s3.bucket", "sources.s3.enabled",
                 "required when sources.s3.enabled is true (the bucket the trail writes to)");
    }
    if (s.sqs.enabled && s.sqs.queue_url.empty()) {
      requireKey("sources.sqs.queue_url", "sources.sqs.enabled",
                 "required when sources.sqs.enabled is true (the queue that receives the "
                 "trail's new-file notices)");
    }
    if (s.push.enabled && !s.push.eventbridge_basic_user.empty() &&
        s.push.eventbridge_basic_password_env.empty()) {
      requireKey("sources.push.eventbridge_basic_password_env",
                 "sources.push.eventbridge_basic_user",
                 "required when sources.push.eventbridge_basic_user is set (the variable that "
                 "holds the password)");
    }
  }

 private:
  // An entry or key with a bad value already reported is not checked again: the bad value was not
  // applied, and "needs X" on top of "X is invalid" would only confuse.
  bool troubled(const std::string& path) const {
    return std::any_of(problems_->begin(), problems_->end(), [&](const ConfigProblem& p) {
      return p.key_path == path || startsWith(p.key_path, path + ".");
    });
  }

  // Reports `key` as missing where the file sets it (to ""), else where it sets `because`, the key
  // that makes it required.
  void requireKey(const std::string& key, const std::string& because, const std::string& message) {
    if (troubled(key)) return;
    auto it = key_lines_.find(key);
    if (it == key_lines_.end()) it = key_lines_.find(because);
    report(it == key_lines_.end() ? 0 : it->second, key, message);
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

  // item and shown_path apply to keys of a collection entry (shown_path names the entry).
  void applyKey(const KeySpec& spec, const YAML::Node& value, int key_line, Config* config,
                size_t item = 0, const std::string& shown_path = "") {
    if (value.IsNull()) return;  // "key:" with no value keeps the default
    const std::string path = shown_path.empty() ? std::string(spec.path) : shown_path;
    int line = lineOf(value, key_line);
    if (spec.kind == ValueKind::kStringList) {
      applyList(spec, value, line, config, item, path);
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
        std::get<StringField>(spec.field)(*config, item) = *text;
        return;
      }
      case ValueKind::kEnum: {
        if (!isAllowed(spec, *text, origin, path, line)) return;
        if (const auto* typed = std::get_if<TypedEnumField>(&spec.field)) {
          // The allowed values are the enum's names, so this holds; a mismatch is a schema bug.
          const bool parsed = typed->write(*config, item, *text);
          HT_CHECK(parsed);
          return;
        }
        std::get<StringField>(spec.field)(*config, item) = *text;
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
        std::get<IntField>(spec.field)(*config, item) = *parsed;
        return;
      }
      case ValueKind::kBool: {
        Result<bool> parsed = detail::parseBool(*text);
        if (!parsed) {
          report(line, path, "expected true or false, got " + quoteShort(*text) + origin);
          return;
        }
        std::get<BoolField>(spec.field)(*config, item) = *parsed;
        return;
      }
      case ValueKind::kStringList:
        return;
    }
  }

  void applyList(const KeySpec& spec, const YAML::Node& value, int line, Config* config,
                 size_t item, const std::string& path) {
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
    if (ok) std::get<StringListField>(spec.field)(*config, item) = std::move(items);
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
  std::map<std::string, int> entry_lines_;  // "alerts.outputs.pager" -> line of its name
  std::map<std::string, int> key_lines_;    // "sources.s3.bucket" -> line of the key
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
      loader.checkReferences(config);
      loader.checkSources(config);
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

void writeKey(const KeySpec& spec, const Config& config, size_t item, const std::string& indent,
              const std::string& name, std::string* out) {
  switch (spec.kind) {
    case ValueKind::kString:
    case ValueKind::kEnum:
      *out += indent + name + ": " + yamlString(readScalar(spec, config, item)) + "\n";
      break;
    case ValueKind::kInt:
    case ValueKind::kBool:
      *out += indent + name + ": " + readScalar(spec, config, item) + "\n";
      break;
    case ValueKind::kStringList: {
      std::vector<std::string> items = readList(spec, config, item);
      if (items.empty()) {
        *out += indent + name + ": []\n";
        break;
      }
      *out += indent + name + ":\n";
      for (const std::string& text : items) *out += indent + "  - " + yamlString(text) + "\n";
      break;
    }
  }
}

std::string configToYaml(const Config& config) {
  std::string out;
  std::string open_section;  // sections already written, as a dotted path
  std::set<std::string_view> collections_written;
  for (const KeySpec& spec : configSchema()) {
    const CollectionSpec* collection = collectionOf(spec);
    if (collection != nullptr && collections_written.count(collection->path)) continue;
    std::string section = parentOf(collection != nullptr ? collection->path : spec.path);
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
    if (collection == nullptr) {
      writeKey(spec, config, 0, indent, lastComponent(spec.path), &out);
      continue;
    }
    // The whole collection at once: each entry with every key of its shape.
    collections_written.insert(collection->path);
    size_t count = collection->count(config);
    out += indent + lastComponent(collection->path) + ":" + (count == 0 ? " {}\n" : "\n");
    std::string prefix = std::string(collection->path) + ".*.";
    for (size_t item = 0; item < count; ++item) {
      out +=
          indent + "  " + yamlString(collection->name(const_cast<Config&>(config), item)) + ":\n";
      for (const KeySpec& field : configSchema()) {
        if (!startsWith(field.path, prefix)) continue;
        writeKey(field, config, item, indent + "    ", lastComponent(field.path), &out);
      }
    }
  }
  return out;
}

std::vector<std::string> diffConfigs(const Config& a, const Config& b) {
  std::vector<std::string> out;
  std::set<std::string_view> reshaped;  // collections whose entries differ in number or name
  for (const CollectionSpec& c : configCollections()) {
    size_t n = c.count(a);
    bool same = n == c.count(b);
    for (size_t i = 0; same && i < n; ++i) {
      same = c.name(const_cast<Config&>(a), i) == c.name(const_cast<Config&>(b), i);
    }
    if (!same) reshaped.insert(c.path);
  }
  for (const KeySpec& spec : configSchema()) {
    const CollectionSpec* c = collectionOf(spec);
    auto differs = [&](size_t item) {
      return spec.kind == ValueKind::kStringList
                 ? readList(spec, a, item) != readList(spec, b, item)
                 : readScalar(spec, a, item) != readScalar(spec, b, item);
    };
    if (c == nullptr) {
      if (differs(0)) out.emplace_back(spec.path);
      continue;
    }
    if (reshaped.count(c->path)) {
      if (std::find(out.begin(), out.end(), c->path) == out.end()) out.emplace_back(c->path);
      continue;
    }
    for (size_t i = 0; i < c->count(a); ++i) {
      if (differs(i)) out.push_back(entryPath(spec.path, c->name(const_cast<Config&>(a), i)));
    }
  }
  return out;
}

}  // namespace ht::config
