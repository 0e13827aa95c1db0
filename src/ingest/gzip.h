// Gzip decoding for CloudTrail inputs. Delivery files are whole gzip buffers; Firehose and
// `cat a.gz b.gz` give concatenated members; an interrupted download gives a truncated stream
// whose complete prefix is still worth reading. So decoding never fails outright: it returns the
// text it could recover and, separately, what went wrong and where.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ht::ingest {

// Spare capacity gunzip leaves after the text (simdjson reads up to 64 bytes past the end).
inline constexpr size_t kTrailingRoom = 64;

bool isGzip(std::string_view bytes);

struct GunzipResult {
  std::string text;           // everything decoded, even when the stream broke later
  std::string error_kind;     // "" when clean; truncated-gzip, bad-gzip or too-large
  uint64_t error_offset = 0;  // in the compressed input
  std::string error_message;
};

// Decodes every gzip member in bytes, stopping at max_output bytes of output.
GunzipResult gunzip(std::string_view bytes, size_t max_output);

// The same into a buffer kept between calls: the text is buf[0, *size), and buf is left at least
// kTrailingRoom longer. buf only ever grows, so decoding file after file into it neither
// allocates nor zero-fills once it has reached the largest file's size. result.text stays empty.
GunzipResult gunzipInto(std::string_view bytes, size_t max_output, std::string& buf, size_t* size);

}  // namespace ht::ingest
