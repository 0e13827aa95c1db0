#include "ingest/reader.h"

#include <glob.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/files.h"
#include "ingest/base64.h"
#include "ingest/gzip.h"

namespace ht::ingest {
namespace {

namespace od = simdjson::ondemand;
constexpr size_t kPad = simdjson::SIMDJSON_PADDING;
// The validating walk recurses once per nesting level, so the configured depth is capped to
// keep the stack small whatever the options say.
constexpr int kHardMaxDepth = 4096;

bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Up to 40 bytes of input, printable ASCII only, so a problem message can never carry a whole
// record (or a secret in one) into logs.
std::string excerpt(std::string_view text, size_t offset) {
  std::string out = "'";
  for (size_t i = offset; i < text.size() && i < offset + 40; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.');
  }
  out += "'";
  return out;
}

// Offsets of the first byte of each malformed UTF-8 sequence. Only called once simdjson's fast
// validator has said the text is bad, so speed does not matter here.
std::vector<size_t> invalidUtf8Offsets(std::string_view s) {
  std::vector<size_t> bad;
  size_t i = 0;
  auto cont = [&](size_t j) {
    return j < s.size() && (static_cast<unsigned char>(s[j]) & 0xc0) == 0x80;
  };
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
    }
    bool ok = n > 0;
    for (size_t k = 1; ok && k <= n; ++k) ok = cont(i + k);
    if (ok && n >= 2) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) ||
          (c == 0xf4 && c1 > 0x8f)) {
        ok = false;
      }
    }
    if (ok) {
      i += n + 1;
    } else {
      bad.push_back(i);
      ++i;
    }
  }
  return bad;
}

// What the first pass over an object's keys found; enough to tell the wrappers apart.
struct Keys {
  bool event_version = false;
  bool event_name = false;
  bool event_source = false;
  bool detail = false;
  bool has_detail_type = false;
  bool message_type = false;
  bool cloudtrail_event = false;
  bool s3_object_key = false;
  std::string detail_type;
  std::string message_type_value;
  std::string first_keys;
  bool looksLikeRecord() const { return event_version || (event_name && event_source); }
};

enum class Walk { kOk, kTooDeep, kError };

class Reader {
 public:
  Reader(const std::string& source, RecordSink& sink, const ReadOptions& options)
      : source_(source), sink_(sink), options_(options) {
    max_depth_ = std::clamp(options.max_depth, 1, kHardMaxDepth);
  }

  void problem(const char* kind, uint64_t offset, std::string message) {
    ++problems_;
    if (first_problem_.empty()) first_problem_ = message;
    sink_.problem(InputProblem{source_, offset, kind, std::move(message)});
  }

  // text must stay readable for `capacity` bytes from its start (simdjson reads past the end).
  void readText(std::string_view text, size_t capacity) {
    text_ = text;
    capacity_ = capacity;
    std::string sanitized;
    if (!simdjson::validate_utf8(text.data(), text.size())) {
      // simdjson rejects a whole document for one bad byte; replacing each bad byte with '?'
      // keeps the structure, so every record that does not contain one can still be read.
      bad_utf8_ = invalidUtf8Offsets(text);
      sanitized.reserve(text.size() + kPad);
      sanitized.assign(text);
      for (size_t off : bad_utf8_) sanitized[off] = '?';
      text_ = sanitized;
      capacity_ = sanitized.capacity();
    }
    size_t pos = 0;
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
    while (pos < text_.size() && isSpace(text_[pos])) ++pos;
    if (pos >= text_.size()) {
      reportUncoveredUtf8();
      return;
    }
    if (text_[pos] != '{' && text_[pos] != '[') {
      problem("not-cloudtrail", pos, "not JSON (starts with " + excerpt(text_, pos) + ")");
      return;
    }
    size_t eol = text_.find('\n', pos);
    size_t line_end = eol == std::string_view::npos ? text_.size() : eol;
    size_t last = line_end;
    while (last > pos && isSpace(text_[last - 1])) --last;
    lines_mode_ = text_[pos] == '{' && text_[last - 1] == '}' && line_end < text_.size();
    if (lines_mode_) {
      readLines(pos);
    } else {
      readSegment(pos, text_.size(), /*first_in_input=*/true);
    }
    reportUncoveredUtf8();
  }

