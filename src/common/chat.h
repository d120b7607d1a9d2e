// A conversation with a chat model: its messages, oldest first, each a "user" or an "assistant" turn.
#pragma once
#include <string>
#include <vector>

namespace llmz {

struct ChatMessage {
  std::string role;  // "user" or "assistant"
  std::string content;
};
using Conversation = std::vector<ChatMessage>;

// A conversation of one user message.
inline Conversation user_turn(std::string text) { return {{"user", std::move(text)}}; }

}  // namespace llmz
