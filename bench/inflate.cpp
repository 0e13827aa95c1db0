// ht_bench_inflate: the reference for hunt's throughput. Decompresses every .gz file under a
// directory with libdeflate on the calling thread only, and reports decompressed MB/s.
// Files are read into memory first, so the figure is pure decompression (hunt also reads
// files, from the page cache; the read time is printed separately).
//
//   ht_bench_inflate DIR [--repeat N]
#include <libdeflate.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace ht::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Decompresses every member of one gzip file into out (reused across files). Returns the
// decompressed size, or -1 on damaged input.
int64_t inflateFile(libdeflate_decompressor* d, const std::string& gz, std::string& out) {
  size_t pos = 0, total = 0;
  while (pos + 18 <= gz.size()) {
    // ISIZE of the last member: exact for the usual single member, a first guess otherwise.
    const auto* tail = reinterpret_cast<const unsigned char*>(gz.data() + gz.size() - 4);
    size_t isize = tail[0] | (tail[1] << 8) | (tail[2] << 16) | (size_t{tail[3]} << 24);
    size_t want = total + std::max(isize, (gz.size() - pos) * 4);
    if (out.size() < want) out.resize(want);
    while (true) {
      size_t in_used = 0, out_used = 0;
      libdeflate_result r = libdeflate_gzip_decompress_ex(d, gz.data() + pos, gz.size() - pos,
                                                          out.data() + total, out.size() - total,
                                                          &in_used, &out_used);
      if (r == LIBDEFLATE_SUCCESS) {
        pos += in_used;
        total += out_used;
        break;
      }
      if (r != LIBDEFLATE_INSUFFICIENT_SPACE) return -1;
      out.resize(out.size() * 2);
    }
  }
  return static_cast<int64_t>(total);
}

int run(const std::string& dir, int repeat) {
  auto read_start = Clock::now();
  std::vector<std::string> files;
  uint64_t compressed = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".gz") continue;
    std::ifstream f(it->path(), std::ios::binary);
    files.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    compressed += files.back().size();
  }
  if (ec) {
    std::cerr << "ht_bench_inflate: cannot list " << dir << ": " << ec.message() << "\n";
    return 1;
  }
  double read_seconds = secondsSince(read_start);
  if (files.empty()) {
    std::cerr << "ht_bench_inflate: no .gz files under " << dir << "\n";
    return 1;
  }
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  std::string out;
  double best = 0;
  uint64_t decompressed = 0;
  for (int r = 0; r < repeat; ++r) {
    decompressed = 0;
    auto start = Clock::now();
    for (const auto& gz : files) {
      int64_t n = inflateFile(d.get(), gz, out);
      if (n < 0) {
        std::cerr << "ht_bench_inflate: damaged gzip input\n";
        return 1;
      }
      decompressed += static_cast<uint64_t>(n);
    }
    double s = secondsSince(start);
    if (r == 0 || s < best) best = s;
  }
  std::printf(
      "inflate: %zu files, %.1f MB gzip -> %.1f MB JSON in %.3f s on 1 core: %.1f MB/s "
      "(read into memory first: %.3f s)\n",
      files.size(), static_cast<double>(compressed) / 1e6,
      static_cast<double>(decompressed) / 1e6, best, static_cast<double>(decompressed) / 1e6 / best,
      read_seconds);
  // One machine-readable line for scripts.
  std::printf("INFLATE_SECONDS=%.4f INFLATE_BYTES=%llu\n", best,
              static_cast<unsigned long long>(decompressed));
  return 0;
}

}  // namespace
}  // namespace ht::bench

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 4 && std::string(argv[2]) == "--repeat")) {
    std::cerr << "usage: ht_bench_inflate DIR [--repeat N]   (best of N runs, default 1)\n";
    return 2;
  }
  int repeat = argc == 4 ? std::max(1, std::atoi(argv[3])) : 1;
  return ht::bench::run(argv[1], repeat);
}