  uint64_t records() const { return records_; }
  uint64_t problems() const { return problems_; }
  const std::string& firstProblem() const { return first_problem_; }
  Format detected() const { return detected_; }

 private:
  void readLines(size_t pos) {
    while (pos < text_.size()) {
      size_t eol = text_.find('\n', pos);
      size_t end = eol == std::string_view::npos ? text_.size() : eol;
      size_t s = pos;
      size_t e = end;
      while (s < e && isSpace(text_[s])) ++s;
      while (e > s && isSpace(text_[e - 1])) --e;
      pos = end + 1;
      if (s == e) continue;
      // A huge line is skipped unparsed so that memory stays bounded by the input; only a line
      // that is itself a whole wrapper (a compact delivery file) may exceed the record limit.
      if (e - s > options_.max_record_bytes && !startsLikeWrapper(s)) {
        ++item_index_;
        problem("too-large", s,
                "a record of " + std::to_string(e - s) + " bytes exceeds the limit of " +
                    std::to_string(options_.max_record_bytes) + " (line skipped)");
        continue;
      }
      readSegment(s, e, /*first_in_input=*/false);
    }
  }

  bool startsLikeWrapper(size_t s) const {
    std::string_view head = text_.substr(s, 64);
    return head.find("\"Records\"") != std::string_view::npos ||
           head.find("\"messageType\"") != std::string_view::npos ||
           head.find("\"Events\"") != std::string_view::npos;
  }

  // Parses the JSON documents in [begin, end): one per line in lines mode, possibly several
  // concatenated ones (Firehose writes payloads back to back).
  void readSegment(size_t begin, size_t end, bool first_in_input) {
    size_t pos = begin;
    while (pos < end) {
      while (pos < end && isSpace(text_[pos])) ++pos;
      if (pos >= end) return;
      const char* data = text_.data() + pos;
      size_t len = end - pos;
      if (pos + len + kPad <= capacity_) {
        seg_ptr_ = data;
      } else {
        scratch_.reserve(len + kPad);
        scratch_.assign(data, len);
        seg_ptr_ = scratch_.data();
      }
      seg_offset_ = pos;
      seg_end_ = end;
      od::document doc;
      auto err = parser_.iterate(simdjson::padded_string_view(seg_ptr_, len, len + kPad)).get(doc);
      if (err) {
        if (!lines_mode_ && repairTruncated(pos, end)) return;
        invalidJson(pos, first_in_input, simdjson::error_message(err));
        return;
      }
      doc_ = &doc;
      at_root_start_ = !lines_mode_;
      root_error_ = simdjson::SUCCESS;
      bool alive = handleRoot(doc);
      at_root_start_ = false;
      doc_ = nullptr;
      if (root_error_ != simdjson::SUCCESS) {
        if (repairTruncated(pos, end)) return;
        invalidJson(pos, first_in_input, simdjson::error_message(root_error_));
        return;
      }
      if (!alive) return;
      const char* next = nullptr;
      if (doc.current_location().get(next)) return;  // at the end: the usual case
      pos = offsetOf(next);
      first_in_input = false;
    }
  }

  // A delivery file cut short (a truncated download or gzip stream) fails as a whole in
  // simdjson. Its complete records are still worth having: cut after the last one that closes
  // directly inside the top-level array, close the brackets still open, and read that.
  bool repairTruncated(size_t begin, size_t end) {
    std::vector<char> stack;
    std::vector<char> cut_stack;
    size_t cut = 0;
    bool in_string = false;
    for (size_t i = begin; i < end; ++i) {
      char c = text_[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        stack.push_back(c);
        if (stack.size() > static_cast<size_t>(max_depth_) + 2) return false;
      } else if (c == '}' || c == ']') {
        if (stack.empty()) return false;
        stack.pop_back();
        size_t container_depth = text_[begin] == '{' ? 2 : 1;
        if (stack.size() == container_depth) {
          cut = i + 1;
          cut_stack = stack;
        }
      }
    }
    if (cut == 0 || (stack.empty() && !in_string)) return false;
    std::string repaired(text_.substr(begin, cut - begin));
    for (auto it = cut_stack.rbegin(); it != cut_stack.rend(); ++it) {
      repaired.push_back(*it == '{' ? '}' : ']');
    }
    repaired_.reserve(repaired.size() + kPad);
    repaired_.assign(repaired);
    seg_ptr_ = repaired_.data();
    seg_offset_ = begin;
    seg_end_ = cut;
    od::document doc;
    if (parser_
            .iterate(simdjson::padded_string_view(repaired_.data(), repaired_.size(),
                                                  repaired_.size() + kPad))
            .get(doc)) {
      return false;
    }
    doc_ = &doc;
    handleRoot(doc);
    doc_ = nullptr;
    problem("invalid-json", cut,
            "the input ends inside a JSON value at byte " + std::to_string(end) +
                " (truncated?); records up to byte " + std::to_string(cut) + " were read");
    return true;
  }

