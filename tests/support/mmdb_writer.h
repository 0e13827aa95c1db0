// A small writer for MaxMind DB files (format spec 2.0), so tests can build GeoIP/ASN databases
// with known contents: no .mmdb ships with the tree and tests have no network. It supports what
// test data needs (maps, arrays, strings, unsigned integers, booleans, IPv4 and IPv6 networks) and
// none of the size optimisations (no pointers, no de-duplication of data).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace ht::test {

// One value of the MaxMind DB data section.
struct MmdbValue {
  enum class Type { kString, kUint16, kUint32, kUint64, kBool, kMap, kArray };

  static MmdbValue string(std::string s);
  static MmdbValue uint16(uint16_t v);
  static MmdbValue uint32(uint32_t v);
  static MmdbValue uint64(uint64_t v);
  static MmdbValue boolean(bool v);
  static MmdbValue map(std::vector<std::pair<std::string, MmdbValue>> entries);
  static MmdbValue array(std::vector<MmdbValue> items);

  Type type = Type::kString;
  std::string str;
  uint64_t num = 0;
  std::vector<std::pair<std::string, MmdbValue>> entries;  // kMap
  std::vector<MmdbValue> items;                            // kArray
};

class MmdbWriter {
 public:
  // ip_version 6 stores IPv4 networks under ::a.b.c.d/96+n, where libmaxminddb looks them up.
  // record_size is 24, 28 or 32 bits.
  MmdbWriter(std::string database_type, int ip_version = 6, int record_size = 28);

  // Adds a network ("81.2.69.0/24", "2a01:4f8::/32", or a bare address for a host route) with
  // its data. A later, more specific network overrides part of an earlier one; a later, wider
  // network replaces everything it covers.
  Status insert(const std::string& cidr, MmdbValue data);

  // The whole file: search tree, separator, data section, metadata.
  Result<std::string> serialize() const;
  Status writeFile(const std::string& path) const;

 private:
  // A record is empty, points at another node, or at an entry of data_.
  struct Record {
    enum class Kind { kEmpty, kNode, kData } kind = Kind::kEmpty;
    size_t index = 0;
  };
  struct Node {
    Record rec[2];
  };

  std::string database_type_;
  int ip_version_;
  int record_size_;
  std::vector<Node> nodes_;  // nodes_[0] is the root; replaced subtrees stay as unreachable nodes
  std::vector<MmdbValue> data_;
};

}  // namespace ht::test
