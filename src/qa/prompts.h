// The QA protocol's prompt templates (prompts/qa-v1.json and qa-choice-v2.json are built in; users may
// pass their own file).
// The templates change every generated word, so a file's hash goes into each .qa header.
#pragma once
#include <cstdint>
#include <string>

#include "common/templates.h"
#include "llmz/qa.h"

namespace llmz::qa {

using llmz::fill;

}  // namespace llmz::qa
