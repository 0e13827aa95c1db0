// A thin adapter over pugixml for AWS response documents: loading reports where the input broke
// (as a Corruption Status, pugixml does not throw), and lookups match elements by local name so
// that documents parse the same with or without a default namespace or a prefix.
#pragma once

#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ht::aws::xml {

using Node = pugi::xml_node;

class Document {
 public:
  // `what` names the document in errors ("GetUser response"). Empty or malformed input is
  // Corruption with the line, column and pugixml's reason.
  static Result<Document> parse(std::string_view text, std::string_view what);

  Document(Document&&) = default;
  Document& operator=(Document&&) = default;
  // Zeroes the parse buffer: responses carry secrets (CreateAccessKey, AssumeRole).
  ~Document();

  // The document element (the first element at top level).
  Node root() const { return doc_->document_element(); }

 private:
  Document() = default;
  // Parsed in place, so every text value lives in buffer_ and dies with it.
  std::unique_ptr<std::string> buffer_;
  std::unique_ptr<pugi::xml_document> doc_;
};

// "Error" for both <Error> and <ns:Error>.
std::string_view localName(Node node);
// First child element with this local name; an empty node when there is none.
Node child(Node parent, std::string_view local_name);
// Every child element with this local name, in document order.
std::vector<Node> children(Node parent, std::string_view local_name);
// Follows a '/'-separated path of local names ("Credentials/AccessKeyId").
Node path(Node from, std::string_view path);
// First element with this local name in the subtree (parent itself excluded), depth first.
Node descendant(Node parent, std::string_view local_name);
// Text content (PCDATA and CDATA) of the element at the path, or nullopt when it is missing.
// The text is returned as written (entities decoded), without trimming.
std::optional<std::string> text(Node from, std::string_view path);

// Where a node is, for messages: "GetUserResponse/GetUserResult/User", with a 1-based index on
// elements that have same-named siblings ("Contents[3]/Key").
std::string pathOf(Node node);

// The element at path, or Corruption "<what>: missing element <Root/.../path>".
Result<Node> require(Node from, std::string_view path, std::string_view what);
// Text at path, or Corruption naming the missing element.
Result<std::string> requireText(Node from, std::string_view path, std::string_view what);
// Checks the local name of the root: Corruption "<what>: expected <X>, found <Y>" otherwise.
Status expectRoot(const Document& doc, std::string_view local_name, std::string_view what);

// Decodes %XX escapes in a text value AWS sent URL-encoded (IAM policy documents; S3 keys under
// encoding-type=url, where '+' also stands for a space). A malformed escape is kept as written,
// as botocore's unquote does.
std::string percentDecode(std::string_view s, bool plus_is_space = false);

}  // namespace ht::aws::xml
