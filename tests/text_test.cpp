// Text helpers: what reaches a terminal from a file's strings.
#include "common/text.h"

#include <gtest/gtest.h>

namespace llmz {
namespace {

TEST(Printable, EscapesWhatATerminalWouldObey) {
  EXPECT_EQ(printable("SmolLM2 135M café ≥ 日本"), "SmolLM2 135M café ≥ 日本");
  EXPECT_EQ(printable("evil\x1b]0;title\x07name"), "evil\\x1b]0;title\\x07name");
  EXPECT_EQ(printable("csi \xc2\x9b"
                      "31m"),
            "csi \\xc2\\x9b31m");  // C1 control in UTF-8
  EXPECT_EQ(printable("del\x7f tab\t nul" + std::string(1, '\0')), "del\\x7f tab\\x09 nul\\x00");
  EXPECT_EQ(printable("bad \xff\xc3 utf-8"), "bad \\xff\\xc3 utf-8");
  EXPECT_EQ(printable("two\nlines"), "two\\x0alines");
  EXPECT_EQ(printable("two\nlines", true), "two\nlines");
}

}  // namespace
}  // namespace llmz