  size_t offsetOf(const char* p) const { return seg_offset_ + static_cast<size_t>(p - seg_ptr_); }

  size_t errorOffset(size_t fallback) {
    const char* where = nullptr;
    if (doc_ != nullptr && !doc_->current_location().get(where)) return offsetOf(where);
    if (doc_ != nullptr && where != nullptr) return offsetOf(where);
    return fallback;
  }

  void invalidJson(size_t offset, bool first_in_input, const char* what) {
    if (first_in_input && !classified_) {
      // The file as a whole is not CloudTrail, so the problem points at its start.
      problem("not-cloudtrail", seg_offset_,
              "not CloudTrail: invalid JSON at byte " + std::to_string(offset) + " (" + what +
                  ") near " + excerpt(text_, offset));
    } else {
      problem("invalid-json", offset,
              "invalid JSON at byte " + std::to_string(offset) + " (" + what + ") near " +
                  excerpt(text_, offset));
    }
  }

  // Returns false when the document can no longer be iterated.
  bool failed(simdjson::error_code err, size_t fallback) {
    if (at_root_start_) {
      // Left to readSegment, which may still recover a truncated file.
      root_error_ = err;
      return false;
    }
    size_t off = errorOffset(fallback);
    invalidJson(off, !classified_, simdjson::error_message(err));
    return false;
  }

  void classify(Format f) {
    classified_ = true;
    if (detected_ == Format::kUnknown) detected_ = f;
  }

  bool handleRoot(od::document& doc) {
    od::value root;
    if (auto err = doc.get_value().get(root)) return failed(err, seg_offset_);
    return handleItem(root, /*at_root=*/true);
  }

  // An item is a root value or an element of a root array.
  bool handleItem(od::value& v, bool at_root) {
    od::json_type type;
    if (auto err = v.type().get(type)) return failed(err, seg_offset_);
    std::string_view token = v.raw_json_token();
    size_t start = offsetOf(token.data());
    if (type == od::json_type::object) {
      od::object obj;
      if (auto err = v.get_object().get(obj)) return failed(err, start);
      at_root_start_ = false;
      return handleObject(obj, start);
    }
    if (type == od::json_type::array && at_root) {
      od::array arr;
      if (auto err = v.get_array().get(arr)) return failed(err, start);
      at_root_start_ = false;
      for (auto element : arr) {
        od::value ev;
        if (auto err = element.get(ev)) return failed(err, start);
        if (!handleItem(ev, false)) return false;
      }
      return true;
    }
    return notAnObject(v, start, at_root ? "the input" : "an array element");
  }

  // Reports a non-object where a record was expected: too-deep if it is deeply nested (found
  // by the same bounded walk, so ten thousand brackets cost no stack), not-an-object otherwise.
  bool notAnObject(od::value& v, size_t start, const char* what) {
    ++item_index_;
    Walk w = walkValue(v, 1);
    if (w == Walk::kError) return failed(walk_error_, start);
    if (w == Walk::kTooDeep) {
      problem("too-deep", start,
              std::string(what) + " nests deeper than " + std::to_string(max_depth_) + " levels");
      return true;
    }
    problem("not-an-object", start,
            std::string(what) + " is not a JSON object: " + excerpt(text_, start));
    return true;
  }

