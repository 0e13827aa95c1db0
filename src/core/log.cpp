#include "core/log.h"

#include <cstdio>
#include <mutex>

#include "core/clock.h"
#include "core/strings.h"

namespace ht::log {
namespace {

struct State {
  std::mutex mu;
  Level level = Level::kInfo;
  Format format = Format::kPlain;
  std::function<void(const std::string&)> sink;
};

State& state() {
  static State s;
  return s;
}

bool isB64(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

bool parseLevel(std::string_view text, Level* out) {
  if (text == "debug")
    *out = Level::kDebug;
  else if (text == "info")
    *out = Level::kInfo;
  else if (text == "warn" || text == "warning")
    *out = Level::kWarn;
  else if (text == "error")
    *out = Level::kError;
  else
    return false;
  return true;
}

bool parseFormat(std::string_view text, Format* out) {
  if (text == "plain")
    *out = Format::kPlain;
  else if (text == "json")
    *out = Format::kJson;
  else
    return false;
  return true;
}

const char* levelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

void setLevel(Level level) {
  std::lock_guard lock(state().mu);
  state().level = level;
}
void setFormat(Format format) {
  std::lock_guard lock(state().mu);
  state().format = format;
}
void setSink(std::function<void(const std::string&)> sink) {
  std::lock_guard lock(state().mu);
  state().sink = std::move(sink);
}

std::string redactSecrets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!isB64(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    size_t j = i;
    bool upper = false, lower = false, digit = false;
    while (j < text.size() && isB64(text[j])) {
      char c = text[j];
      upper |= (c >= 'A' && c <= 'Z');
      lower |= (c >= 'a' && c <= 'z');
      digit |= (c >= '0' && c <= '9');
      ++j;
    }
    if (j - i == 40 && upper && lower && digit) {
      out += "[REDACTED]";
    } else {
      out.append(text.substr(i, j - i));
    }
    i = j;
  }
  return out;
}

void write(Level level, std::string_view message, const Fields& fields) {
  State& s = state();
  std::lock_guard lock(s.mu);
  if (level < s.level) return;
  std::string line;
  std::string ts = formatTime(SystemClock::instance().now());
  if (s.format == Format::kJson) {
    line = "{\"ts\":\"" + ts + "\",\"level\":\"" + levelName(level) +
           "\",\"msg\":" + jsonQuote(redactSecrets(message));
    for (const auto& [k, v] : fields) {
      line += "," + jsonQuote(k) + ":" + jsonQuote(redactSecrets(v));
    }
    line += "}";
  } else {
    line = ts + " " + levelName(level) + " " + redactSecrets(message);
    for (const auto& [k, v] : fields) line += " " + k + "=" + redactSecrets(v);
  }
  if (s.sink) {
    s.sink(line);
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

}  // namespace ht::log
