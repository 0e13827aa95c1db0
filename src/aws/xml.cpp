#include "aws/xml.h"

#include <algorithm>
#include <cstring>

#include "core/secret.h"

namespace ht::aws::xml {

namespace {

// Line and column (1-based) of a byte offset, for error messages.
std::pair<size_t, size_t> lineColumn(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// A short printable excerpt of the input around the offset, so a log shows what broke.
std::string excerpt(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t begin = offset > 20 ? offset - 20 : 0;
  size_t end = std::min(text.size(), offset + 20);
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : ' ';
  }
  return out;
}

}  // namespace

Result<Document> Document::parse(std::string_view text, std::string_view what) {
  Document d;
  d.buffer_ = std::make_unique<std::string>(text);
  d.doc_ = std::make_unique<pugi::xml_document>();
  // parse_default keeps CDATA and decodes entities. parse_ws_pcdata_single keeps a value made only
  // of spaces (an S3 key may be " ") while still dropping the indentation between elements.
  constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_ws_pcdata_single;
  pugi::xml_parse_result res = d.doc_->load_buffer_inplace(d.buffer_->data(), d.buffer_->size(),
                                                           kParseOptions, pugi::encoding_utf8);
  if (!res) {
    if (res.status == pugi::status_no_document_element) {
      return Status::corruption(std::string(what) + ": not an XML document (no root element)");
    }
    size_t offset = res.offset < 0 ? 0 : static_cast<size_t>(res.offset);
    auto [line, column] = lineColumn(text, offset);
    std::string msg = std::string(what) + ": malformed XML at line " + std::to_string(line) +
                      ", column " + std::to_string(column) + ": " + res.description();
    if (offset + 1 >= text.size()) {
      // pugixml keeps what it parsed: the innermost open element is where the input stopped.
      Node open = d.doc_->document_element();
      while (Node last = open.last_child()) {
        if (last.type() != pugi::node_element) break;
        open = last;
      }
      msg += " (input ends early";
      if (open) msg += ", inside <" + pathOf(open) + ">";
      msg += ")";
    } else {
      msg += " near '" + excerpt(text, offset) + "'";
    }
    return Status::corruption(std::move(msg));
  }
  if (!d.doc_->document_element()) {
    return Status::corruption(std::string(what) + ": not an XML document (no root element)");
  }
  // pugixml accepts several top-level elements; XML (and AWS) has exactly one.
  int roots = 0;
  for (Node n = d.doc_->first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_element) ++roots;
  }
  if (roots > 1) {
    return Status::corruption(std::string(what) + ": more than one root element (<" +
                              std::string(localName(d.doc_->document_element())) + "> and others)");
  }
  return d;
}

Document::~Document() {
  doc_.reset();
  if (buffer_) secureZero(buffer_->data(), buffer_->size());
}

std::string_view localName(Node node) {
  const char* name = node.name();
  const char* colon = std::strrchr(name, ':');
  return colon ? std::string_view(colon + 1) : std::string_view(name);
}

Node child(Node parent, std::string_view local_name) {
  for (Node n = parent.first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_element && localName(n) == local_name) return n;
  }
  return Node();
}

std::vector<Node> children(Node parent, std::string_view local_name) {
  std::vector<Node> out;
  for (Node n = parent.first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_element && localName(n) == local_name) out.push_back(n);
  }
  return out;
}

Node path(Node from, std::string_view p) {
  Node cur = from;
  while (cur && !p.empty()) {
    size_t slash = p.find('/');
    std::string_view part = p.substr(0, slash);
    cur = child(cur, part);
    p = slash == std::string_view::npos ? std::string_view() : p.substr(slash + 1);
  }
  return cur;
}

Node descendant(Node parent, std::string_view local_name) {
  for (Node n = parent.first_child(); n; n = n.next_sibling()) {
    if (n.type() != pugi::node_element) continue;
    if (localName(n) == local_name) return n;
    if (Node found = descendant(n, local_name)) return found;
  }
  return Node();
}

std::optional<std::string> text(Node from, std::string_view p) {
  Node n = path(from, p);
  if (!n) return std::nullopt;
  std::string out;
  for (Node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

std::string pathOf(Node node) {
  std::string out;
  for (Node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    std::string part(localName(n));
    size_t index = 0, same = 0;
    for (Node s = n.parent().first_child(); s; s = s.next_sibling()) {
      if (s.type() != pugi::node_element || localName(s) != part) continue;
      ++same;
      if (s == n) index = same;
    }
    // Appends rather than "x" + std::string&&, which GCC 12 -O3 flags (-Wrestrict, PR105651).
    if (same > 1) part.append("[").append(std::to_string(index)).append("]");
    if (!out.empty()) part.append("/").append(out);
    out = std::move(part);
  }
  return out;
}

namespace {
Status missing(Node from, std::string_view p, std::string_view what) {
  std::string where = pathOf(from);
  if (!p.empty()) {
    if (!where.empty()) where += '/';
    where += p;
  }
  return Status::corruption(std::string(what) + ": missing element <" + where + ">");
}
}  // namespace

Result<Node> require(Node from, std::string_view p, std::string_view what) {
  Node n = path(from, p);
  if (!n) return missing(from, p, what);
  return n;
}

Result<std::string> requireText(Node from, std::string_view p, std::string_view what) {
  auto t = text(from, p);
  if (!t) return missing(from, p, what);
  return std::move(*t);
}

Status expectRoot(const Document& doc, std::string_view local_name, std::string_view what) {
  std::string_view found = localName(doc.root());
  if (found != local_name) {
    return Status::corruption(std::string(what) + ": expected root element <" +
                              std::string(local_name) + ">, found <" + std::string(found) + ">");
  }
  return Status::ok();
}

std::string percentDecode(std::string_view s, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace ht::aws::xml