  bool handleObject(od::object& obj, size_t start) {
    Keys keys;
    bool acted = false;
    // First pass: the decisive container keys are handled on sight so a delivery file is
    // walked once; everything else only notes which keys are present.
    for (auto f : obj) {
      od::field field;
      if (auto err = std::move(f).get(field)) return failed(err, start);
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return failed(err, start);
      if (keys.first_keys.size() < 60) keys.first_keys += std::string(key) + " ";
      if (key == "Records" || key == "Events" || key == "logEvents") {
        od::json_type t;
        if (auto err = field.value().type().get(t)) return failed(err, start);
        if (t != od::json_type::array) continue;
        if (key == "logEvents" && !(keys.message_type && keys.message_type_value == "DATA_MESSAGE"))
          continue;
        Format f = key == "Records"  ? Format::kCloudTrailFile
                   : key == "Events" ? Format::kLookupEvents
                                     : Format::kCloudWatchLogs;
        classify(f);
        acted = true;
        if (!handleContainerArray(field.value(), f, start)) return false;
      } else if (key == "eventVersion") {
        keys.event_version = true;
      } else if (key == "eventName") {
        keys.event_name = true;
      } else if (key == "eventSource") {
        keys.event_source = true;
      } else if (key == "detail") {
        keys.detail = true;
      } else if (key == "detail-type") {
        keys.has_detail_type = true;
        std::string_view s;
        if (!field.value().get_string().get(s)) keys.detail_type = s;
      } else if (key == "messageType") {
        keys.message_type = true;
        std::string_view s;
        if (!field.value().get_string().get(s)) keys.message_type_value = s;
      } else if (key == "CloudTrailEvent") {
        keys.cloudtrail_event = true;
      } else if (key == "s3ObjectKey") {
        keys.s3_object_key = true;
      } else if (key == "Message") {
        std::string_view s;
        if (!field.value().get_string().get(s) && s.find("s3ObjectKey") != std::string_view::npos)
          keys.s3_object_key = true;
      }
    }
    if (acted) return true;

    if (keys.message_type) {
      classify(Format::kCloudWatchLogs);
      if (keys.message_type_value == "CONTROL_MESSAGE") return true;  // a liveness probe
      if (keys.message_type_value != "DATA_MESSAGE") {
        problem("not-cloudtrail", start,
                "a CloudWatch Logs payload of messageType '" + keys.message_type_value +
                    "', not DATA_MESSAGE");
      }
      return true;  // DATA_MESSAGE without logEvents: nothing to read
    }
    if (keys.cloudtrail_event) {
      classify(Format::kLookupEvents);
      return secondPass(obj, start, "CloudTrailEvent", Format::kLookupEvents, true);
    }
    if (keys.detail && !keys.looksLikeRecord()) {
      Format f = lines_mode_ ? Format::kJsonLines : Format::kEventBridge;
      // "AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail", ... carry a
      // record; other detail-types (and samples without one) only if the detail has the three
      // keys every CloudTrail record has.
      bool cloudtrail = keys.detail_type.find("via CloudTrail") != std::string::npos;
      detail_type_ = keys.has_detail_type ? keys.detail_type.substr(0, 80) : "(none)";
      envelope_start_ = start;
      return secondPass(obj, start, "detail", f, false, /*require_record_keys=*/!cloudtrail);
    }
    if (keys.looksLikeRecord()) {
      classify(Format::kJsonLines);
      if (auto err = obj.reset().error()) return failed(err, start);
      return emitWalkedObject(obj, start, Format::kJsonLines);
    }
    ++item_index_;
    if (keys.s3_object_key) {
      problem("not-cloudtrail", start,
              "a CloudTrail delivery notice (s3ObjectKey names the log files to fetch), not "
              "records");
    } else {
      problem(
          "not-cloudtrail", start,
          "a JSON object that is no CloudTrail record or wrapper (keys: " + keys.first_keys + ")");
    }
    return true;
  }

  // Re-reads the object for the one field that carries the record.
  bool secondPass(od::object& obj, size_t start, std::string_view wanted, Format f, bool embedded,
                  bool require_record_keys = false) {
    if (auto err = obj.reset().error()) return failed(err, start);
    for (auto fr : obj) {
      od::field field;
      if (auto err = std::move(fr).get(field)) return failed(err, start);
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return failed(err, start);
      if (key != wanted) continue;
      if (embedded) {
        std::string_view s;
        if (field.value().get_string().get(s)) {
          ++item_index_;
          problem("wrong-type", start, std::string(wanted) + " is not a string");
          continue;
        }
        emitEmbedded(s, start, f);
      } else if (!handleRecordValue(field.value(), f, require_record_keys)) {
        return false;
      }
    }
    return true;
  }

