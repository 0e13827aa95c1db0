// parseErrorBody: AWS error documents come in three shapes, with or without a namespace:
//   IAM/STS (Query):  <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>
//   S3 (REST-XML):    <Error><Code/><Message/><RequestId/><HostId/></Error>
//   EC2 style:        <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/>
// Anything else (empty, HTML from a proxy, truncated XML) yields a code made from the status.
#include <string>

#include "aws/aws_client.h"
#include "aws/xml.h"
#include "core/strings.h"

namespace ht::aws {

namespace {

// Keeps error messages to one printable line of bounded length.
std::string snippet(std::string_view body) {
  std::string out;
  bool space = false;
  for (char ch : body) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
    if (out.size() >= 200) {
      out += "...";
      break;
    }
  }
  return trim(out);
}

std::string textOf(xml::Node node, std::string_view name) {
  auto t = xml::text(node, name);
  return t ? trim(*t) : std::string();
}

// The <Error> element of the document, whichever shape it has.
xml::Node findError(xml::Node root) {
  std::string_view name = xml::localName(root);
  if (name == "Error") return root;
  if (name == "ErrorResponse") {
    if (xml::Node e = xml::child(root, "Error")) return e;
  }
  if (name == "Response") {
    if (xml::Node e = xml::path(root, "Errors/Error")) return e;
  }
  // Unknown wrapper: the first <Error> that carries a <Code>.
  for (xml::Node n = xml::descendant(root, "Error"); n; n = n.next_sibling()) {
    if (xml::localName(n) == "Error" && xml::child(n, "Code")) return n;
  }
  return xml::Node();
}

std::string requestIdOf(xml::Node root, xml::Node error) {
  for (xml::Node n : {error, root}) {
    for (std::string_view name : {"RequestId", "RequestID"}) {
      std::string id = textOf(n, name);
      if (!id.empty()) return id;
    }
  }
  return {};
}

}  // namespace

AwsError parseErrorBody(int http_status, std::string_view body) {
  AwsError err;
  err.http_status = http_status;
  std::string fallback_code = "HTTP" + std::to_string(http_status);
  std::string trimmed = trim(body);
  if (trimmed.empty()) {
    err.code = fallback_code;
    return err;
  }
  auto doc = xml::Document::parse(trimmed, "AWS error body");
  if (!doc) {
    err.code = fallback_code;
    err.message = snippet(trimmed);
    return err;
  }
  xml::Node root = doc->root();
  xml::Node error = findError(root);
  if (error) {
    err.code = textOf(error, "Code");
    err.message = textOf(error, "Message");
    // Some S3 errors spell it lower-case; be lenient rather than lose the text.
    if (err.message.empty()) err.message = textOf(error, "message");
  }
  err.request_id = requestIdOf(root, error);
  if (err.code.empty()) {
    err.code = fallback_code;
    if (err.message.empty() && !error) err.message = snippet(trimmed);
  }
  return err;
}

}  // namespace ht::aws
