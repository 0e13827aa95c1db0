#include "support/mmdb_writer.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <deque>

#include "core/files.h"

namespace ht::test {

namespace {

// Data section type numbers from the spec; 8 and above are "extended" types.
constexpr int kTypeString = 2;
constexpr int kTypeUint16 = 5;
constexpr int kTypeUint32 = 6;
constexpr int kTypeMap = 7;
constexpr int kTypeUint64 = 9;
constexpr int kTypeArray = 11;
constexpr int kTypeBool = 14;

constexpr char kMetadataMarker[] = "\xAB\xCD\xEFMaxMind.com";
constexpr size_t kDataSectionSeparator = 16;
// Fixed so that the same inputs give the same bytes.
constexpr uint64_t kBuildEpoch = 1700000000;

void appendBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Control byte (type in the top three bits, size in the low five), the extended type byte, then
// the size continuation bytes, in that order.
void appendHeader(std::string* out, int type, size_t size) {
  uint8_t ctrl = type <= 7 ? static_cast<uint8_t>(type << 5) : 0;
  int extra = 0;
  size_t extra_value = 0;
  if (size < 29) {
    ctrl |= static_cast<uint8_t>(size);
  } else if (size < 29 + 256) {
    ctrl |= 29;
    extra = 1;
    extra_value = size - 29;
  } else if (size < 285 + 65536) {
    ctrl |= 30;
    extra = 2;
    extra_value = size - 285;
  } else {
    ctrl |= 31;
    extra = 3;
    extra_value = size - 65821;
  }
  out->push_back(static_cast<char>(ctrl));
  if (type > 7) out->push_back(static_cast<char>(type - 7));
  appendBigEndian(out, extra_value, extra);
}

void appendUnsigned(std::string* out, int type, uint64_t v) {
  // Unsigned integers are stored in as few bytes as needed; zero takes none.
  int bytes = 0;
  while (bytes < 8 && (v >> (8 * bytes)) != 0) ++bytes;
  appendHeader(out, type, static_cast<size_t>(bytes));
  appendBigEndian(out, v, bytes);
}

void appendString(std::string* out, const std::string& s) {
  appendHeader(out, kTypeString, s.size());
  out->append(s);
}

void encode(const MmdbValue& v, std::string* out) {
  switch (v.type) {
    case MmdbValue::Type::kString:
      appendString(out, v.str);
      return;
    case MmdbValue::Type::kUint16:
      appendUnsigned(out, kTypeUint16, v.num);
      return;
    case MmdbValue::Type::kUint32:
      appendUnsigned(out, kTypeUint32, v.num);
      return;
    case MmdbValue::Type::kUint64:
      appendUnsigned(out, kTypeUint64, v.num);
      return;
    case MmdbValue::Type::kBool:
      appendHeader(out, kTypeBool, v.num ? 1 : 0);
      return;
    case MmdbValue::Type::kMap:
      appendHeader(out, kTypeMap, v.entries.size());
      for (const auto& [key, value] : v.entries) {
        appendString(out, key);
        encode(value, out);
      }
      return;
    case MmdbValue::Type::kArray:
      appendHeader(out, kTypeArray, v.items.size());
      for (const auto& item : v.items) encode(item, out);
      return;
  }
}

}  // namespace

MmdbValue MmdbValue::string(std::string s) {
  MmdbValue v;
  v.type = Type::kString;
  v.str = std::move(s);
  return v;
}
MmdbValue MmdbValue::uint16(uint16_t n) {
  MmdbValue v;
  v.type = Type::kUint16;
  v.num = n;
  return v;
}
MmdbValue MmdbValue::uint32(uint32_t n) {
  MmdbValue v;
  v.type = Type::kUint32;
  v.num = n;
  return v;
}
MmdbValue MmdbValue::uint64(uint64_t n) {
  MmdbValue v;
  v.type = Type::kUint64;
  v.num = n;
  return v;
}
MmdbValue MmdbValue::boolean(bool b) {
  MmdbValue v;
  v.type = Type::kBool;
  v.num = b ? 1 : 0;
  return v;
}
MmdbValue MmdbValue::map(std::vector<std::pair<std::string, MmdbValue>> entries) {
  MmdbValue v;
  v.type = Type::kMap;
  v.entries = std::move(entries);
  return v;
}
MmdbValue MmdbValue::array(std::vector<MmdbValue> items) {
  MmdbValue v;
  v.type = Type::kArray;
  v.items = std::move(items);
  return v;
}

MmdbWriter::MmdbWriter(std::string database_type, int ip_version, int record_size)
    : database_type_(std::move(database_type)),
      ip_version_(ip_version),
      record_size_(record_size),
      nodes_(1) {}

Status MmdbWriter::insert(const std::string& cidr, MmdbValue data) {
  std::string addr_text = cidr;
  int prefix = -1;
  if (auto slash = cidr.find('/'); slash != std::string::npos) {
    addr_text = cidr.substr(0, slash);
    try {
      prefix = std::stoi(cidr.substr(slash + 1));
    } catch (const std::exception&) {
      return Status::invalidArgument("bad prefix length in " + cidr);
    }
  }
  std::array<uint8_t, 16> addr{};
  int bits = 0;
  if (inet_pton(AF_INET, addr_text.c_str(), addr.data()) == 1) {
    bits = 32;
  } else if (inet_pton(AF_INET6, addr_text.c_str(), addr.data()) == 1) {
    bits = 128;
  } else {
    return Status::invalidArgument("not an IP network: " + cidr);
  }
  if (prefix < 0) prefix = bits;
  if (prefix > bits) return Status::invalidArgument("prefix too long in " + cidr);
  if (bits == 128 && ip_version_ == 4) {
    return Status::invalidArgument("IPv6 network in an IPv4 database: " + cidr);
  }
  if (bits == 32 && ip_version_ == 6) {
    // ::a.b.c.d, the subtree libmaxminddb walks for IPv4 lookups in an IPv6 tree.
    std::memmove(addr.data() + 12, addr.data(), 4);
    std::memset(addr.data(), 0, 12);
    prefix += 96;
    bits = 128;
  }
  if (prefix == 0) return Status::invalidArgument("a /0 network has no record: " + cidr);

  data_.push_back(std::move(data));
  Record leaf{Record::Kind::kData, data_.size() - 1};
  size_t node = 0;
  for (int i = 0; i < prefix; ++i) {
    int bit = (addr[static_cast<size_t>(i / 8)] >> (7 - i % 8)) & 1;
    if (i == prefix - 1) {
      nodes_[node].rec[bit] = leaf;
      break;
    }
    Record rec = nodes_[node].rec[bit];
    if (rec.kind == Record::Kind::kNode) {
      node = rec.index;
      continue;
    }
    // Split an empty or data record: both halves inherit it, then we descend into one.
    Node child;
    child.rec[0] = rec;
    child.rec[1] = rec;
    nodes_.push_back(child);
    nodes_[node].rec[bit] = Record{Record::Kind::kNode, nodes_.size() - 1};
    node = nodes_.size() - 1;
  }
  return Status::ok();
}

Result<std::string> MmdbWriter::serialize() const {
  if (record_size_ != 24 && record_size_ != 28 && record_size_ != 32) {
    return Status::invalidArgument("record size must be 24, 28 or 32");
  }
  // Number the reachable nodes breadth-first so the root is node 0 and subtrees replaced by a
  // wider insert are left out.
  std::vector<size_t> id(nodes_.size(), SIZE_MAX);
  std::vector<size_t> order;
  std::deque<size_t> queue{0};
  id[0] = 0;
  while (!queue.empty()) {
    size_t n = queue.front();
    queue.pop_front();
    order.push_back(n);
    for (const Record& r : nodes_[n].rec) {
      if (r.kind == Record::Kind::kNode && id[r.index] == SIZE_MAX) {
        id[r.index] = order.size() + queue.size();
        queue.push_back(r.index);
      }
    }
  }
  const uint64_t node_count = order.size();

  std::string data_section;
  std::vector<size_t> offset(data_.size());
  for (size_t i = 0; i < data_.size(); ++i) {
    offset[i] = data_section.size();
    encode(data_[i], &data_section);
  }

  auto recordValue = [&](const Record& r) -> uint64_t {
    switch (r.kind) {
      case Record::Kind::kEmpty:
        return node_count;
      case Record::Kind::kNode:
        return id[r.index];
      case Record::Kind::kData:
        return node_count + kDataSectionSeparator + offset[r.index];
    }
    return node_count;
  };
  const uint64_t max_record = (uint64_t{1} << record_size_) - 1;
  if (node_count + kDataSectionSeparator + data_section.size() > max_record) {
    return Status::invalidArgument("database too large for " + std::to_string(record_size_) +
                                   "-bit records");
  }

  std::string out;
  for (size_t n : order) {
    uint64_t left = recordValue(nodes_[n].rec[0]);
    uint64_t right = recordValue(nodes_[n].rec[1]);
    if (record_size_ == 28) {
      // 28-bit records share the middle byte: the left record's top nibble, then the right's.
      appendBigEndian(&out, left & 0xFFFFFF, 3);
      out.push_back(static_cast<char>(((left >> 24) << 4) | (right >> 24)));
      appendBigEndian(&out, right & 0xFFFFFF, 3);
    } else {
      appendBigEndian(&out, left, record_size_ / 8);
      appendBigEndian(&out, right, record_size_ / 8);
    }
  }
  out.append(kDataSectionSeparator, '\0');
  out.append(data_section);

  out.append(kMetadataMarker, sizeof(kMetadataMarker) - 1);
  MmdbValue metadata = MmdbValue::map({
      {"node_count", MmdbValue::uint32(static_cast<uint32_t>(node_count))},
      {"record_size", MmdbValue::uint16(static_cast<uint16_t>(record_size_))},
      {"ip_version", MmdbValue::uint16(static_cast<uint16_t>(ip_version_))},
      {"database_type", MmdbValue::string(database_type_)},
      {"languages", MmdbValue::array({MmdbValue::string("en")})},
      {"binary_format_major_version", MmdbValue::uint16(2)},
      {"binary_format_minor_version", MmdbValue::uint16(0)},
      {"build_epoch", MmdbValue::uint64(kBuildEpoch)},
      {"description", MmdbValue::map({{"en", MmdbValue::string("honeytrail test database")}})},
  });
  encode(metadata, &out);
  return out;
}

Status MmdbWriter::writeFile(const std::string& path) const {
  HT_ASSIGN_OR_RETURN(std::string bytes, serialize());
  return writeFileAtomic(path, bytes, 0644);
}

}  // namespace ht::test