  bool handleContainerArray(od::value& v, Format f, size_t start) {
    od::array arr;
    if (auto err = v.get_array().get(arr)) return failed(err, start);
    for (auto element : arr) {
      od::value ev;
      if (auto err = element.get(ev)) return failed(err, start);
      if (f == Format::kCloudTrailFile) {
        if (!handleRecordValue(ev, f, false)) return false;
        continue;
      }
      // LookupEvents and CloudWatch elements carry the record as an escaped string.
      std::string_view token = ev.raw_json_token();
      size_t el_start = offsetOf(token.data());
      od::object obj;
      if (ev.get_object().get(obj)) {
        if (!notAnObject(ev, el_start, "an array element")) return false;
        continue;
      }
      std::string_view wanted = f == Format::kLookupEvents ? "CloudTrailEvent" : "message";
      bool found = false;
      for (auto fr : obj) {
        od::field field;
        if (auto err = std::move(fr).get(field)) return failed(err, el_start);
        std::string_view key;
        if (auto err = field.unescaped_key().get(key)) return failed(err, el_start);
        if (key != wanted || found) continue;
        found = true;
        std::string_view s;
        if (field.value().get_string().get(s)) {
          ++item_index_;
          problem("wrong-type", el_start, std::string(wanted) + " is not a string");
          continue;
        }
        emitEmbedded(s, el_start, f);
      }
      if (!found) {
        ++item_index_;
        problem("not-cloudtrail", el_start, "an element without " + std::string(wanted));
      }
    }
    return true;
  }

  bool handleRecordValue(od::value& v, Format f, bool require_record_keys) {
    std::string_view token = v.raw_json_token();
    size_t start = offsetOf(token.data());
    od::json_type type;
    if (auto err = v.type().get(type)) return failed(err, start);
    if (type != od::json_type::object) return notAnObject(v, start, "a record");
    od::object obj;
    if (auto err = v.get_object().get(obj)) return failed(err, start);
    if (require_record_keys) {
      Keys keys;
      for (auto fr : obj) {
        od::field field;
        if (auto err = std::move(fr).get(field)) return failed(err, start);
        std::string_view key;
        if (auto err = field.unescaped_key().get(key)) return failed(err, start);
        keys.event_version |= key == "eventVersion";
        keys.event_name |= key == "eventName";
        keys.event_source |= key == "eventSource";
      }
      if (!(keys.event_version && keys.event_name && keys.event_source)) {
        ++item_index_;
        problem("not-cloudtrail", envelope_start_,
                "an EventBridge event of detail-type '" + detail_type_ +
                    "' whose detail is not a CloudTrail record");
        return true;
      }
      if (auto err = obj.reset().error()) return failed(err, start);
    }
    classify(f);
    return emitWalkedObject(obj, start, f);
  }

  // Validates the whole object (simdjson On-Demand only checks what is read) and delivers its
  // text. The walk is what catches a missing comma inside a record.
  bool emitWalkedObject(od::object& obj, size_t start, Format f) {
    uint64_t index = item_index_++;
    if (options_.validate_records) {
      Walk w = walkObject(obj, 1);
      if (w == Walk::kError) return failed(walk_error_, start);
      if (w == Walk::kTooDeep) {
        problem("too-deep", start,
                "a record nests deeper than " + std::to_string(max_depth_) + " levels");
        return true;
      }
    } else {
      std::string_view raw;
      if (auto err = obj.raw_json().get(raw)) return failed(err, start);
    }
    size_t end = seg_end_;
    const char* next = nullptr;
    if (!doc_->current_location().get(next)) end = offsetOf(next);
    while (end > start && text_[end - 1] != '}') --end;
    size_t size = end - start;
    if (size > options_.max_record_bytes) {
      problem("too-large", start,
              "a record of " + std::to_string(size) + " bytes exceeds the limit of " +
                  std::to_string(options_.max_record_bytes));
      return true;
    }
    if (!bad_utf8_.empty()) {
      auto it = std::lower_bound(bad_utf8_.begin(), bad_utf8_.end(), start);
      if (it != bad_utf8_.end() && *it < end) {
        reportUtf8(*it, "in a record");
        return true;
      }
    }
    if (!options_.validate_records && options_.text_filter &&
        !options_.text_filter(text_.substr(start, size))) {
      ++records_;  // read, and passed over without a copy
      return true;
    }
    deliver(std::string(text_.substr(start, size)), start, index, f);
    return true;
  }

