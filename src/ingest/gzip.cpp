#include "ingest/gzip.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <memory>

namespace ht::ingest {
namespace {

bool allZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

// libdeflate is several times faster than zlib but only decodes complete members into a buffer
// that is big enough; it reports the first member it cannot finish and leaves the rest to zlib.
// Makes buf at least n long; growing is the only time its bytes are written before use.
void ensureSize(std::string& buf, size_t n) {
  if (buf.size() < n) buf.resize(std::max(n, buf.size() + buf.size() / 2));
}

size_t inflateFast(std::string_view bytes, size_t max_output, std::string& out, size_t& used) {
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  if (!d) return 0;
  size_t pos = 0;
  while (pos < bytes.size() && isGzip(bytes.substr(pos))) {
    std::string_view member = bytes.substr(pos);
    // The trailer's ISIZE is exact for a single member; for several it only starts the guess.
    const auto* tail = reinterpret_cast<const unsigned char*>(bytes.data() + bytes.size() - 4);
    size_t isize = tail[0] | (tail[1] << 8) | (tail[2] << 16) | (size_t{tail[3]} << 24);
    // Deflate cannot expand more than 1032:1, so a larger demand means damaged input (libdeflate
    // reads zeros past a truncated end): leave that to zlib rather than allocate without end.
    size_t room =
        std::min(max_output - std::min(max_output, used), member.size() * 1032 + (size_t{1} << 16));
    size_t avail = std::min(room, std::max({isize, member.size() * 4, size_t{1} << 16}));
    size_t base = used;
    while (true) {
      // Room for the JSON parser's padding now, so that the reader need not copy the text again.
      ensureSize(out, base + avail + kTrailingRoom);
      size_t in_used = 0;
      size_t out_used = 0;
      libdeflate_result r = libdeflate_gzip_decompress_ex(
          d.get(), member.data(), member.size(), out.data() + base, avail, &in_used, &out_used);
      if (r == LIBDEFLATE_SUCCESS) {
        used = base + out_used;
        pos += in_used;
        break;
      }
      if (r == LIBDEFLATE_INSUFFICIENT_SPACE && avail < room) {
        avail = std::min(room, avail * 2);
        continue;
      }
      used = base;
      return pos;
    }
  }
  return pos;
}

}  // namespace

bool isGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

GunzipResult gunzip(std::string_view bytes, size_t max_output) {
  std::string text;
  size_t size = 0;
  GunzipResult result = gunzipInto(bytes, max_output, text, &size);
  text.resize(size);
  result.text = std::move(text);
  return result;
}

GunzipResult gunzipInto(std::string_view bytes, size_t max_output, std::string& buf, size_t* size) {
  GunzipResult result;
  size_t used = 0;
  size_t pos = inflateFast(bytes, max_output, buf, used);
  *size = used;
  if (pos >= bytes.size() || allZero(bytes.substr(pos))) {
    ensureSize(buf, used + kTrailingRoom);
    return result;
  }

  // The slow path: zlib streams what it can decode, so a cut-off member still yields its prefix.
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    result.error_kind = "bad-gzip";
    result.error_offset = pos;
    result.error_message = "cannot initialise zlib";
    return result;
  }
  constexpr size_t kChunk = 1 << 18;
  auto fail = [&](const char* kind, uint64_t offset, std::string message) {
    result.error_kind = kind;
    result.error_offset = offset;
    result.error_message = std::move(message);
  };
  while (true) {
    if (!isGzip(bytes.substr(pos))) {
      fail("bad-gzip", pos, "bytes after the last gzip member are not gzip");
      break;
    }
    inflateReset(&zs);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + pos));
    zs.avail_in = static_cast<uInt>(std::min<size_t>(bytes.size() - pos, 1u << 30));
    size_t member_start = pos;
    int rc = Z_OK;
    while (rc == Z_OK) {
      if (used >= max_output) {
        fail("too-large", member_start + zs.total_in,
             "decompressed size exceeds the limit of " + std::to_string(max_output) + " bytes");
        break;
      }
      size_t chunk = std::min(kChunk, max_output - used);
      ensureSize(buf, used + chunk + kTrailingRoom);
      zs.next_out = reinterpret_cast<Bytef*>(buf.data() + used);
      zs.avail_out = static_cast<uInt>(chunk);
      rc = inflate(&zs, Z_NO_FLUSH);
      used += chunk - zs.avail_out;
      if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
      if (rc == Z_BUF_ERROR) rc = Z_OK;  // output space ran out: go round again
    }
    if (!result.error_kind.empty()) break;
    pos = member_start + zs.total_in;
    if (rc == Z_STREAM_END) {
      if (pos >= bytes.size() || allZero(bytes.substr(pos))) break;
      continue;
    }
    if ((rc == Z_BUF_ERROR || rc == Z_OK) && pos >= bytes.size()) {
      fail("truncated-gzip", pos,
           "gzip stream ends early at compressed byte " + std::to_string(pos) + " (" +
               std::to_string(used) + " bytes recovered)");
    } else {
      fail("bad-gzip", pos,
           std::string("gzip data is damaged: ") + (zs.msg != nullptr ? zs.msg : "zlib error"));
    }
    break;
  }
  inflateEnd(&zs);
  *size = used;
  ensureSize(buf, used + kTrailingRoom);
  return result;
}

}  // namespace ht::ingest
