// One exception type for every failure the user should see, with the exit code the CLI returns.
#pragma once
#include <stdexcept>
#include <string>

#include "llmz/llmz.h"

namespace llmz {

[[noreturn]] inline void fail(ErrorCode code, const std::string& message) { throw Error(code, message); }

}  // namespace llmz