  void emitEmbedded(std::string_view json, size_t container_offset, Format f) {
    uint64_t index = item_index_++;
    if (json.size() > options_.max_record_bytes) {
      problem("too-large", container_offset,
              "an embedded record of " + std::to_string(json.size()) +
                  " bytes exceeds the limit of " + std::to_string(options_.max_record_bytes));
      return;
    }
    // Unescaping can produce bytes the outer validation never saw (\ud800 and friends).
    if (!simdjson::validate_utf8(json.data(), json.size())) {
      problem("invalid-utf8", container_offset, "an embedded record is not valid UTF-8");
      return;
    }
    inner_scratch_.reserve(json.size() + kPad);
    inner_scratch_.assign(json);
    od::document doc;
    auto err = inner_parser_
                   .iterate(simdjson::padded_string_view(inner_scratch_.data(), json.size(),
                                                         json.size() + kPad))
                   .get(doc);
    od::object obj;
    Walk w = Walk::kError;
    if (!err) {
      od::json_type type;
      err = doc.type().get(type);
      if (!err && type != od::json_type::object) {
        problem("not-an-object", container_offset,
                "an embedded record is not a JSON object: " + excerpt(json, 0));
        return;
      }
      if (!err) err = doc.get_object().get(obj);
      if (!err) {
        w = walkObject(obj, 1);
        if (w == Walk::kError) err = walk_error_;
      }
      const char* rest = nullptr;
      if (!err && w == Walk::kOk && !doc.current_location().get(rest)) {
        err = simdjson::TRAILING_CONTENT;
      }
    }
    if (w == Walk::kTooDeep) {
      problem("too-deep", container_offset,
              "an embedded record nests deeper than " + std::to_string(max_depth_) + " levels");
      return;
    }
    if (err) {
      problem("invalid-json", container_offset,
              std::string("an embedded record is invalid JSON (") + simdjson::error_message(err) +
                  ") near " + excerpt(json, 0));
      return;
    }
    size_t s = 0;
    size_t e = json.size();
    while (s < e && isSpace(json[s])) ++s;
    while (e > s && isSpace(json[e - 1])) --e;
    deliver(std::string(json.substr(s, e - s)), container_offset, index, f);
  }

  void deliver(std::string json, uint64_t offset, uint64_t index, Format f) {
    ++records_;
    Record r;
    r.json = std::move(json);
    r.source = source_;
    r.offset = offset;
    r.index = index;
    r.format = f;
    sink_.record(std::move(r));
  }

  Walk walkObject(od::object& obj, int depth) {
    if (depth > max_depth_) return Walk::kTooDeep;
    for (auto fr : obj) {
      od::field field;
      if (auto err = std::move(fr).get(field)) return walkFail(err);
      Walk w = walkValue(field.value(), depth + 1);
      if (w != Walk::kOk) return w;
    }
    return Walk::kOk;
  }

