#include "tokens/ini.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace ht::tokens {
namespace {

// One row per input shape. `error_line` is 0 when the text is valid. `botocore_agrees` is false
// only where parseIni is deliberately stricter than the AWS CLI (documented in ini.h).
struct IniCase {
  const char* name;
  std::string text;
  int error_line;
  bool botocore_agrees = true;
};

const std::vector<IniCase>& cases() {
  static const std::vector<IniCase> kCases = {
      {"two_profiles_with_comments",
       "# managed by hand\n[default]\naws_access_key_id = AKIAEXAMPLEDEFAULT01\n"
       "; old key below\naws_secret_access_key = not-a-real-secret-1\n\n"
       "[work]\naws_access_key_id=AKIAEXAMPLEWORK00001\naws_secret_access_key=not-real-2\n",
       0},
      {"empty", "", 0},
      {"only_comments_and_blanks", "# a\n\n; b\n   \n", 0},
      {"colon_delimiter", "[a]\nregion: eu-west-1\n", 0},
      {"continuation_line", "[a]\nx = 1\n  more\n", 0},
      {"blank_line_inside_value", "[a]\nx = 1\n\n  more\ny = 2\n", 0},
      {"nested_settings",
       "[default]\ns3 =\n  addressing_style = path\n  signature_version = s3v4\n", 0},
      {"nested_with_indented_comment", "[default]\ns3 =\n  # note\n  addressing_style = path\n", 0},
      {"nested_line_without_equals", "[default]\nregion = x\ns3 =\n  nonsense\n", 4},
      {"indented_header_is_continuation", "[a]\nx = 1\n  [b]\n", 0},
      {"indented_key_after_header", "[a]\n  x = 1\n  y = 2\n", 0},
      {"text_after_closing_bracket", "[a] trailing\nx = 1\n", 0},
      {"no_trailing_newline", "[a]\nx = 1", 0},
      {"crlf", "[a]\r\nx = 1\r\n\r\n[b]\r\ny = 2\r\n", 0},
      {"lone_cr", "[a]\rx = 1\r", 0},
      {"nbsp_indented_continuation", "[a]\nx = 1\n\xC2\xA0more\n", 0},
      {"default_section_twice", "[DEFAULT]\na = 1\n[DEFAULT]\nb = 2\n", 0},
      {"tab_indented_continuation", "[a]\nx = 1\n\tmore\n\t\n", 0},
      {"indented_first_header", "  [a]\nx = 1\n", 0},
      {"shallower_indent_is_a_new_key", "[a]\n  x = 1\n y = 2\n", 0},
      {"spaces_inside_brackets", "[ a ]\nx = 1\n", 0},
      {"bracket_in_name", "[a]]\nx = 1\n", 0},
      {"file_separator_is_white_space", "[a]\nx = 1\n\x1c more\n", 0},
      {"form_feed_line", "[a]\nx = 1\n\f\ny = 2\n", 0},
      {"ideographic_space_continuation", "[a]\nx = 1\n\xE3\x80\x80more\n", 0},
      {"zero_width_space_is_not_white_space", "[a]\nx = 1\n\xE2\x80\x8Bmore\n", 3},
      {"key_before_section", "aws_access_key_id = AKIAEXAMPLE000000001\n[default]\n", 1},
      {"comment_then_key_before_section", "# top\nregion = us-east-1\n", 2},
      {"bare_word", "[default]\nregion = x\njunk\n", 3},
      {"unterminated_header_first", "[default\nx = 1\n", 1},
      {"unterminated_header_later", "[a]\nx = 1\n[b\n", 3},
      {"unterminated_header_with_equals", "[a]\n[b = c\n", 2, /*botocore_agrees=*/false},
      {"empty_header", "[]\n", 1},
      {"duplicate_section", "[a]\nx = 1\n[b]\n[a]\n", 4},
      {"duplicate_key_case_insensitive", "[a]\nRegion = x\nregion = y\n", 3},
      {"duplicate_key_across_default_sections", "[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n", 4},
      {"empty_key_name", "[a]\n= value\n", 2},
      {"byte_order_mark", "\xEF\xBB\xBF[default]\nx = 1\n", 1},
      {"invalid_utf8", "[a]\nx = \xFF\xFE\n", 2},
  };
  return kCases;
}

TEST(IniTest, AcceptsAndRejectsLikeBotocore) {
  for (const IniCase& c : cases()) {
    SCOPED_TRACE(c.name);
    Result<IniDocument> doc = parseIni(c.text);
    if (c.error_line == 0) {
      EXPECT_TRUE(doc.hasValue()) << doc.status().toString();
    } else {
      ASSERT_FALSE(doc.hasValue());
      EXPECT_EQ(doc.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(doc.status().message().rfind("line " + std::to_string(c.error_line) + ": ", 0), 0u)
          << doc.status().message();
    }
  }
}

// The real consumer: write every case to a file and let the AWS CLI's own botocore
// (raw_config_parse, what `aws` and boto read ~/.aws with) judge it.
TEST(IniTest, BotocoreAgreesOnEveryCase) {
  const char* kPython = "/usr/bin/python3";
  if (::access(kPython, X_OK) != 0) GTEST_SKIP() << "no " << kPython;
  char tmpl[] = "/tmp/ht-ini-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::filesystem::path dir(tmpl);
  const std::string script = R"(
import sys
try:
    from awscli.botocore.configloader import raw_config_parse
except ImportError:
    try:
        from botocore.configloader import raw_config_parse
    except ImportError:
        print("NO-BOTOCORE")
        sys.exit(0)
for path in sys.argv[1:]:
    name = path.rsplit("/", 1)[1]
    try:
        raw_config_parse(path)
        print(name, "ok")
    except Exception as e:
        # Debian's awscli loads its bundled botocore under two module names, so match the
        # exception by name rather than by class.
        print(name, "error" if type(e).__name__ == "ConfigParseError" else "crash-" + type(e).__name__)
)";
  std::ofstream(dir / "check.py") << script;
  std::string cmd = std::string("LANG=C.UTF-8 ") + kPython + " " + (dir / "check.py").string();
  for (size_t i = 0; i < cases().size(); ++i) {
    std::filesystem::path p = dir / ("case" + std::to_string(i));
    std::ofstream(p, std::ios::binary) << cases()[i].text;
    cmd += " " + p.string();
  }
  cmd += " 2>&1";
  std::string out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int rc = ::pclose(pipe);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(rc, 0) << out;
  if (out.find("NO-BOTOCORE") != std::string::npos) GTEST_SKIP() << "botocore is not installed";

  std::map<std::string, std::string> verdicts;
  std::istringstream lines(out);
  std::string file, verdict;
  while (lines >> file >> verdict) verdicts[file] = verdict;
  for (size_t i = 0; i < cases().size(); ++i) {
    const IniCase& c = cases()[i];
    SCOPED_TRACE(c.name);
    bool ours_ok = parseIni(c.text).hasValue();
    std::string theirs = verdicts["case" + std::to_string(i)];
    ASSERT_FALSE(theirs.empty()) << out;
    if (c.botocore_agrees) {
      EXPECT_EQ(ours_ok, theirs == "ok") << "botocore says " << theirs;
    } else {
      EXPECT_FALSE(ours_ok);
      EXPECT_EQ(theirs, "ok") << "the documented divergence no longer exists";
    }
  }
}

TEST(IniTest, SectionsKeysAndOffsets) {
  const std::string text =
      "# header comment\n"    // line 1, offset 0
      "[default]\n"           // line 2, offset 17
      "Region = eu-west-1\n"  // line 3
      "s3 =\n"                // line 4
      "  addressing_style = path\n"
      "\n"
      "[profile work]\n"  // line 7
      "output: json\n";
  Result<IniDocument> doc = parseIni(text);
  ASSERT_TRUE(doc.hasValue()) << doc.status().toString();
  ASSERT_EQ(doc->sections.size(), 2u);
  const IniSection& def = doc->sections[0];
  EXPECT_EQ(def.name, "default");
  EXPECT_EQ(def.line, 2);
  EXPECT_EQ(def.begin, 17u);
  EXPECT_EQ(def.end, text.find("[profile work]"));
  ASSERT_EQ(def.keys.size(), 2u);
  EXPECT_EQ(def.keys[0].name, "Region");
  EXPECT_EQ(def.keys[0].value, "eu-west-1");
  EXPECT_EQ(def.keys[0].line, 3);
  EXPECT_EQ(def.keys[1].value, "\naddressing_style = path");
  ASSERT_NE(def.findKey("REGION"), nullptr);
  EXPECT_EQ(def.findKey("region")->line, 3);
  EXPECT_EQ(def.findKey("output"), nullptr);

  const IniSection* work = doc->findSection("profile work");
  ASSERT_NE(work, nullptr);
  EXPECT_EQ(work->line, 7);
  EXPECT_EQ(work->end, text.size());
  EXPECT_EQ(work->findKey("output")->value, "json");
  EXPECT_EQ(doc->findSection("work"), nullptr);
  EXPECT_EQ(doc->line_count, 8);
  EXPECT_TRUE(doc->ends_with_newline);
  EXPECT_EQ(doc->line_ending, "\n");
}

TEST(IniTest, ValuesFollowConfigparser) {
  Result<IniDocument> doc = parseIni("[a]\nx = 1\n\n  more  \n\n\ny=\t2 \n[b ]\n");
  ASSERT_TRUE(doc.hasValue()) << doc.status().toString();
  EXPECT_EQ(doc->sections[0].findKey("x")->value, "1\n\nmore");  // trailing blank lines dropped
  EXPECT_EQ(doc->sections[0].findKey("y")->value, "2");
  EXPECT_EQ(doc->sections[1].name, "b ");  // configparser keeps the space; so do we
}

TEST(IniTest, LineEndingsAndFinalNewline) {
  Result<IniDocument> crlf = parseIni("[a]\r\nx = 1");
  ASSERT_TRUE(crlf.hasValue());
  EXPECT_EQ(crlf->line_ending, "\r\n");
  EXPECT_FALSE(crlf->ends_with_newline);
  EXPECT_EQ(crlf->line_count, 2);
  Result<IniDocument> empty = parseIni("");
  ASSERT_TRUE(empty.hasValue());
  EXPECT_EQ(empty->line_count, 0);
  EXPECT_TRUE(empty->sections.empty());
}

TEST(IniTest, ErrorsNeverQuoteTheLine) {
  // A malformed line in a credentials file may well be a secret pasted in the wrong place.
  const std::string pasted = "wJalrSYNTHETICnotREALxEXAMPLEKEYabcdefgh";
  Result<IniDocument> doc = parseIni("[default]\n" + pasted + "\n");
  ASSERT_FALSE(doc.hasValue());
  EXPECT_EQ(doc.status().message().find(pasted), std::string::npos);
  EXPECT_EQ(doc.status().message().rfind("line 2: ", 0), 0u);
}

}  // namespace
}  // namespace ht::tokens
