// Final-answer extraction, hiding and comparison on the forms benchmarks and small models produce.
#include "qa/answers.h"

#include <gtest/gtest.h>

namespace llmz::qa {
namespace {

TEST(ExtractAnswer, StatementOnItsOwnLine) {
  const auto a = extract_answer("Each gets 1 cup.\nTherefore, the final answer is:\nFinal answer: 20 cups");
  ASSERT_TRUE(a);
  EXPECT_TRUE(same_answer(*a, "20")) << *a;
}

TEST(ExtractAnswer, Gsm8kMarker) {
  EXPECT_EQ(extract_answer("She makes 9 * 2 = $<<9*2=18>>18 every day.\n#### 18"), "18");
  EXPECT_EQ(extract_answer("#### 1,234\n"), "1,234");
}

TEST(ExtractAnswer, BoxedWithNestedBraces) {
  EXPECT_EQ(extract_answer("so the answer is $\\boxed{\\frac{1}{2}}$."), "\\frac{1}{2}");
  EXPECT_EQ(extract_answer("\\boxed{3} then \\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}"),
            "\\left( 3, \\frac{\\pi}{2} \\right)");
}

TEST(ExtractAnswer, FinalAnswerLineAndLastNumber) {
  EXPECT_EQ(extract_answer("Step 1: 3 + 4 = 7.\nFinal answer: 7"), "7");
  EXPECT_EQ(extract_answer("Final Answer: **$42.50**."), "$42.50");
  EXPECT_EQ(extract_answer("The answer is 12 apples."), "12");
  EXPECT_EQ(extract_answer("He had 3, then 5, so 8 in total"), "8");
  EXPECT_EQ(extract_answer("Final answer: x = y"), "x = y");
  EXPECT_EQ(extract_answer("no numbers here"), std::nullopt);
  EXPECT_EQ(extract_answer("It is -3.5 degrees."), "-3.5");
}

TEST(HideAnswer, RemovesMarkersAndBoxedContent) {
  EXPECT_EQ(hide_answer("9 eggs a day.\nShe makes $18.\n#### 18"), "9 eggs a day.\nShe makes $18.");
  EXPECT_EQ(hide_answer("3 + 4 = 7\nFinal answer: 7\n"), "3 + 4 = 7");
  EXPECT_EQ(hide_answer("so $\\boxed{\\frac{1}{2}}$ it is"), "so $?$ it is");
  EXPECT_EQ(hide_answer("nothing to hide"), "nothing to hide");
}

TEST(MaskAnswer, EveryCopyOfTheAnswerGoes) {
  EXPECT_EQ(mask_answer("She makes 9 * 2 = $<<9*2=18>>18 every day.", "18"),
            "She makes 9 * 2 = $<<9*2=___>>___ every day.");
  EXPECT_EQ(mask_answer("Janet makes $18.00 a day, not 180 or 1.8.", "$18"), "Janet makes $___ a day, not 180 or 1.8.");
  EXPECT_EQ(mask_answer("a profit of 70,000, then -70000", "70000"), "a profit of ___, then -70000");
  EXPECT_EQ(mask_answer("so x = \\frac{1}{2}, i.e. \\frac{1}{2}", "\\frac{1}{2}"), "so x = ___, i.e. ___");
  EXPECT_EQ(mask_answer("nothing here", ""), "nothing here");
  EXPECT_EQ(mask_answer("Evelyn ran", "Evelyn"), "___ ran");
  // A "-" after a number subtracts; commas group digits in threes only.
  EXPECT_EQ(mask_answer("20-18 = 2, and 3,18 apart", "18"), "20-___ = 2, and 3,___ apart");
  EXPECT_EQ(mask_answer("x = -18, not 20-18", "-18"), "x = -___, not 20-18");
  EXPECT_EQ(mask_answer("20 - 18 = 2, (5) - 18, x-18, then -18", "18"), "20 - ___ = 2, (5) - ___, x-___, then -18");
  // An answer that only starts with a number is masked as written, not by that number.
  EXPECT_EQ(mask_answer("2x+1 for 2 apples", "2x+1"), "___ for 2 apples");
}

TEST(SameAnswer, NumbersByValue) {
  EXPECT_TRUE(same_answer("18", "18"));
  EXPECT_TRUE(same_answer("$18.00", "18"));
  EXPECT_TRUE(same_answer("1,800", "1800"));
  EXPECT_TRUE(same_answer("18 dollars", "18"));
  EXPECT_TRUE(same_answer("18.", "18"));
  EXPECT_TRUE(same_answer("\\frac{1}{2}", "0.5"));
  EXPECT_FALSE(same_answer("17", "18"));
  EXPECT_FALSE(same_answer("", "18"));
}

TEST(SameAnswer, TextAfterNormalising) {
  EXPECT_TRUE(same_answer("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})"));
  EXPECT_TRUE(same_answer("\\text{Evelyn}", "Evelyn"));
  EXPECT_FALSE(same_answer("(3, \\pi)", "(3,\\frac{\\pi}{2})"));
}

TEST(ExtractChoice, StatedLettersWin) {
  EXPECT_EQ(extract_choice("Let me think.\nFinal answer: B"), "B");
  EXPECT_EQ(extract_choice("The answer is (C) because plants need light."), "C");
  EXPECT_EQ(extract_choice("Answer: **D**"), "D");
  EXPECT_EQ(extract_choice("A is tempting, but the answer is B."), "B");
}

TEST(ExtractChoice, LettersAloneOrOnOneChoiceLine) {
  EXPECT_EQ(extract_choice("C"), "C");
  EXPECT_EQ(extract_choice("I pick\n(A)\n"), "A");
  EXPECT_EQ(extract_choice("B. lead apron"), "B");
  // Listing every choice picks none; an article "a" is not a choice.
  EXPECT_EQ(extract_choice("A. rubber gloves\nB. lead apron\nC. breathing mask\nD. safety goggles"), std::nullopt);
  EXPECT_EQ(extract_choice("The answer is a dog."), std::nullopt);
  EXPECT_EQ(extract_choice("A. B. C. D.\n\nA. B. C. D."), std::nullopt);
  EXPECT_EQ(extract_choice("A. B. C. D.\n\nA. B"), std::nullopt);                   // a reply cut off mid-list
  EXPECT_EQ(extract_choice("\n\nA. B. C. D.\n\nA. B. C. D.\n\nA."), std::nullopt);  // cut off after one letter
  EXPECT_EQ(extract_choice("(A) (B) (C)\n(A)"), std::nullopt);
  EXPECT_EQ(extract_choice("A. B. C. D.\nThe answer is C."), "C");  // a stated answer still counts
  EXPECT_EQ(extract_choice(""), std::nullopt);
}

TEST(ExtractCode, FencedUnclosedAndBare) {
  EXPECT_EQ(extract_code("Here:\n```python\ndef f(x):\n    return x\n```\nDone."), "def f(x):\n    return x\n");
  EXPECT_EQ(extract_code("```python\ndef a(): pass\n```\nand better:\n```\ndef b(): pass\n```"), "def b(): pass\n");
  EXPECT_EQ(extract_code("```python\ndef f(x):\n    return x +"), "def f(x):\n    return x +");
  EXPECT_EQ(extract_code("Sure.\nimport math\ndef g(): return math.pi"), "import math\ndef g(): return math.pi");
  EXPECT_EQ(extract_code("No code, just words."), std::nullopt);
}

TEST(CodeBlocks, EveryBlockInOrder) {
  // The LLM's tests: the function again, then the asserts (extract_code would keep the function).
  EXPECT_EQ(code_blocks("Tests:\n```python\ndef f(x):\n    return x\n```\nand\n```\nassert f(1) == 1\n```"),
            (std::vector<std::string>{"def f(x):\n    return x\n", "assert f(1) == 1\n"}));
  EXPECT_EQ(code_blocks("```python\nassert f(2) =="), std::vector<std::string>{"assert f(2) =="});
  EXPECT_TRUE(code_blocks("No code.").empty());
}

TEST(ExtractCode, TheDefinitionNotTheUsageExampleAndDedented) {
  // A usage example after the program: the program is what is graded.
  EXPECT_EQ(extract_code("```python\ndef f(x):\n    return x\n```\nTry it:\n```python\nprint(f(3))\n```"),
            "def f(x):\n    return x\n");
  // A fence inside a numbered list indents every line of the program.
  EXPECT_EQ(extract_code("4. **Code**:\n   ```python\n   def f(x):\n\n       return x\n   ```\n"),
            "def f(x):\n\n    return x\n");
  // Only calls everywhere: the last block, as before.
  EXPECT_EQ(extract_code("```\nprint(1)\n```\n```\nprint(2)\n```"), "print(2)\n");
}

}  // namespace
}  // namespace llmz::qa