  Walk walkValue(od::value v, int depth) {
    if (depth > max_depth_) return Walk::kTooDeep;
    od::json_type type;
    if (auto err = v.type().get(type)) return walkFail(err);
    switch (type) {
      case od::json_type::object: {
        od::object obj;
        if (auto err = v.get_object().get(obj)) return walkFail(err);
        return walkObject(obj, depth);
      }
      case od::json_type::array: {
        od::array arr;
        if (auto err = v.get_array().get(arr)) return walkFail(err);
        for (auto element : arr) {
          od::value ev;
          if (auto err = element.get(ev)) return walkFail(err);
          Walk w = walkValue(ev, depth + 1);
          if (w != Walk::kOk) return w;
        }
        return Walk::kOk;
      }
      case od::json_type::string: {
        od::raw_json_string s;
        if (auto err = v.get_raw_json_string().get(s)) return walkFail(err);
        return Walk::kOk;
      }
      case od::json_type::number: {
        // get_double accepts every integer too, however long, so only bad syntax fails here.
        double n = 0;
        if (auto err = v.get_double().get(n)) return walkFail(err);
        return Walk::kOk;
      }
      case od::json_type::boolean: {
        bool b = false;
        if (auto err = v.get_bool().get(b)) return walkFail(err);
        return Walk::kOk;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto err = v.is_null().get(is_null)) return walkFail(err);
        return is_null ? Walk::kOk : walkFail(simdjson::INCORRECT_TYPE);
      }
    }
    return walkFail(simdjson::INCORRECT_TYPE);
  }

  Walk walkFail(simdjson::error_code err) {
    walk_error_ = err;
    return Walk::kError;
  }

  void reportUtf8(size_t offset, const char* where) {
    reported_utf8_.push_back(offset);
    problem("invalid-utf8", offset,
            "invalid UTF-8 at byte " + std::to_string(offset) + " " + where + " (record skipped)");
  }

  // A bad byte outside every record (between lines, in a wrapper) is still worth one report.
  void reportUncoveredUtf8() {
    for (size_t off : bad_utf8_) {
      bool covered = false;
      for (size_t r : reported_utf8_) covered |= r == off;
      if (!covered && reported_utf8_.empty()) {
        reportUtf8(off, "outside any record");
        return;
      }
      if (!covered) return;
    }
  }

  const std::string& source_;
  RecordSink& sink_;
  const ReadOptions& options_;
  int max_depth_ = 256;
  std::string_view text_;
  size_t capacity_ = 0;
  std::vector<size_t> bad_utf8_;
  std::vector<size_t> reported_utf8_;
  bool lines_mode_ = false;
  bool classified_ = false;
  Format detected_ = Format::kUnknown;
  uint64_t records_ = 0;
  uint64_t problems_ = 0;
  uint64_t item_index_ = 0;
  std::string first_problem_;
  std::string detail_type_;
  size_t envelope_start_ = 0;
  od::parser parser_;
  od::parser inner_parser_;
  std::string scratch_;
  std::string inner_scratch_;
  std::string repaired_;
  bool at_root_start_ = false;
  simdjson::error_code root_error_ = simdjson::SUCCESS;
  od::document* doc_ = nullptr;
  const char* seg_ptr_ = nullptr;
  size_t seg_offset_ = 0;
  size_t seg_end_ = 0;
  simdjson::error_code walk_error_ = simdjson::SUCCESS;
};

class NullSink : public RecordSink {
 public:
  void record(Record&&) override {}
  void problem(const InputProblem&) override {}
};

}  // namespace

const char* formatName(Format format) {
  switch (format) {
    case Format::kCloudTrailFile:
      return "cloudtrail-file";
    case Format::kJsonLines:
      return "json-lines";
    case Format::kEventBridge:
      return "eventbridge";
    case Format::kCloudWatchLogs:
      return "cloudwatch-logs";
    case Format::kLookupEvents:
      return "lookup-events";
    case Format::kUnknown:
      return "unknown";
  }
  return "unknown";
}

Format detectFormat(std::string_view text) {
  NullSink sink;
  ReadOptions options;
  std::string source = "<detect>";
  Reader reader(source, sink, options);
  reader.readText(text, text.size());
  return reader.detected();
}

Status readBuffer(const std::string& source, std::string_view bytes, RecordSink& sink,
                  const ReadOptions& options, ReadStats* stats, ReadBuffers* buffers) {
  Reader reader(source, sink, options);
  std::string owned;
  std::string_view text = bytes;
  size_t capacity = bytes.size();
  // Layers: gzip, or base64 of gzip (CloudWatch Logs as Lambda sees it). Two rounds suffice.
  for (int round = 0; round < 3; ++round) {
    if (isGzip(text)) {
      // The first layer decodes into the caller's reusable buffer; a second (rare) into owned.
      std::string& into = buffers != nullptr && round == 0 ? buffers->text : owned;
      std::string decoded;
      size_t size = 0;
      GunzipResult g = gunzipInto(text, options.max_decompressed_bytes,
                                  &into == &owned ? decoded : into, &size);
      if (!g.error_kind.empty()) {
        reader.problem(g.error_kind.c_str(), g.error_offset, g.error_message);
      }
      if (&into == &owned) owned = std::move(decoded);
      // gunzipInto leaves at least kTrailingRoom (the parser's padding) after the text.
      static_assert(kTrailingRoom >= simdjson::SIMDJSON_PADDING);
      text = std::string_view(into.data(), size);
      capacity = into.size();
      continue;
    }
    size_t first = 0;
    while (first < text.size() && isSpace(text[first])) ++first;
    if (first < text.size() && text[first] != '{' && text[first] != '[' && looksLikeBase64(text)) {
      std::optional<std::string> decoded = decodeBase64(text);
      if (!decoded) {
        reader.problem("bad-base64", 0, "input looks like base64 but does not decode");
        break;
      }
      owned = std::move(*decoded);
      owned.reserve(owned.size() + simdjson::SIMDJSON_PADDING);
      text = owned;
      capacity = owned.capacity();
      continue;
    }
    break;
  }
  if (options.text_filter) {
    size_t first = 0;
    while (first < text.size() && isSpace(text[first])) ++first;
    bool json_like = first < text.size() && (text[first] == '{' || text[first] == '[');
    if (json_like && !options.text_filter(text)) {
      if (stats != nullptr) {
        stats->bytes_read += bytes.size();
        stats->bytes_decompressed += text.size();
        stats->problems += reader.problems();  // a gzip problem found on the way still counts
        ++stats->inputs_skipped;
      }
      return Status::ok();
    }
  }
  reader.readText(text, capacity);
  if (stats != nullptr) {
    stats->bytes_read += bytes.size();
    stats->bytes_decompressed += text.size();
    stats->records += reader.records();
    stats->problems += reader.problems();
  }
  if (reader.records() == 0 && reader.problems() > 0) {
    return Status::corruption(source + ": " + reader.firstProblem());
  }
  return Status::ok();
}

Status readFile(const std::string& path, RecordSink& sink, const ReadOptions& options,
                ReadStats* stats, ReadBuffers* buffers) {
  std::string local;
  std::string& content = buffers != nullptr ? buffers->file : local;
  content.clear();
  if (path == "-") {
    char buf[1 << 16];
    while (true) {
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Status st = Status::ioError(std::string("reading standard input: ") + strerror(errno));
        sink.problem(InputProblem{path, content.size(), "read-error", st.message()});
        if (stats != nullptr) ++stats->problems;
        return st;
      }
      if (n == 0) break;
      content.append(buf, static_cast<size_t>(n));
    }
  } else {
    Status st = ht::readFileInto(path, &content);
    if (!st.isOk()) {
      sink.problem(InputProblem{path, 0, "read-error", st.message()});
      if (stats != nullptr) ++stats->problems;
      return st;
    }
  }
  return readBuffer(path, content, sink, options, stats, buffers);
}

namespace {

Status addPath(const std::string& path, std::vector<std::string>& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::notFound("no such file or directory: " + path);
  if (fs::is_regular_file(st)) {
    out.push_back(path);
    return Status::ok();
  }
  if (!fs::is_directory(st)) return Status::invalidArgument("not a file or directory: " + path);
  std::vector<std::string> found;
  fs::recursive_directory_iterator it(path, ec);
  if (ec) return Status::ioError("cannot list " + path + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Status::ioError("cannot list " + path + ": " + ec.message());
    std::error_code fec;
    if (it->is_regular_file(fec)) found.push_back(it->path().string());
  }
  if (ec) return Status::ioError("cannot list " + path + ": " + ec.message());
  std::sort(found.begin(), found.end());
  out.insert(out.end(), found.begin(), found.end());
  return Status::ok();
}

}  // namespace

Result<std::vector<std::string>> expandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    if (path == "-") {
      out.push_back(path);
      continue;
    }
    struct stat sb;
    bool exists = ::stat(path.c_str(), &sb) == 0;
    if (!exists && path.find_first_of("*?[") != std::string::npos) {
      glob_t g{};
      int rc = ::glob(path.c_str(), 0, nullptr, &g);
      if (rc != 0) {
        globfree(&g);
        return Status::notFound("no file matches " + path);
      }
      std::vector<std::string> matches(g.gl_pathv, g.gl_pathv + g.gl_pathc);
      globfree(&g);
      for (const std::string& m : matches) HT_RETURN_IF_ERROR(addPath(m, out));
      continue;
    }
    HT_RETURN_IF_ERROR(addPath(path, out));
  }
  return out;
}

}  // namespace ht::ingest
